"""Pieces of the Slack emulator: recorded calls and messages, rate-limit tiers, request
signing, and builders of the payloads Slack sends (events, envelopes, slash commands)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]

TEAM_ID = "T0EMULATE"
APP_ID = "A0EMULATE"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
MARKDOWN_LIMIT = 12_000
TEXT_LIMIT = 40_000

_ts_counter = itertools.count(1)
_id_counter = itertools.count(1)


def new_ts() -> str:
    """Message timestamps as Slack writes them: seconds and a 6-digit sequence, unique."""
    return f"{int(time.time())}.{next(_ts_counter) % 1_000_000:06d}"


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_id_counter):08X}"


@dataclass
class SlackCall:
    """One Web API request as the emulator saw it (arguments merged from query, form, JSON)."""

    method: str
    args: JSON
    token: str | None
    status: int = 200
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class Message:
    channel: str
    ts: str
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    text: str = ""
    markdown_text: str | None = None
    files: list[JSON] = field(default_factory=list)
    streaming: bool = False
    history: list[str] = field(default_factory=list)
    """Every text the message showed, in order (so a test can see it grow)."""
    chunks: list[JSON] = field(default_factory=list)
    """Every streaming chunk it received (markdown_text, task_update, plan_update), in order."""
    tasks: dict[str, JSON] = field(default_factory=dict)
    """Each task card as it stands (the latest ``task_update`` of its id)."""
    task_display_mode: str | None = None
    blocks: list[JSON] | None = None
    """The blocks it shows (chat.postMessage / chat.update), None without."""
    blocks_history: list[list[JSON] | None] = field(default_factory=list)

    def receive(self, chunks: list[JSON]) -> None:
        self.chunks.extend(chunks)
        for chunk in chunks:
            if chunk["type"] == "task_update":
                self.tasks[chunk["id"]] = chunk

    def show_blocks(self, blocks: list[JSON] | None) -> None:
        self.blocks = blocks
        self.blocks_history.append(blocks)

    @property
    def shown(self) -> str:
        return self.markdown_text if self.markdown_text is not None else self.text

    def show(self, *, text: str | None = None, markdown: str | None = None) -> None:
        if markdown is not None:
            self.markdown_text, self.text = markdown, ""
        elif text is not None:
            self.text, self.markdown_text = text[:TEXT_LIMIT], None
        self.history.append(self.shown)

    def to_json(self) -> JSON:
        data: JSON = {"type": "message", "ts": self.ts, "text": self.shown}
        if self.user:
            data["user"] = self.user
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.bot_id:
            data.update(bot_id=self.bot_id, user=BOT_USER_ID, app_id=APP_ID)
        if self.files:
            data["files"] = self.files
        return data


@dataclass
class Tier:
    """At most ``calls`` in any ``window`` seconds per team (or per channel)."""

    calls: int
    window: float = 60.0
    per: Literal["team", "channel"] = "team"


# Slack's documented minimums ("Tier 2: 20+ per minute", "Tier 3: 50+", "Tier 4: 100+"), as
# strict sliding windows; chat.postMessage is "about 1 per second per channel, with bursts".
# The tier of assistant.threads.setStatus is not documented; Tier 3 is assumed.
DEFAULT_TIERS: dict[str, Tier] = {
    "chat.postMessage": Tier(5, 5.0, per="channel"),
    "chat.update": Tier(50),
    "chat.delete": Tier(50),
    "chat.startStream": Tier(20),
    "chat.stopStream": Tier(20),
    "chat.appendStream": Tier(100),
    "assistant.threads.setStatus": Tier(50),
    "assistant.threads.setSuggestedPrompts": Tier(100),
    "assistant.threads.setTitle": Tier(100),
    "conversations.info": Tier(50),
    "conversations.members": Tier(100),
    "conversations.history": Tier(50),
    "conversations.replies": Tier(50),
    "files.getUploadURLExternal": Tier(100),
    "files.completeUploadExternal": Tier(100),
    "users.info": Tier(100),
    "views.open": Tier(100),
}


class RateLimiter:
    def __init__(self, tiers: dict[str, Tier]) -> None:
        self.tiers = dict(tiers)
        self._stamps: dict[tuple[str, str], deque[float]] = {}

    def check(self, method: str, team: str, channel: str | None) -> int | None:
        """Count the call, or the ``Retry-After`` seconds (an integer, as Slack sends) if over."""
        tier = self.tiers.get(method)
        if tier is None:
            return None
        key = (method, (channel or "") if tier.per == "channel" else team)
        stamps = self._stamps.setdefault(key, deque())
        now = time.monotonic()
        while stamps and stamps[0] <= now - tier.window:
            stamps.popleft()
        if len(stamps) >= tier.calls:
            return max(1, math.ceil(stamps[0] + tier.window - now))
        stamps.append(now)
        return None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def event_callback(event: JSON, *, event_id: str | None = None, team_id: str = TEAM_ID) -> JSON:
    """The Events API envelope (also the Socket Mode ``events_api`` payload)."""
    return {
        "token": "verification-token-unused",
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": new_id("4-"),
    }


def message_event(
    text: str,
    *,
    user: str,
    channel: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    files: list[JSON] | None = None,
    team_id: str = TEAM_ID,
    **extra: Any,
) -> JSON:
    """A ``message`` event; ``channel_type`` follows the id (``D…`` is a DM)."""
    ts = ts or new_ts()
    event: JSON = {
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": team_id,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im" if channel.startswith("D") else "channel",
        "blocks": [],
        "client_msg_id": new_id("cm-"),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event.update(subtype="file_share", files=files, upload=False, display_as_bot=False)
    event.update(extra)
    return event


def app_home_opened(user: str, channel: str, *, tab: str = "messages") -> JSON:
    """A person opened the app (``tab: "messages"``: their DM with it; agent messaging)."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": new_ts(),
    }


