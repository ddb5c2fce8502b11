"""Slack payloads → platform-neutral inbound messages. Pure functions: no I/O.

Which messages the bot answers: every message in a DM with it, a mention in a channel (answered
in the message's thread), and any later message in a channel thread it is answering in. Edits,
deletions, joins and other subtypes, our own messages and other bots' are ignored.

The event id is ``"{channel}:{ts}"`` rather than Slack's ``event_id``: a mention arrives twice
(as ``app_mention`` and as ``message``, with different event ids but the same channel and ts),
and a retried delivery repeats both, so this one key collapses all of them into one job.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from bot.sanitize import safe_filename
from bot.types import Attachment, InboundMessage

PLATFORM = "slack"

_ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")


class SlackReplyTo(TypedDict):
    """Where a Slack answer goes (``InboundMessage.reply_to``), kept in the inbox as it is."""

    channel: str
    thread_ts: str
    recipient_team: str
    """The asker's team: ``chat.startStream`` needs it (and the user) in a channel."""
    dm: bool
    assistant: bool
    """A thread that takes ``assistant.threads.setStatus``."""


def reply_to_of(stored: object, *, channel: str, team: str) -> SlackReplyTo:
    """A ``SlackReplyTo`` read back from a job, whichever version wrote it: a field missing or
    of another type takes its default (the job's channel and workspace, no thread, False)."""
    fields: Mapping[str, object] = stored if isinstance(stored, Mapping) else {}

    def text(name: str) -> str:
        value = fields.get(name)
        return value if isinstance(value, str) else ""

    return SlackReplyTo(
        channel=text("channel") or channel,
        thread_ts=text("thread_ts"),
        recipient_team=text("recipient_team") or team,
        dm=fields.get("dm") is True,
        assistant=fields.get("assistant") is True,
    )


def slack_reply_to(message: InboundMessage) -> SlackReplyTo:
    """The reply place of a Slack message, typed."""
    return reply_to_of(message.reply_to, channel=message.channel, team=message.workspace)


def event_key(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def plain_text(text: str, bot_user_id: str | None) -> str:
    """Slack's message markup → what the person typed (the bot's own mention removed)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _USER.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    return html.unescape(text).strip()


def _text(value: Any) -> str:
    """A payload field that should be a string; anything else counts as missing."""
    return value if isinstance(value, str) else ""


def _size(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def attachments_of(event: dict[str, Any]) -> tuple[Attachment, ...]:
    files = event.get("files")
    found = []
    for file in files if isinstance(files, list) else []:
        if not isinstance(file, dict):
            continue
        name = _text(file.get("name")) or _text(file.get("title")) or _text(file.get("id"))
        url = _text(file.get("url_private_download")) or _text(file.get("url_private"))
        found.append(
            Attachment(
                name=safe_filename(name),  # the one name used from here on
                mimetype=_text(file.get("mimetype")) or "application/octet-stream",
                size=_size(file.get("size")),
                url=url,
            )
        )
    return tuple(found)


def inbound_from_event(
    body: dict[str, Any],
    event: dict[str, Any],
    *,
    bot_user_id: str | None,
    in_bot_thread: Callable[[str, str], bool],
) -> InboundMessage | None:
    """The message to answer, or None if this event is not for the bot (or malformed: a
    field of the wrong type counts as missing, so odd payloads are ignored, never raised)."""
    if _text(event.get("type")) not in ("message", "app_mention"):
        return None
    subtype = event.get("subtype")
    if subtype is not None and _text(subtype) not in _ANSWERED_SUBTYPES:
        return None
    if event.get("hidden") or event.get("bot_id") or event.get("bot_profile"):
        return None
    user, channel = _text(event.get("user")), _text(event.get("channel"))
    ts = _text(event.get("ts"))
    if not user or not channel or not ts or user == bot_user_id:
        return None
    raw_text = _text(event.get("text"))
    thread_ts = _text(event.get("thread_ts")) or None
    dm = event.get("channel_type") == "im"
    if not dm and event.get("type") == "message":
        mentioned = bool(bot_user_id) and f"<@{bot_user_id}" in raw_text
        if not mentioned and not (thread_ts and in_bot_thread(channel, thread_ts)):
            return None
    team = _text(body.get("team_id")) or _text(event.get("team"))
    return InboundMessage(
        platform=PLATFORM,
        workspace=team,
        channel=channel,
        user=user,
        text=plain_text(raw_text, bot_user_id),
        event_id=event_key(channel, ts),
        attachments=attachments_of(event),
        reply_to=SlackReplyTo(
            channel=channel,
            thread_ts=thread_ts or ts,
            recipient_team=_text(event.get("user_team")) or _text(event.get("team")) or team,
            dm=dm,
            # In an app's DM every answer is in a thread that takes assistant.threads.setStatus:
            # under agent messaging each top-level message starts one, under assistant
            # messaging the person writes inside assistant threads.
            assistant=dm,
        ),
    )


def inbound_from_command(body: dict[str, Any]) -> InboundMessage:
    """A slash command as a message (for the shared commands in ``bot.commands``)."""
    return InboundMessage(
        platform=PLATFORM,
        workspace=_text(body.get("team_id")),
        channel=_text(body.get("channel_id")),
        user=_text(body.get("user_id")),
        text=_text(body.get("text")),
        event_id=f"command:{_text(body.get('trigger_id'))}",
    )
