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
EVERYONE_PERMISSIONS = 1071698660929
"""What @everyone may do in a new server: read, write, react… not Manage Server."""
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5

TEXT_INPUT_LIMIT = 4000
MODAL_TITLE_LIMIT = 45
LABEL_LIMIT = 45

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

    def on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id that, as a guild's, is on that shard (``(id >> 22) % count``)."""
        snowflake = self()
        while (snowflake >> 22) % shard_count != shard_id:
            self._last = ((snowflake >> 22) + 1) << 22  # on to the next millisecond
            snowflake = self()
        return snowflake


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
    return {
        **user(user_id, name, bot=True),
        "verified": True,
        "mfa_enabled": False,
        "locale": "en-US",
        "email": None,
    }


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


def member(
    *,
    joined: str,
    with_user: JSON | None = None,
    permissions: int | None = None,
    roles: list[int] | None = None,
) -> JSON:
    """A member; ``permissions`` (interactions only) are the member's resolved permissions."""
    data: JSON = {
        "roles": [str(r) for r in roles or []],
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
    if permissions is not None:
        data["permissions"] = str(permissions)
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


def thread_channel(
    channel_id: int, guild_id: int, parent_id: int, name: str, *, owner_id: int
) -> JSON:
    return {
        "id": str(channel_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(),
            "locked": False,
        },
    }


def dm_channel(channel_id: int, recipient: JSON) -> JSON:
    return {"id": str(channel_id), "type": 1, "recipients": [recipient], "last_message_id": None}


def role(role_id: int, name: str, permissions: int, position: int) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    channels: list[JSON],
    members: list[JSON],
    roles: list[JSON] | None = None,
    threads: list[JSON] | None = None,
    locale: str = "en-US",
) -> JSON:
    everyone = role(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": [everyone, *(roles or [])],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": channels,
        "threads": threads or [],
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
        "preferred_locale": locale,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "afk_timeout": 300,
    }


def attachment(
    attachment_id: int, filename: str, size: int, url: str, content_type: str | None
) -> JSON:
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


def message(
    message_id: int,
    channel_id: int,
    author: JSON,
    content: str,
    *,
    type_: int = MESSAGE_TYPE_DEFAULT,
    mentions: list[JSON] | None = None,
    attachments: list[JSON] | None = None,
    referenced: JSON | None = None,
    flags: int = 0,
) -> JSON:
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


def synced_command(
    command: JSON, *, command_id: int, app_id: int, version: int, guild_id: int | None = None
) -> JSON:
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
    if data["default_member_permissions"] is not None:  # a string in Discord's answers
        data["default_member_permissions"] = str(data["default_member_permissions"])
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


OPTION_SUBCOMMAND, OPTION_GROUP, OPTION_INTEGER, OPTION_ROLE, OPTION_ATTACHMENT = 1, 2, 4, 8, 11


def command_options(
    command: JSON,
    subcommand: str | None,
    values: dict[str, Any],
    resolved: JSON | None = None,
    *,
    focused: str | None = None,
) -> list[JSON]:
    """The interaction ``data.options`` for a synced command, checked against its schema.
    ``subcommand`` may name a group and its subcommand (``"config show"``). An attachment
    option's value is the attachment (``emu.attachment``): its id goes in the option and the
    attachment in ``resolved["attachments"]``, as Discord sends them; a role option's value is
    the role (``emu.role_payload``), likewise in ``resolved["roles"]``. ``focused`` names the
    option being typed (an autocomplete): options may be missing, its value is partial."""
    schema = command.get("options", [])
    if subcommand is not None:
        name, _, rest = subcommand.partition(" ")
        kind = OPTION_GROUP if rest else OPTION_SUBCOMMAND
        subs = {o["name"]: o for o in schema if o.get("type") == kind}
        if name not in subs:
            raise KeyError(f"/{command['name']} has no subcommand {name!r} (synced: {list(subs)})")
        inner = command_options(subs[name], rest or None, values, resolved, focused=focused)
        return [{"type": kind, "name": name, "options": inner}]
    types = {o["name"]: o for o in schema}
    unknown = set(values) - set(types)
    if unknown:
        raise KeyError(f"unknown options {unknown} for {command['name']}")
    missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
    if missing and focused is None:
        raise KeyError(f"missing required options {missing}")
    options = []
    for key, value in values.items():
        option = types[key]
        if key == focused:
            if not option.get("autocomplete"):
                raise ValueError(f"{key} has no autocomplete")
            options.append({"type": option["type"], "name": key, "value": value, "focused": True})
            continue
        choices = [c["value"] for c in option.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"{key}={value!r} is not one of the choices {choices}")
        if option["type"] == OPTION_INTEGER and value < option.get("min_value", value):
            raise ValueError(f"{key}={value} is below {option['min_value']}")
        if option["type"] == OPTION_ATTACHMENT:
            if resolved is None:
                raise ValueError("attachment options need the interaction's resolved data")
            resolved.setdefault("attachments", {})[value["id"]] = value
            value = value["id"]
        if option["type"] == OPTION_ROLE:  # a role payload (``emu.role_payload``)
            if resolved is None:
                raise ValueError("role options need the interaction's resolved data")
            resolved.setdefault("roles", {})[value["id"]] = value
            value = value["id"]
        options.append({"type": option["type"], "name": key, "value": value})
    return options


