"""The Discord platform as the engine sees it: limits, reply targets, budgets, downloads."""

from __future__ import annotations

import asyncio
import logging

import discord

from adapters.discord.events import PLATFORM, reply_to_of
from adapters.discord.files import AttachmentFetcher
from adapters.discord.reply import ChannelReply, InteractionReply
from adapters.discord.waiting import Crowds
from bot.i18n import pick_language, t
from bot.types import Attachment, ReplyLimits, ReplyTarget
from storage.records import Job

log = logging.getLogger(__name__)

UPLOAD_LIMIT = 10 * 1024 * 1024
"""Discord's default per-file upload limit (boosted servers allow more)."""


def discord_limits(calls: int = 5, per: float = 5.0) -> ReplyLimits:
    """Replies for a channel whose messages may be created and edited ``calls`` times per
    ``per`` seconds (Discord: 5 per 5 s), a budget every reply in the channel shares.

    ``calls`` and ``per`` stand in only until Discord's first answer: from then on the budget
    follows the ``X-RateLimit-*`` headers of each answer (``adapters.discord.ratelimits``),
    so the next write goes exactly when Discord resets the bucket, without a margin. No
    placeholder message: the typing indicator shows that an answer is coming, and under load
    a placeholder would spend a call that a finished answer needs.

    A lone reply's progress edits are paced to spread the window's calls but one (kept for its
    final) over the window: 1.25 s for 5 per 5 s. At 1 s, an answer that fills three messages
    within one window spends four calls before its final and waits for the window's reset.
    Once an answer spans several messages, a second call is kept for its final (last page
    finished, a new one started): ``ReplyLimits.reserve_new_page``."""
    return ReplyLimits(
        max_length=2000,
        edit_interval=per / max(1, calls - 1),
        calls_per_window=calls,
        window=per,
        budget_from_headers=True,
        reserve_new_page=True,
        placeholder="",
        max_upload_bytes=UPLOAD_LIMIT,
        web_link="[{title}](<{url}>)",
        command_prefix="/assistant ",
        admin_command_prefix="/assistant-admin ",
        steps_line="-# {steps}",  # subtext: one small grey line above the answer
    )


DISCORD_LIMITS = discord_limits()

ACK_WAIT = 5.0
"""How long a follow-up waits for its command's deferral (Discord allows 3 s to defer)."""


class DiscordPlatform:
    name = PLATFORM

    def __init__(
        self,
        client: discord.Client,
        *,
        fetcher: AttachmentFetcher,
        limits: ReplyLimits = DISCORD_LIMITS,
    ) -> None:
        self.limits = limits
        self._client = client
        self._fetcher = fetcher
        self._acks: dict[str, asyncio.Event] = {}
        self.crowds = Crowds(limits.calls_per_window or 5)
        """Questions marked while their channel has more open answers than progress room."""

    def reply_target(self, job: Job) -> ReplyTarget:
        reply_to = reply_to_of(
            job.payload.get("reply_to"), channel=job.channel, event_id=job.event_id
        )
        # Pages recorded before a restart: new pages are numbered after them.
        refs = [str(ref) for ref in job.reply_state.get("refs") or ()]
        if reply_to["kind"] == "interaction":
            interaction_id = reply_to["interaction_id"]
            lang = pick_language(None, str(job.payload.get("locale") or ""))
            return InteractionReply(
                self._client,
                application_id=int(reply_to["application_id"]),
                token=reply_to["token"],
                channel_id=int(reply_to["channel_id"]),
                interaction_id=interaction_id,
                user_id=int(job.user),
                refs=refs,
                notice=t(lang, "answer.continued_here", user="{user}"),
                acknowledged=lambda: self._wait_acknowledged(interaction_id),
            )
        return ChannelReply(
            self._client,
            channel_id=int(reply_to["channel_id"]),
            message_id=int(reply_to["message_id"]),
            crowds=self.crowds,
            posted=len(refs),
        )

    async def download(self, attachment: Attachment) -> bytes:
        return await self._fetcher.fetch(attachment)

    # Interactions are persisted before they are deferred, so a job may start first.

    def acknowledging(self, interaction_id: str) -> None:
        """A deferral is in progress: the job's first follow-up waits for ``acknowledged``."""
        self._acks[interaction_id] = asyncio.Event()

    def acknowledged(self, interaction_id: str) -> None:
        event = self._acks.pop(interaction_id, None)
        if event is not None:
            event.set()

    async def _wait_acknowledged(self, interaction_id: str) -> None:
        event = self._acks.get(interaction_id)
        if event is None:
            return  # deferred already (or before a restart)
        try:
            await asyncio.wait_for(event.wait(), ACK_WAIT)
        except TimeoutError:
            log.warning("interaction %s was not deferred in time", interaction_id)
