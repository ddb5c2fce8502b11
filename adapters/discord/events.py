"""Discord messages and interactions → neutral inbound messages, and which messages are
for the bot at all (a mention, a reply to it, a DM, or an assistant channel)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import discord

from adapters.discord.options import DiscordOptions
from bot.sanitize import safe_filename
from bot.types import Attachment, InboundMessage

PLATFORM = "discord"
DM_WORKSPACE = "dm"
"""The workspace of direct messages: one thread per person for all their DMs."""

Trigger = Literal["mention", "reply", "dm", "channel"]

_MENTION = re.compile(r"<@!?(\d+)>")


class DiscordMessageReply(TypedDict):
    """An answer replying to the person's message (``InboundMessage.reply_to``)."""

    kind: Literal["message"]
    channel_id: str
    message_id: str


class DiscordInteractionReply(TypedDict):
    """An answer to a command, through its interaction (``InboundMessage.reply_to``)."""

    kind: Literal["interaction"]
    interaction_id: str
    application_id: str
    token: str
    channel_id: str


DiscordReplyTo = DiscordMessageReply | DiscordInteractionReply


def reply_to_of(stored: object, *, channel: str, event_id: str) -> DiscordReplyTo:
    """A ``DiscordReplyTo`` read back from a job, whichever version wrote it: ids may be
    strings or numbers; a missing channel or message is the job's own."""
    fields: Mapping[str, object] = stored if isinstance(stored, Mapping) else {}

    def text(name: str) -> str:
        value = fields.get(name)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""

    if fields.get("kind") == "interaction":
        return DiscordInteractionReply(
            kind="interaction",
            interaction_id=text("interaction_id"),
            application_id=text("application_id"),
            token=text("token"),
            channel_id=text("channel_id") or channel,
        )
    return DiscordMessageReply(
        kind="message",
        channel_id=text("channel_id") or channel,
        message_id=text("message_id") or event_id,
    )


def guild_id_of(message: discord.Message) -> int | None:
    if message.guild is not None:
        return message.guild.id
    # A channel the cache does not know yet is a PartialMessageable that still has guild_id.
    guild_id = getattr(message.channel, "guild_id", None)
    return guild_id if isinstance(guild_id, int) else None


def _replies_to(message: discord.Message, user_id: int) -> bool:
    reference = message.reference
    if reference is None:
        return False
    resolved = reference.resolved or reference.cached_message
    return isinstance(resolved, discord.Message) and resolved.author.id == user_id


def trigger(
    message: discord.Message, me: discord.abc.User, options: DiscordOptions
) -> Trigger | None:
    """Why the bot should answer this message, or ``None`` to ignore it."""
    if message.author.bot or message.author.id == me.id or message.is_system():
        return None
    guild_id = guild_id_of(message)
    if guild_id is None:
        return "dm" if options.allow_dms else None
    if not options.serves_guild(guild_id):
        return None
    if any(user.id == me.id for user in message.mentions):
        return "mention"
    if _replies_to(message, me.id):
        return "reply"
    parent_id = getattr(message.channel, "parent_id", None)
    if {message.channel.id, parent_id} & options.assistant_channels:
        return "channel"
    return None


def readable_text(message: discord.Message, me_id: int) -> str:
    """The content without the bot's own mention; other mentions become ``@name``."""
    names = {user.id: user.display_name for user in message.mentions}

    def replace(match: re.Match[str]) -> str:
        user_id = int(match.group(1))
        if user_id == me_id:
            return ""
        return f"@{names[user_id]}" if user_id in names else match.group(0)

    return re.sub(r"[ \t]{2,}", " ", _MENTION.sub(replace, message.content)).strip()


def parent_of(channel: object) -> str:
    """The channel a thread is under ('' elsewhere): its profile and quotas apply there."""
    return str(channel.parent_id) if isinstance(channel, discord.Thread) else ""


def roles_of(person: object) -> tuple[str, ...]:
    """A member's role ids, without @everyone (whose limits are the server's own)."""
    if not isinstance(person, discord.Member):
        return ()
    try:
        roles = person.roles
    except AttributeError:  # a server the cache does not know (yet): no roles to go by
        return ()
    return tuple(str(role.id) for role in roles if not role.is_default())


def _attachment(item: discord.Attachment) -> Attachment:
    mimetype = item.content_type or mimetypes.guess_type(item.filename)[0]
    return Attachment(
        name=safe_filename(item.filename),  # the one name used from here on
        mimetype=(mimetype or "application/octet-stream").split(";")[0],
        size=item.size,
        url=item.url,
    )


def inbound_message(message: discord.Message, me_id: int) -> InboundMessage:
    guild_id = guild_id_of(message)
    return InboundMessage(
        platform=PLATFORM,
        workspace=DM_WORKSPACE if guild_id is None else str(guild_id),
        channel=str(message.channel.id),
        user=str(message.author.id),
        text=readable_text(message, me_id),
        event_id=str(message.id),
        attachments=tuple(_attachment(item) for item in message.attachments),
        reply_to=DiscordMessageReply(
            kind="message", channel_id=str(message.channel.id), message_id=str(message.id)
        ),
        user_name=message.author.display_name,
        workspace_locale=message.guild.preferred_locale.value if message.guild else "",
        parent_channel=parent_of(message.channel),
        roles=roles_of(message.author),
        direct_workspace=DM_WORKSPACE,
    )


def interaction_message(
    interaction: discord.Interaction[Any],
    text: str,
    attachments: Sequence[discord.Attachment] = (),
) -> InboundMessage:
    """An ``/assistant`` command as a message; its answer goes to the interaction's follow-ups.
    ``attachments`` are the command's file options (``knowledge add``)."""
    channel_id = interaction.channel_id or 0
    return InboundMessage(
        platform=PLATFORM,
        workspace=DM_WORKSPACE if interaction.guild_id is None else str(interaction.guild_id),
        channel=str(channel_id),
        user=str(interaction.user.id),
        text=text,
        event_id=str(interaction.id),
        attachments=tuple(_attachment(item) for item in attachments),
        reply_to=DiscordInteractionReply(
            kind="interaction",
            interaction_id=str(interaction.id),
            application_id=str(interaction.application_id),
            token=interaction.token,
            channel_id=str(channel_id),
        ),
        user_name=interaction.user.display_name,
        locale=interaction.locale.value,
        workspace_locale=interaction.guild_locale.value if interaction.guild_locale else "",
        parent_channel=parent_of(interaction.channel),
        roles=roles_of(interaction.user),
        direct_workspace=DM_WORKSPACE,
    )
