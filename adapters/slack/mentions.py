"""Model output (and anything else the bot writes to Slack) never notifies people.

Slack notifies for ``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^ID>`` (a user
group) and ``<@U…>`` (one person), with or without a ``|label``; plain ``@channel``, ``@here``
and ``@everyone`` are parsed too where Slack links names. A prompt-injected document or a
student's "say @channel" must not ping a workspace, so each becomes plain text that reads
the same: ``@`` and the name with a word joiner (U+2060) between, which Slack neither links
nor notifies.

User mentions are neutralised as well: the model cannot tell whom it is fitting to notify,
a reply already notifies the person who asked (it is in their thread), and Discord's replies
ping nobody either, so both platforms behave the same.

Streamed text is appended, never rewritten, so a token cut in two by a delta (``<!cha`` +
``nnel>``) would reach Slack whole. ``streamable`` holds back a tail that could still become a
token; the final text (stop or update) is complete and sent neutralised in full.
"""

from __future__ import annotations

import re

JOINER = "\u2060"
_TOKEN = re.compile(r"<([!@])([^<>\n]*)>")
_PLAIN = re.compile(r"(?<![\w.])@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_BROADCAST = frozenset({"here", "channel", "everyone"})
_OPEN_TAIL = re.compile(r"<(?:[!@][^<>\n]*)?\Z")
_KEYWORDS = ("here", "channel", "everyone")


def _plain(name: str) -> str:
    return f"@{JOINER}{name.lstrip('@')}"


def _token(match: re.Match[str]) -> str:
    sigil, inner = match.group(1), match.group(2)
    target, _, label = inner.partition("|")
    if sigil == "@":
        return _plain(label or target)
    kind = target.split("^", 1)[0].lower()
    if kind in _BROADCAST:
        return _plain(kind)
    if kind == "subteam":
        return _plain(label or "group")
    if kind == "date":
        return match.group(0)  # a formatted date notifies nobody
    return _plain(label or target)  # an unknown special token: its words, inert


def neutralise(text: str) -> str:
    """``text`` with every mention Slack would notify turned into inert plain text."""
    while True:  # "<<!x>>" leaves "<@…>": repeat (each pass removes a "<"), so none is left
        inert = _TOKEN.sub(_token, text)
        if inert == text:
            break
        text = inert
    return _PLAIN.sub("@" + JOINER, text)


def streamable(text: str) -> str:
    """The longest start of (neutralised) ``text`` that no later text can turn into a
    mention: without an unclosed ``<!…``/``<@…`` or an ``@`` that may still grow into
    ``@channel``."""
    tail = _OPEN_TAIL.search(text)
    if tail is not None:
        text = text[: tail.start()]
    at = text.rfind("@")
    if at >= 0:
        rest = text[at + 1 :].lower()
        if len(rest) < len("everyone") and any(k.startswith(rest) for k in _KEYWORDS):
            text = text[:at]
    return text
