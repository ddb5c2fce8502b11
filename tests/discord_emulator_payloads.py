"""Discord's JSON shapes as the emulator sends them (users, guilds, channels, messages,
interactions, commands), with the fields discord.py reads."""

from __future__ import annotations

import datetime
import itertools
import secrets
import time
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
MESSAGE_CONTENT = 1 << 15
"""The privileged intent: without it guild message content is blank unless it mentions us."""

EPHEMERAL = 1 << 6
LOADING = 1 << 7

ALL_PERMISSIONS = str((1 << 47) - 1)

MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_REPLY = 19
MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20


class Snowflakes:
    """Increasing ids shaped like Discord's (milliseconds since 2015 in the high bits)."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def __call__(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(self._last + 1, stamp | (next(self._counter) & 0xFFF))
        return self._last


def iso(at: float | None = None) -> str:
    moment = datetime.datetime.fromtimestamp(at or time.time(), datetime.UTC)
    return moment.isoformat()


def token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(48)


def user(user_id: int, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": None if bot else name.title(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def me(user_id: int, name: str) -> JSON:
    return {**user(user_id, name, bot=True), "verified": True, "mfa_enabled": False,
            "locale": "en-US", "email": None}


def application(app_id: int, name: str, owner: JSON) -> JSON:
    return {
        "id": str(app_id),
        "name": name,
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": secrets.token_hex(32),
        "flags": 0,
        "team": None,
        "interactions_endpoint_url": None,
    }


def member(*, joined: str, with_user: JSON | None = None, permissions: bool = False) -> JSON:
    data: JSON = {
        "roles": [],
        "joined_at": joined,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }
    if with_user is not None:
        data["user"] = with_user
    if permissions:
        data["permissions"] = ALL_PERMISSIONS
    return data


def text_channel(channel_id: int, guild_id: int, name: str, position: int) -> JSON:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def dm_channel(channel_id: int, recipient: JSON) -> JSON:
    return {"id": str(channel_id), "type": 1, "recipients": [recipient], "last_message_id": None}


def guild(guild_id: int, name: str, *, owner_id: int, channels: list[JSON],
          members: list[JSON]) -> JSON:
    everyone = {
        "id": str(guild_id), "name": "@everyone", "permissions": "1071698660929", "position": 0,
        "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0,
    }
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": channels,
        "threads": [],
        "members": members,
        "member_count": len(members),
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "unavailable": False,
        "joined_at": iso(),
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "afk_timeout": 300,
    }


def attachment(attachment_id: int, filename: str, size: int, url: str,
               content_type: str | None) -> JSON:
    data: JSON = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "flags": 0,
    }
    if content_type:
        data["content_type"] = content_type
    return data


def message(message_id: int, channel_id: int, author: JSON, content: str, *,
            type_: int = MESSAGE_TYPE_DEFAULT, mentions: list[JSON] | None = None,
            attachments: list[JSON] | None = None, referenced: JSON | None = None,
            flags: int = 0) -> JSON:
    data: JSON = {
        "id": str(message_id),
        "type": type_,
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": [],
        "components": [],
        "pinned": False,
        "flags": flags,
    }
    if referenced is not None:
        data["type"] = MESSAGE_TYPE_REPLY if type_ == MESSAGE_TYPE_DEFAULT else type_
        data["message_reference"] = {
            "type": 0,
            "message_id": referenced["id"],
            "channel_id": referenced["channel_id"],
        }
        data["referenced_message"] = referenced
    return data


def synced_command(command: JSON, *, command_id: int, app_id: int, version: int,
                   guild_id: int | None = None) -> JSON:
    data: JSON = {
        "type": 1,
        "options": [],
        "default_member_permissions": None,
        "dm_permission": True,
        "nsfw": False,
        "integration_types": [0],
        "contexts": None,
        **command,
        "id": str(command_id),
        "application_id": str(app_id),
        "version": str(version),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


def command_options(command: JSON, subcommand: str | None, values: dict[str, Any]) -> list[JSON]:
    """The interaction ``data.options`` for a synced command, checked against its schema."""
    schema = command.get("options", [])
    if subcommand is not None:
        subs = {o["name"]: o for o in schema if o.get("type") == 1}
        if subcommand not in subs:
            raise KeyError(f"/{command['name']} has no subcommand {subcommand!r} (synced: {subs})")
        inner = command_options(subs[subcommand], None, values)
        return [{"type": 1, "name": subcommand, "options": inner}]
    types = {o["name"]: o for o in schema}
    unknown = set(values) - set(types)
    if unknown:
        raise KeyError(f"unknown options {unknown} for {command['name']}")
    missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
    if missing:
        raise KeyError(f"missing required options {missing}")
    return [{"type": types[k]["type"], "name": k, "value": v} for k, v in values.items()]
