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
_KEYWORDS = ("here", "channel", "everyone")
"""The words that notify a whole channel, typed as ``@word`` or sent as ``<!word>``."""
_BROADCAST = (*_KEYWORDS, "group")  # <!group>: the old name of <!channel>
_PLAIN = re.compile(rf"(?<![\w.])@(?=(?:{'|'.join(_KEYWORDS)})\b)", re.IGNORECASE)
_TOKEN = re.compile(
    rf"<(?:!({'|'.join(_BROADCAST)})|!subteam\^[^<>|\n]*|@([UW][A-Z0-9]*))"
    r"(?:\|([^<>\n]*))?>",
    re.IGNORECASE,
)
_OPEN_USER = re.compile(r"@(?:[UW][A-Z0-9]*(?:\|[^<>\n]*)?)?", re.IGNORECASE)


def _plain(name: str) -> str:
    return f"@{JOINER}{name.lstrip('@')}"


def _token(match: re.Match[str]) -> str:
    broadcast, user, label = match.group(1), match.group(2), match.group(3)
    if broadcast is not None:
        return _plain("channel" if broadcast.lower() == "group" else broadcast)
    if user is not None:
        return _plain(label or user)
    return _plain(label or "group")  # a user group


def neutralise(text: str) -> str:
    """``text`` with every mention Slack would notify turned into inert plain text. Other
    ``<!…>`` and ``<…>`` (``<!date^…>``, ``<!DOCTYPE html>``, ``<!-- -->`` in code) stay."""
    while True:  # "<<@U1>!here>" could leave a new token: repeat (each pass removes a "<")
        inert = _TOKEN.sub(_token, text)
        if inert == text:
            break
        text = inert
    return _PLAIN.sub("@" + JOINER, text)


def _may_open(rest: str) -> bool:
    """Whether ``"<" + rest`` (no ``>`` yet) may still become a notifying token."""
    if not rest:
        return True
    if rest[0] == "@":
        return _OPEN_USER.fullmatch(rest) is not None
    if rest[0] != "!":
        return False
    head, bar, _ = rest[1:].partition("|")
    head = head.lower()
    if head.startswith("subteam^"):
        return True
    if bar:
        return head in _BROADCAST
    return any(word.startswith(head) for word in (*_BROADCAST, "subteam^"))


def streamable(text: str) -> str:
    """The longest start of (neutralised) ``text`` that no later text can turn into a
    mention: without an unclosed ``<!here``/``<@U…``-like tail, or an ``@`` that may still
    grow into ``@channel``."""
    opened = text.rfind("<")
    if opened >= 0 and not any(c in text[opened:] for c in ">\n"):
        if _may_open(text[opened + 1 :]):
            text = text[:opened]
    at = text.rfind("@")
    if at >= 0:
        rest = text[at + 1 :].lower()
        if len(rest) < len("everyone") and any(k.startswith(rest) for k in _KEYWORDS):
            text = text[:at]
    return text