def channel_entity(channel: str, team_id: str = TEAM_ID) -> JSON:
    return {"type": "slack#/types/channel_id", "value": channel, "team_id": team_id, "score": 90}


def message_entity(channel: str, ts: str, team_id: str = TEAM_ID) -> JSON:
    return {
        "type": "slack#/types/message_context",
        "value": {"message_ts": ts, "channel_id": channel},
        "team_id": team_id,
        "score": 75,
    }


def app_context_changed(user: str, channel: str, entities: list[JSON]) -> JSON:
    """What a person looks at while the app is visible (agent messaging): entities ordered by
    relevance; an empty ``context`` when there is nothing."""
    return {
        "type": "app_context_changed",
        "user": user,
        "channel": channel,
        "context": {"entities": entities} if entities else {},
        "event_ts": new_ts(),
    }


def mention_event(message: JSON) -> JSON:
    """The ``app_mention`` Slack sends alongside a channel message that mentions the bot."""
    keep = ("text", "user", "ts", "team", "channel", "event_ts", "thread_ts", "files", "blocks")
    event = {k: message[k] for k in keep if k in message}
    event["type"] = "app_mention"
    return event


def command_payload(
    text: str, *, user: str, channel: str, command: str = "/assistant", team_id: str = TEAM_ID
) -> dict[str, str]:
    return {
        "token": "verification-token-unused",
        "team_id": team_id,
        "team_domain": "emulated",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.invalid/commands/T/1/x",
        "trigger_id": new_id("trig."),
    }


def view_submission(view: JSON, value: str, *, user: str, team_id: str = TEAM_ID) -> JSON:
    """The interactive payload when someone presses Save in a modal the bot opened."""
    block = view["blocks"][0]
    action = block["element"]["action_id"]
    state = {block["block_id"]: {action: {"type": "plain_text_input", "value": value}}}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "emulated"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": new_id("trig."),
        "view": {**view, "state": {"values": state}, "hash": new_id("h."), "app_id": APP_ID},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def file_object(file_id: str, name: str, mimetype: str, size: int, url: str) -> JSON:
    """A file as it appears in a ``file_share`` message and in files.* answers."""
    return {
        "id": file_id,
        "created": int(time.time()),
        "timestamp": int(time.time()),
        "name": name,
        "title": name,
        "mimetype": mimetype,
        "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
        "pretty_type": mimetype,
        "user": "U0PERSON",
        "mode": "hosted",
        "editable": False,
        "is_external": False,
        "external_type": "",
        "size": size,
        "url_private": url,
        "url_private_download": url + "?download=1" if "?" not in url else url,
        "permalink": f"https://emulated.slack.com/files/U0PERSON/{file_id}/{name}",
        "is_public": False,
    }


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
