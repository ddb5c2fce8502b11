"""Clicks on buttons under the bot's messages (``block_actions``): the thumbs up/down of an
answer, and Approve / Deny of MCP tool calls. The click is stored (a decision with the job
that continues the answer) before Bolt acknowledges it (``process_before_response``); the
result is shown only to the person who clicked (``chat.postEphemeral``), and a decided
prompt loses its buttons."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.buttons import with_buttons
from adapters.slack.calls import call
from adapters.slack.events import PLATFORM
from adapters.slack.mentions import neutralise
from adapters.slack.platform import SlackPlatform
from adapters.slack.users import UserDirectory
from bot.engine import Engine
from bot.feedback import FeedbackClick, rate_answer
from bot.i18n import t
from bot.mcp_approvals import ApprovalClick, ApprovalOutcome, decide

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]


@dataclass(frozen=True)
class Clicked:
    """Who clicked where, from a ``block_actions`` payload."""

    team: str
    user: str
    channel: str
    thread_ts: str | None
    message_ts: str
    value: str
    blocks: tuple[dict[str, Any], ...] = ()
    """The blocks of the message clicked on, as Slack sent them."""

    @classmethod
    def of(cls, body: dict[str, Any], action: dict[str, Any]) -> Clicked:
        person = body.get("user") or {}
        container = body.get("container") or {}
        message = body.get("message") or {}
        thread = container.get("thread_ts") or message.get("thread_ts")
        return cls(
            team=str((body.get("team") or {}).get("id") or person.get("team_id") or ""),
            user=str(person.get("id") or ""),
            channel=str((body.get("channel") or {}).get("id") or container.get("channel_id") or ""),
            thread_ts=str(thread) if thread else None,
            message_ts=str(container.get("message_ts") or message.get("ts") or ""),
            value=str(action.get("value") or ""),
            blocks=tuple(b for b in message.get("blocks") or () if isinstance(b, dict)),
        )


class SlackClicks:
    def __init__(
        self, *, engine: Engine, slack: SlackPlatform, users: UserDirectory, spawn: Spawn
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._users = users
        self._spawn = spawn

    async def language(self, clicked: Clicked) -> str:
        user = await self._users.get(clicked.team, clicked.user, wait=0.5)
        return await self._engine.language_for(PLATFORM, clicked.team, user.locale)

    async def on_feedback(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        clicked = Clicked.of(body, action)
        lang = await self.language(clicked)
        click = FeedbackClick(PLATFORM, clicked.team, clicked.channel, clicked.user, clicked.value)
        try:
            text = await rate_answer(self._engine.store, click, lang)
        except Exception:
            log.exception("a rating could not be stored")
            text = t(lang, "feedback.failed")
        await ack()
        self._spawn(self.tell(clicked, text))

    async def on_approval(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        clicked = Clicked.of(body, action)
        user = await self._users.get(clicked.team, clicked.user, wait=0.5)
        lang = await self._engine.language_for(PLATFORM, clicked.team, user.locale)
        click = ApprovalClick(PLATFORM, clicked.user, clicked.value, is_admin=user.is_admin)
        try:
            outcome = await decide(self._engine.store, click, lang)
        except Exception:
            log.exception("an MCP approval could not be stored")
            outcome = ApprovalOutcome(t(lang, "mcp.failed"))
        await ack()
        if outcome.continued is not None:
            self._engine.queued()
        if outcome.prompt is not None:
            self._spawn(self._decided(clicked, outcome.prompt, outcome.decision))
        self._spawn(self.tell(clicked, outcome.text))

    async def _decided(self, clicked: Clicked, prompt: str, decision: str) -> None:
        """The prompt says who decided, and its buttons go. The model's text stays inert; the
        mention of the person who clicked (the decision is ours) renders as a mention."""
        content = with_buttons(f"{neutralise(prompt)}\n\n{decision}", None)
        # The steps' context block above the text stays. Only it: Slack gives a markdown
        # block back translated into other blocks, which the new text replaces.
        above = list(itertools.takewhile(lambda b: b.get("type") == "context", clicked.blocks))
        content["blocks"] = above + content["blocks"]
        try:
            await call(
                self._slack.aux_client.chat_update,
                channel=clicked.channel,
                ts=clicked.message_ts,
                **content,
            )
        except Exception as exc:
            log.warning("could not update a decided approval prompt (%s)", exc)

    async def tell(self, clicked: Clicked, text: str) -> None:
        """A sentence only the person who clicked sees, in the thread of the click."""
        args: dict[str, Any] = {"channel": clicked.channel, "user": clicked.user}
        if clicked.thread_ts:
            args["thread_ts"] = clicked.thread_ts
        try:
            await call(self._slack.aux_client.chat_postEphemeral, text=neutralise(text), **args)
        except Exception as exc:
            log.warning("could not answer a click (%s)", exc)
