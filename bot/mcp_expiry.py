"""The clock of MCP approvals: a request nobody answered in time (``MCP_APPROVAL_TIMEOUT``)
expires, and its prompt says so in place of its buttons. Every process on a database runs
one; marking requests expired is one statement, so each prompt is edited once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.i18n import t
from bot.language import Languages
from bot.ports import Inbox, McpTools
from bot.types import InboundMessage, Platform
from storage.records import McpApproval

log = logging.getLogger(__name__)

MAX_NAP = 5.0
"""Seconds between looks at the database when nothing here is due sooner (requests recorded
by other processes are seen within this)."""


class ExpiryStore(Inbox, McpTools, Protocol):
    pass


class ApprovalExpiry:
    def __init__(
        self,
        store: ExpiryStore,
        platforms: Mapping[str, Platform],
        languages: Languages,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._platforms = platforms
        self._languages = languages
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A request was recorded here: look again when it is due."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            nap = MAX_NAP
            try:
                await self.expire_due()
                due = await self._store.next_approval_expiry(list(self._platforms))
                if due is not None:
                    nap = min(max(due - self._clock(), 0.01), MAX_NAP)
            except Exception:
                log.exception("expiring MCP approvals failed; trying again")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(nap):
                    await self._wake.wait()

    async def expire_due(self) -> None:
        expired = await self._store.expire_approvals(self._clock(), list(self._platforms))
        prompts: dict[str, McpApproval] = {}
        for approval in expired:
            prompts.setdefault(approval.answers, approval)
        for approval in prompts.values():
            try:
                await self._show_expired(approval)
            except Exception as exc:
                log.warning("approval %s expired; its prompt not edited (%s)", approval.id, exc)

    async def _show_expired(self, approval: McpApproval) -> None:
        job = await self._store.get_job(approval.job_id)
        refs = job.reply_state.get("refs") if job is not None else None
        platform = self._platforms.get(approval.platform)
        if platform is None:
            # Only this process's platforms are expired here: a sign of a miswired process.
            log.warning(
                "MCP approval %s expired but %s is not answered here: its prompt keeps its buttons",
                approval.answers,
                approval.platform,
            )
            return
        if job is None or not refs:
            return
        lang = await self._languages.language_of(InboundMessage.from_payload(job.payload))
        target = platform.reply_target(job)
        target.set_buttons(None)  # the buttons go
        await target.edit(str(refs[-1]), f"{approval.prompt}\n\n{t(lang, 'mcp.expired')}")
        log.info("MCP approval %s expired unanswered (job %d)", approval.answers, job.id)
