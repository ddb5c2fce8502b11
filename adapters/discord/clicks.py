"""Clicks on buttons under the bot's messages (component interactions, type 3), routed by
the action in their ``custom_id`` (``bot.buttons``): the thumbs up/down of an answer, and
Approve / Deny of MCP tool calls. The click is stored (a decision with the job that
continues the answer) before the interaction is answered: with a message only the person
who clicked sees, or, for a decision, by updating the prompt (its buttons go)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.events import DM_WORKSPACE, PLATFORM, DiscordMessageReply
from adapters.discord.reply import NO_PINGS
from adapters.discord.respond import MAX_LENGTH, send
from bot.buttons import FEEDBACK, parse_custom_id
from bot.engine import Engine
from bot.feedback import FeedbackClick, rate_answer
from bot.i18n import t
from bot.mcp_approvals import MCP_ACTION, ApprovalClick, decide

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
Handler = Callable[[Interaction, str, str], Awaitable[str | None]]
"""A click's handler: (interaction, value, language) → the sentence for the person, or None
when it answered the interaction itself."""


def workspace_of(interaction: Interaction) -> str:
    return DM_WORKSPACE if interaction.guild_id is None else str(interaction.guild_id)


class DiscordClicks:
    def __init__(
        self,
        engine: Engine,
        language: Callable[[Interaction], Awaitable[str]],
        is_admin: Callable[[Interaction], bool],
    ) -> None:
        self._engine = engine
        self._language = language
        self._is_admin = is_admin
        self.handlers: dict[str, Handler] = {FEEDBACK: self._feedback, MCP_ACTION: self._approval}

    async def on_click(self, interaction: Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        raw = str(data.get("custom_id") or "")
        action, value = parse_custom_id(raw)
        handler = self.handlers.get(action)
        if handler is None:
            log.info("a click on an unknown button (%r)", raw[:40])
            return
        lang = await self._language(interaction)
        try:
            text = await handler(interaction, value, lang)
        except Exception:
            log.exception("a click on %s could not be handled", action)
            text = t(lang, "feedback.failed")
        if text is not None:
            await send(interaction, text)

    async def _feedback(self, interaction: Interaction, value: str, lang: str) -> str:
        click = FeedbackClick(
            PLATFORM,
            workspace_of(interaction),
            str(interaction.channel_id or ""),
            str(interaction.user.id),
            value,
        )
        return await rate_answer(self._engine.store, click, lang)

    async def _approval(self, interaction: Interaction, value: str, lang: str) -> str | None:
        prompt = interaction.message
        # The continued answer replies to the prompt (an interaction's own follow-ups would
        # edit the answer the prompt belongs to).
        reply_to = (
            DiscordMessageReply(
                kind="message", channel_id=str(prompt.channel.id), message_id=str(prompt.id)
            )
            if prompt is not None
            else None
        )
        click = ApprovalClick(
            PLATFORM,
            str(interaction.user.id),
            value,
            is_admin=self._is_admin(interaction),
            reply_to=reply_to,
        )
        try:
            outcome = await decide(self._engine.store, click, lang)
        except Exception:
            log.exception("an MCP approval could not be stored")
            return t(lang, "mcp.failed")
        if outcome.continued is not None:
            self._engine.queued()
        if outcome.prompt is None:
            return outcome.text
        try:
            # The decision line is kept whole; its mention of the clicker shows, pinging no one.
            shown = outcome.prompt[: MAX_LENGTH - len(outcome.decision) - 2]
            await interaction.response.edit_message(
                content=f"{shown}\n\n{outcome.decision}", view=None, allowed_mentions=NO_PINGS
            )
        except Exception as exc:
            # Decided, and the continuation is queued: only the prompt keeps its buttons (a
            # click on them says it was answered), so the person is told it worked.
            log.warning("could not update a decided approval prompt (%s)", exc)
        return outcome.text
