"""Budgets shared by several bot processes on one database (PostgreSQL).

A platform's limits are per workspace or per channel, not per process: three processes that
each allowed themselves Slack's 50 ``chat.update`` calls a minute would make 150, and Slack
would answer 429. Two mechanisms share them:

* **Edit budgets** (``CallBudget``) are counted in the database: every call a budget lets
  through is a row in a sliding-window log, written under a per-budget lock, so the calls of
  all processes together stay within the limit wherever the load falls, and a lone answer
  still gets the whole budget. Inside a process a budget keeps its order as before: finals
  first, and progress edits leave a call free for each of this process's open replies.
* **Admission quotas** that must answer at once, without waiting (Slack's native streams and
  assistant statuses: "is there room?"), take a share: each of N processes admits 1/N of the
  limit. N counts the processes that checked in for the platform within the limit's window
  (a process that stopped is counted until the calls it made have left the window). A process
  that starts is counted by the others within ``beat`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.budget import CallBudget, DeferredHook
from bot.budget_registry import BudgetRegistry
from bot.ports import RateLedger, SharedLimits

log = logging.getLogger(__name__)

BEAT = 2.0
"""Seconds between a process's check-ins (and its refresh of who else is there)."""
HEADER_WINDOW_MARGIN = 1.1
"""A budget the platform states in headers, counted in the database: its window, stretched."""
LEDGER_TIMEOUT = 5.0
"""Seconds a budget waits for the database before counting this process's calls alone."""


class SharedCallBudget(CallBudget):
    """A ``CallBudget`` whose calls are counted in the database across processes."""

    def __init__(self, key: str, calls: int, window: float, ledger: RateLedger) -> None:
        super().__init__(calls, window, name=key)
        self.key = key
        self._ledger = ledger
        self._ledger_down = False

    def final_wait(self) -> float | None:
        """Unknown here (other processes spend the same budget): the editor waits its patience."""
        return None

    async def _try(self, now: float, *, final: bool) -> tuple[bool, float | None]:
        if self.calls is None:
            return True, None
        # A progress edit waits while a final is waiting, and leaves a call free for each
        # open reply of this process (the last calls are for finals).
        limit = self.calls if final else self.calls - self._held
        if not (final or self._finals_waiting == 0) or limit <= 0:
            return False, None  # until something changes here
        try:
            async with asyncio.timeout(LEDGER_TIMEOUT):
                wait = await self._ledger.take(self.key, limit, self.window)
        except Exception:
            if not self._ledger_down:
                self._ledger_down = True
                log.warning(
                    "budget %s: the database is unreachable; counting this "
                    "process's calls alone until it is back",
                    self.key,
                    exc_info=True,
                )
            return await super()._try(now, final=final)
        if self._ledger_down:
            self._ledger_down = False
            log.info("budget %s: counted in the database again", self.key)
        return wait <= 0, wait


class SharedBudgetRegistry(BudgetRegistry):
    """Budgets counted in the database, and the processes that spend each platform's limits."""

    def __init__(
        self,
        ledger: RateLedger,
        worker: str,
        *,
        beat: float = BEAT,
        on_deferred: DeferredHook | None = None,
    ) -> None:
        super().__init__(on_deferred=on_deferred)
        self.beat = beat
        self._ledger = ledger
        self._worker = worker
        self._seen: dict[str, dict[str, float]] = {}
        """platform → worker → seconds since it was seen, as of the last check-in."""
        self._live: dict[str, int] = {}
        self._beater: asyncio.Task[None] | None = None

    def _new(self, key: str, calls: int | None, window: float, *, headers: bool) -> CallBudget:
        if calls is None:
            return super()._new(key, calls, window, headers=headers)
        if headers:
            # Copies answering in one channel would each learn the others' calls only from
            # their next answer's headers: count in the database instead, over a window 10%
            # longer (ours starts when a call is let through, the platform's when it arrives).
            window *= HEADER_WINDOW_MARGIN
        return SharedCallBudget(key, calls, window, self._ledger)

    async def join(self, group: str) -> None:
        self._seen.setdefault(group, {})
        await self._check_in(group)
        if self._beater is None:
            self._beater = asyncio.create_task(self._beat(), name="budget-presence")

    def members(self, group: str, window: float) -> int:
        """Processes seen within ``window`` plus a beat (one that stopped may have called until
        its next check-in was due). Counted as of the last check-in: if check-ins fail, the
        count stays as it was rather than shrink and let this process take more."""
        seen = self._seen.get(group)
        if not seen:
            return 1
        return max(1, sum(1 for age in seen.values() if age < window + self.beat))

    async def close(self) -> None:
        if self._beater is not None:
            self._beater.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beater
            self._beater = None

    async def _check_in(self, group: str) -> None:
        seen = await self._ledger.check_in(group, self._worker)
        self._seen[group] = seen
        live = sum(1 for age in seen.values() if age < 3 * self.beat)
        if live != self._live.get(group):
            self._live[group] = live
            log.info("%d processes on this database serve %s", live, group)

    async def _beat(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self.beat)
            try:
                for group in list(self._seen):
                    await self._check_in(group)
                failing = False
            except Exception:
                if not failing:
                    log.warning("could not check in with the database; trying again", exc_info=True)
                failing = True


def budgets_for(
    store: SharedLimits, worker: str, *, on_deferred: DeferredHook | None = None
) -> BudgetRegistry:
    """Shared budgets when the store counts rate limits for several processes (PostgreSQL),
    else in memory."""
    ledger = store.rate_ledger
    if ledger is None:
        return BudgetRegistry(on_deferred=on_deferred)
    return SharedBudgetRegistry(ledger, worker, on_deferred=on_deferred)
