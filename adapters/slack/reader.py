"""Reading a Slack channel or thread for a person (``bot.viewing.ConversationReader``).

Only where the bot is a member (``conversations.info`` says ``is_member``) and the person can
see it: a public channel is open to everyone in the workspace; a private channel or group DM
only to its members (``conversations.members``). Links are built from the workspace's URL
(``auth.test``) rather than asked of ``chat.getPermalink``: one call per message saved, and the
shape (``/archives/C…/p<ts without the dot>``, ``?thread_ts=…&cid=…`` for a reply) is stable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.calls import SLACK_ERRORS, SlackRefused, call
from adapters.slack.events import plain_text
from adapters.slack.users import UserDirectory
from bot.viewing import ReadMessage, ReadRefused, ReadResult
from storage.records import Viewing

log = logging.getLogger(__name__)

MAX_TEXT = 2_000
MAX_NAMED = 30  # authors looked up by name per read; the rest keep their user id
_MEMBER_PAGES = 20
_SKIPPED_SUBTYPES = frozenset({"channel_join", "channel_leave", "group_join", "group_leave"})


def permalink(base_url: str, channel: str, ts: str, thread_ts: str = "") -> str:
    link = f"{base_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def _time(ts: str) -> str:
    try:
        return dt.datetime.fromtimestamp(float(ts), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""


class SlackReader:
    def __init__(self, client: AsyncWebClient, workspace_url: str, users: UserDirectory) -> None:
        self._client = client
        self._base_url = workspace_url
        self._users = users

    async def read(
        self, *, workspace: str, user: str, viewing: Viewing, thread: bool, limit: int
    ) -> ReadResult:
        channel = viewing.channel
        shown = f"<#{channel}>"
        try:
            about = await call(self._client.conversations_info, channel=channel)
            info = about.get("channel") or {}
            if info.get("name"):
                shown = f"#{info['name']}"
            if not info.get("is_member"):
                raise ReadRefused("not_member", shown)
            if (info.get("is_private") or info.get("is_mpim")) and not await self._member(
                channel, user
            ):
                raise ReadRefused("not_visible", shown)
            if thread:
                response = await call(
                    self._client.conversations_replies,
                    channel=channel,
                    ts=viewing.thread_ts,
                    limit=limit,
                )
                found = list(response.get("messages") or [])[:limit]
            else:
                response = await call(
                    self._client.conversations_history, channel=channel, limit=limit
                )
                found = list(reversed(response.get("messages") or []))
        except SLACK_ERRORS as exc:
            log.info("reading %s for %s failed (%s)", channel, user, exc)
            gone = ("channel_not_found", "not_in_channel")
            if isinstance(exc, SlackRefused) and exc.error in gone:
                raise ReadRefused("not_member", shown) from exc
            raise ReadRefused("unavailable", shown) from exc
        kept = [
            m for m in found if isinstance(m, dict) and m.get("subtype") not in _SKIPPED_SUBTYPES
        ]
        names = await self._names(workspace, kept)
        messages = tuple(self._message(channel, m, names) for m in kept)
        return ReadResult(channel=shown, messages=messages)

    async def _names(self, workspace: str, messages: list[dict[str, Any]]) -> dict[str, str]:
        """Authors' names (users.info, cached by the directory), looked up together."""
        ids = list(dict.fromkeys(str(m["user"]) for m in messages if m.get("user")))[:MAX_NAMED]
        people = await asyncio.gather(*(self._users.get(workspace, i) for i in ids))
        return {i: p.name for i, p in zip(ids, people, strict=True) if p.name}

    async def _member(self, channel: str, user: str) -> bool:
        cursor = None
        for _ in range(_MEMBER_PAGES):
            response = await call(
                self._client.conversations_members, channel=channel, limit=1000, cursor=cursor
            )
            if user in (response.get("members") or []):
                return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False
        return False

    def _message(self, channel: str, message: dict[str, Any], names: dict[str, str]) -> ReadMessage:
        ts = str(message.get("ts") or "")
        user = str(message.get("user") or "")
        author = names.get(user) or user or message.get("username") or message.get("bot_id") or "?"
        text = plain_text(str(message.get("text") or ""), None)
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT] + "…"
        return ReadMessage(
            author=str(author),
            text=text,
            link=permalink(self._base_url, channel, ts, str(message.get("thread_ts") or "")),
            time=_time(ts),
        )
