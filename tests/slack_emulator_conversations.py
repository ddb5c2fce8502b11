"""The Slack emulator's channels: who is a member, their history, and the methods that read
them (``conversations.info``/``members``/``history``/``replies``), in the shapes and with the
errors of Slack's reference: a channel the bot is not in answers ``not_in_channel`` to
``conversations.history`` when public and ``channel_not_found`` to everything when private."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.slack_emulator_events import BOT_USER_ID, JSON, Message, new_ts

DEFAULT_LIMIT = 100


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    private: bool = False


class ConversationMethods:
    """``_m_conversations_*``; tests add channels and post into them as people."""

    team_id: str
    channels: dict[str, Channel]
    messages: dict[str, list[Message]]

    def add_channel(
        self, channel: str, name: str, members: set[str], *, private: bool = False
    ) -> Channel:
        """A channel; the bot is in it when ``BOT_USER_ID`` is among ``members``."""
        found = self.channels[channel] = Channel(channel, name, set(members), private)
        return found

    def say(self, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> Message:
        """A person's message in a channel, as conversations.history will list it."""
        message = Message(channel, new_ts(), thread_ts, user=user, text=text)
        message.history.append(text)
        self.messages.setdefault(channel, []).append(message)
        return message

    def _visible(self, args: JSON) -> tuple[Channel | None, JSON | None]:
        found = self.channels.get(str(args.get("channel") or ""))
        if found is None or (found.private and BOT_USER_ID not in found.members):
            return None, {"ok": False, "error": "channel_not_found"}
        return found, None

    def _m_conversations_info(self, args: JSON) -> JSON:
        found, error = self._visible(args)
        if found is None:
            return error or {}
        return {
            "ok": True,
            "channel": {
                "id": found.id,
                "name": found.name,
                "is_channel": not found.private,
                "is_group": found.private,
                "is_im": False,
                "is_mpim": False,
                "is_private": found.private,
                "is_archived": False,
                "is_general": found.name == "general",
                "is_member": BOT_USER_ID in found.members,
                "created": 1_700_000_000,
                "creator": "U0CREATOR",
                "context_team_id": self.team_id,
            },
        }

    def _m_conversations_members(self, args: JSON) -> JSON:
        found, error = self._visible(args)
        if found is None:
            return error or {}
        members = sorted(found.members)
        start = int(str(args.get("cursor") or "0").removeprefix("offset:") or 0)
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        page = members[start : start + limit]
        following = start + limit
        cursor = f"offset:{following}" if following < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _read(self, args: JSON) -> tuple[list[Message] | None, JSON | None]:
        found, error = self._visible(args)
        if found is None:
            return None, error
        if BOT_USER_ID not in found.members:
            return None, {"ok": False, "error": "not_in_channel"}
        return self.messages.get(found.id, []), None

    def _m_conversations_history(self, args: JSON) -> JSON:
        messages, error = self._read(args)
        if messages is None:
            return error or {}
        top = [m for m in messages if not m.thread_ts or m.thread_ts == m.ts]
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        newest_first = list(reversed(top))
        page = newest_first[:limit]
        return {
            "ok": True,
            "messages": [_listed(m, messages) for m in page],
            "has_more": len(newest_first) > limit,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _m_conversations_replies(self, args: JSON) -> JSON:
        messages, error = self._read(args)
        if messages is None:
            return error or {}
        ts = str(args.get("ts") or "")
        parent = next((m for m in messages if m.ts == ts), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        oldest = float(args.get("oldest") or 0)
        replies = (m for m in messages if m.thread_ts == ts and m.ts != ts)
        thread = [parent, *(m for m in replies if float(m.ts) >= oldest)]
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        return {
            "ok": True,
            "messages": [_listed(m, messages) for m in thread[:limit]],
            "has_more": len(thread) > limit,
            "response_metadata": {"next_cursor": ""},
        }


def _listed(message: Message, channel: list[Message]) -> JSON:
    data = message.to_json()
    replies = [m for m in channel if m.thread_ts == message.ts and m.ts != message.ts]
    if replies:
        data.update(thread_ts=message.ts, reply_count=len(replies))
    return data
