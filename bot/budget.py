"""A call budget shared by every reply going to the same place (a channel, a workspace)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.window import SlidingWindow

log = logging.getLogger(__name__)

DeferredHook = Callable[[str, str], None]
"""Called with (budget name, kind) each time a reply write is deferred by a budget: kind is
``progress`` (a progress edit waits so that finals go first), ``final`` (a final text waits
for the platform's window) or ``rerouted`` (a final text went out by another route)."""


class CallBudget:
    """At most ``calls`` calls in any ``window`` seconds; waiters are served first come, first
    served (``asyncio.Lock`` is FIFO), so concurrent replies share the budget fairly.

    A final update (``acquire(final=True)``) goes before any waiting progress edit, and a
    progress edit leaves one call free for each reply still open (``hold``/``release``): a
    finished answer is shown at once instead of queueing behind other replies' progress.

    Holding progress back, finals waiting, and finals sent by another route (``rerouted``) are
    each logged once per episode, not once per reply: an episode ends when no reply has been
    open for a whole window (the platform has forgotten every call by then)."""

    def __init__(self, calls: int | None, window: float, *, name: str = "") -> None:
        self.calls = calls
        self.window = window
        self.name = name
        self.on_deferred: DeferredHook | None = None
        self._episodes: set[str] = set()
        self._idle_since: float | None = None
        self._log = SlidingWindow(calls or 0, window)
        self._lock = asyncio.Lock()
        self._final_lock = asyncio.Lock()
        self._finals_waiting = 0
        self._held = 0
        self._changed = asyncio.Event()
        self._paused_until = 0.0

    def hold(self) -> None:
        """A reply opened: keep a call in reserve for its final update."""
        idle = self._idle_since
        if self._held == 0 and idle is not None and time.monotonic() - idle >= self.window:
            self._episodes.clear()
        self._idle_since = None
        self._held += 1

    def release(self) -> None:
        self._held = max(0, self._held - 1)
        if self._held == 0:
            self._idle_since = time.monotonic()
        self._notify()

    @property
    def held(self) -> int:
        return self._held

    def deferred(self, kind: str) -> None:
        """Count a deferred write; the first of its kind in a busy period is logged."""
        if self.on_deferred is not None:
            self.on_deferred(self.name, kind)
        if kind in self._episodes:
            return
        self._episodes.add(kind)
        if kind == "progress":
            log.info(
                "budget %s: progress edits wait so the final texts of %d open replies go first",
                self.name or "-",
                self._held,
            )
        elif kind == "rerouted":
            log.info(
                "budget %s is spent: final texts go out as new messages until it recovers",
                self.name or "-",
            )
        else:
            log.info("budget %s is spent: final texts wait for the platform's window", self.name)

    def final_wait(self) -> float | None:
        """Seconds until a final update asked for now could go out (after the finals already
        waiting); None where this process cannot tell (a budget counted elsewhere)."""
        now = time.monotonic()
        paused = max(0.0, self._paused_until - now)
        if self.calls is None:
            return paused
        short = self._finals_waiting - self._log.free(now)
        if short < 0:
            return paused
        room = self._log.room_in(short + 1, now)
        if room is not None:
            return max(paused, room)
        return max(paused, (short // max(self.calls, 1) + 1) * self.window)

    def _notify(self) -> None:
        # A fresh event per change, so no waiter can miss a wake-up between clear and wait.
        self._changed.set()
        self._changed = asyncio.Event()

    async def acquire(self, *, final: bool = False) -> None:
        if self.calls is None and self._paused_until == 0.0:
            return
        if not final:
            async with self._lock:
                await self._take(final=False)
            return
        self._finals_waiting += 1
        try:
            async with self._final_lock:
                await self._take(final=True)
        finally:
            self._finals_waiting -= 1
            self._notify()

    async def _take(self, *, final: bool) -> None:
        """The one waiting loop of every budget: a 429 pause first, then ``_try`` until it
        grants the call, waking on any change here or when ``_try`` says room comes."""
        noted = False
        while True:
            now = time.monotonic()
            if self._paused_until > now:
                await asyncio.sleep(self._paused_until - now)
                continue
            changed = self._changed  # before asking, so no change meanwhile is missed
            taken, wait = await self._try(now, final=final)
            if taken:
                return
            if not noted:
                noted = True
                self.deferred("final" if final else "progress")
            # Not asyncio.wait_for: on Python 3.11 it swallows a cancellation that arrives as
            # the event is set, and a reply editor's abandon() then waits forever.
            try:
                async with asyncio.timeout(wait):
                    await changed.wait()
            except TimeoutError:
                pass

    def _may_take(self, free: int, *, final: bool) -> bool:
        """Finals first: a final takes any free call; a progress edit waits while a final
        waits and leaves a call free for each open reply's final."""
        return free > 0 and (final or (self._finals_waiting == 0 and free > self._held))

    async def _try(self, now: float, *, final: bool) -> tuple[bool, float | None]:
        """Take a call now if the budget allows: (True, _), else (False, seconds until room
        may come, or None to wait for a change here)."""
        if self.calls is None:
            return True, None
        if self._may_take(self._log.free(now), final=final):
            self._log.take(now)
            return True, None
        return False, self._log.room_in(1, now)

    def settled(self) -> None:
        """A call let through by ``acquire`` has its answer (or failed)."""

    def observe(self, *, limit: int, remaining: int, reset_after: float) -> None:
        """What the platform said of its budget (``bot.header_budget``); this budget counts
        its own window instead."""

    def pause(self, seconds: float) -> None:
        """The platform said 429: nobody sharing this budget calls for ``seconds``."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