def modal_problems(modal: JSON) -> list[str]:
    """What Discord would reject in a modal (callback type 9), as its error would say."""
    problems = []
    title = modal.get("title") or ""
    if not 1 <= len(title) <= MODAL_TITLE_LIMIT:
        problems.append(f"title: must be 1 to {MODAL_TITLE_LIMIT} characters")
    if not 1 <= len(modal.get("custom_id") or "") <= 100:
        problems.append("custom_id: must be 1 to 100 characters")
    components = modal.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append("components: must be 1 to 5")
    for index, component in enumerate(components):
        if component.get("type") == 18:  # label
            label, inner = component.get("label") or "", [component.get("component") or {}]
            if inner[0].get("label") is not None:
                problems.append(f"components.{index}: a text input in a label has no label")
        elif component.get("type") == 1:  # action row (deprecated in modals)
            inner = component.get("components") or []
            label = (inner[0].get("label") or "") if inner else ""
        else:
            problems.append(f"components.{index}: type {component.get('type')} in a modal")
            continue
        if not 1 <= len(label) <= LABEL_LIMIT:
            problems.append(f"components.{index}: label must be 1 to {LABEL_LIMIT} characters")
        for text_input in inner:
            problems.extend(f"components.{index}: {p}" for p in _text_input_problems(text_input))
    return problems


def _text_input_problems(text_input: JSON) -> list[str]:
    if text_input.get("type") != 4:
        return [f"type {text_input.get('type')} is not a text input"]
    problems = []
    limit = text_input.get("max_length") or TEXT_INPUT_LIMIT
    if not 1 <= limit <= TEXT_INPUT_LIMIT:
        problems.append(f"max_length must be 1 to {TEXT_INPUT_LIMIT}")
    if len(text_input.get("value") or "") > min(limit, TEXT_INPUT_LIMIT):
        problems.append(f"value longer than {min(limit, TEXT_INPUT_LIMIT)} characters")
    if text_input.get("style") not in (1, 2):
        problems.append("style must be 1 (short) or 2 (paragraph)")
    if not 1 <= len(text_input.get("custom_id") or "") <= 100:
        problems.append("custom_id must be 1 to 100 characters")
    return problems


def text_inputs(modal: JSON) -> list[JSON]:
    """A modal's text inputs, in order."""
    found = []
    for component in modal.get("components") or []:
        if component.get("type") == 18:
            found.append(component.get("component") or {})
        else:
            found.extend(component.get("components") or [])
    return found


def modal_submit_components(modal: JSON, values: dict[str, str]) -> list[JSON]:
    """``data.components`` of a modal submit: the modal's layout with each input's value."""

    def submitted(text_input: JSON) -> JSON:
        return {
            "type": 4,
            "id": text_input.get("id", 0),
            "custom_id": text_input["custom_id"],
            "value": values[text_input["custom_id"]],
        }

    result = []
    for component in modal.get("components") or []:
        if component.get("type") == 18:
            result.append(
                {
                    "type": 18,
                    "id": component.get("id", 0),
                    "component": submitted(component["component"]),
                }
            )
        else:
            result.append(
                {
                    "type": 1,
                    "id": component.get("id", 0),
                    "components": [submitted(c) for c in component["components"]],
                }
            )
    return result
