"""Showing a command's reply (``bot.commands.CommandReply``) to the person who ran it.

Every reply is ephemeral. Discord wants an answer within 3 s: a command that takes longer
(adding documents: downloads and uploads) is deferred ("thinking…") and its reply follows.
A form is a modal, which can only be the first answer. Text past 2,000 characters goes on
in further (ephemeral) follow-ups.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Sequence
from typing import Any

import discord

from adapters.discord.forms import FIELD_LIMIT, MAX_FIELDS, form_modal
from bot.admin import CommandReply, OutgoingFile
from bot.errors import BotError
from bot.i18n import pick_language, t
from bot.split import split_message

log = logging.getLogger(__name__)

REPLY_WITHIN = 1.5
"""Seconds a command may take before it is deferred (Discord allows 3 from its side)."""
MAX_LENGTH = 2000


async def respond(
    interaction: discord.Interaction[Any],
    work: Awaitable[CommandReply],
    lang: str,
    *,
    reply_within: float = REPLY_WITHIN,
) -> None:
    task = asyncio.ensure_future(work)
    if reply_within > 0:
        await asyncio.wait({task}, timeout=reply_within)
    answerable = True
    if not task.done():
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as exc:  # expired meanwhile: the work still finishes
            log.warning("could not defer a command (%s); its reply will not be shown", exc)
            answerable = False
    try:
        reply = await task
    except Exception:
        log.exception("command failed")
        reply = CommandReply(t(lang, "error.generic"))
    if answerable:
        await show(interaction, reply, lang)


async def show(interaction: discord.Interaction[Any], reply: CommandReply, lang: str) -> None:
    text = reply.text
    if reply.modal is not None:
        modal = form_modal(reply.modal)
        if modal is None:
            limit = FIELD_LIMIT * MAX_FIELDS
            text = t(lang, "form.too_long", length=len(reply.modal.value), limit=limit)
        elif interaction.response.is_done():
            text = t(lang, "form.failed")  # deferred: too late for a form
        else:
            try:
                await interaction.response.send_modal(modal)
                return
            except discord.HTTPException as exc:
                log.warning("Discord refused the form %s: %s", reply.modal.id, exc)
                text = t(lang, "form.failed")
    await send(interaction, text, files=reply.files)


async def send(
    interaction: discord.Interaction[Any], text: str, *, files: Sequence[OutgoingFile] = ()
) -> None:
    """``text`` to the person only: the interaction's answer, then follow-ups; ``files`` are
    attached to the last page (Discord's native upload, as ephemeral as the text)."""
    pages = [page for page in split_message(text, MAX_LENGTH) if page] or [""]
    for number, page in enumerate(pages, 1):
        attached = (
            [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files]
            if number == len(pages)
            else []
        )
        if not page and not attached:
            continue
        if interaction.response.is_done():
            await interaction.followup.send(page, ephemeral=True, files=attached)
        else:
            await interaction.response.send_message(page, ephemeral=True, files=attached)


async def command_failed(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Any command (or form) that raised past the core: one log line, one sentence shown."""
    original = getattr(error, "original", None) or error
    command = interaction.command.qualified_name if interaction.command else "form"
    if isinstance(original, BotError):
        log.warning("/%s failed: %s", command, original)
    else:
        log.error("/%s failed", command, exc_info=original)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # nowhere to show a sentence: the suggestions stay empty
    lang = pick_language(None, interaction.locale.value)
    try:
        await send(interaction, t(lang, "command.failed", command=f"/{command}"))
    except discord.HTTPException as exc:
        log.info("could not tell the person that /%s failed (%s)", command, exc.status)
