"""Logging set-up, with a filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

_TOKEN_SHAPES = re.compile(
    r"\b(sk-[A-Za-z0-9_\-]{8,}|xox[abposr]-[A-Za-z0-9\-]{8,}|xapp-[A-Za-z0-9\-]{8,})"
)
_URL_TOKENS = re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/?#\s'\"]+")
"""Discord's interaction tokens travel in URL paths (follow-ups ``/webhooks/<app>/<token>``,
callbacks ``/interactions/<id>/<token>/callback``), which discord.py logs at DEBUG. Each one
is new, so only their place gives them away."""
_KEYED_TOKENS = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+""")
"""The same tokens as a field of a payload (discord.py logs each gateway event at DEBUG, an
interaction with its ``"token"``)."""


_LEARNED: set[str] = set()
"""Secrets known only once the bot reads them (MCP header values from the environment)."""


def redact_also(secret: str) -> None:
    """Keep ``secret`` out of every log line from now on (``RedactSecrets``)."""
    if secret and len(secret) >= 6:
        _LEARNED.add(secret)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def _clean(self, text: str) -> str:
        for secret in [*self._secrets, *_LEARNED]:
            text = text.replace(secret, "[redacted]")
        text = _URL_TOKENS.sub(r"\1[redacted]", text)
        text = _KEYED_TOKENS.sub(r"\1[redacted]", text)
        return _TOKEN_SHAPES.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str, secrets: Iterable[str] = (), *, file: Path | None = None) -> None:
    """Log to stderr, or to ``file`` (appended; its folder is made)."""
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpx2", "httpcore", "openai", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
