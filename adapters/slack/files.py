"""Fetching the files people attach, with the bot token sent to Slack's file host only.

A file's ``url_private_download`` comes from the event payload; the bot token must never go
to a URL taken blindly from a payload. The allowed origin is the workspace's file host:
``files.<API host>`` (``files.slack.com`` for ``https://slack.com/api/``, ``files.slack-gov.com``
for GovSlack), the API's own origin when it is a loopback address (an emulator), or the hosts in
``SLACK_FILE_HOSTS``. Any other URL is refused and logged, with no request made, and so is a
redirect to any other host: its bytes would be someone else's, whatever the message says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.errors import AttachmentRefused

log = logging.getLogger(__name__)

Origin = tuple[str, str, int]
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 3


def _origin(url: str) -> Origin | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    return (parts.scheme, parts.hostname.lower(), port or default)


@dataclass(frozen=True)
class FileHost:
    origins: frozenset[Origin]

    @classmethod
    def for_api(cls, api_url: str, hosts: str | None = None) -> FileHost:
        if hosts:
            found = set()
            for host in hosts.split(","):
                host = host.strip()
                origin = _origin(host if "://" in host else f"https://{host}")
                if origin is not None:
                    found.add(origin)
            return cls(frozenset(found))
        api = _origin(api_url)
        if api is None:
            return cls(frozenset())
        hostname = api[1]
        if hostname in _LOOPBACK:
            return cls(frozenset({api}))
        return cls(frozenset({("https", f"files.{hostname}", 443)}))

    def allows(self, url: str) -> bool:
        return _origin(url) in self.origins


class DownloadFailed(Exception):
    """Slack did not hand over the file (the message names the reason, never the token)."""


async def download(
    session: aiohttp.ClientSession,
    url: str,
    *,
    name: str,
    token: str,
    host: FileHost,
    max_bytes: int,
    proxy: str | None = None,
) -> bytes:
    """The file's bytes, fetched with the token from ``host`` only: a redirect is followed only
    to ``host`` too; one to anywhere else is refused."""
    if not host.allows(url):
        log.warning("refused to fetch %r from %s: not the workspace's file host", name, _show(url))
        raise AttachmentRefused("file.not_on_slack", name=name)
    for _ in range(_MAX_HOPS + 1):
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(
            url, headers=headers, allow_redirects=False, proxy=proxy or None
        ) as resp:
            if resp.status in _REDIRECTS and "Location" in resp.headers:
                url = urljoin(url, resp.headers["Location"])
                if not host.allows(url):
                    log.warning("refused %r: redirected to %s", name, _show(url))
                    raise AttachmentRefused("file.redirected", name=name, host=_host(url))
                continue
            if resp.status != 200:
                raise DownloadFailed(f"HTTP {resp.status} for {name}")
            if resp.content_type == "text/html" and not name.lower().endswith((".html", ".htm")):
                # Slack answers a missing token or scope with its sign-in page, not an error.
                raise DownloadFailed(f"Slack sent a web page instead of {name} (files:read?)")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise DownloadFailed(f"{name} is larger than {max_bytes} bytes")
            return bytes(data)
    raise DownloadFailed(f"too many redirects for {name}")


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def _show(url: str) -> str:
    """A URL for the log, without its query string (which could carry a signature)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
