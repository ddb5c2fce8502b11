"""A call budget the platform states itself: every answer carries how many calls are left in
the current window and when that window resets (Discord's ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset-After``). No margin of our own: calls go while the platform says some
are left, and the next one waits exactly until it says the window resets."""

from __future__ import annotations

import asyncio
import time

from bot.budget import CallBudget


class HeaderBudget(CallBudget):
    """Finals first and a call kept for each open reply's final, as in ``CallBudget``; the
    count comes from the platform. ``calls``/``window`` are used only until its first answer
    (and as the provisional end of a window the platform has not described yet)."""

    def __init__(self, calls: int | None, window: float, *, name: str = "") -> None:
        super().__init__(calls, window, name=name)
        self._limit = calls or 1
        self._remaining = self._limit
        self._reset_at = 0.0
        self._outgoing = 0
        """Calls let through and not yet settled (their answers not all seen)."""

    def settled(self) -> None:
        self._outgoing = max(0, self._outgoing - 1)

    def observe(self, *, limit: int, remaining: int, reset_after: float) -> None:
        """An answer said: ``remaining`` of ``limit`` calls are left, for ``reset_after``
        seconds. The other calls let through and not settled may not be in that count yet:
        they are taken off it (if the platform had seen them, they are counted twice, the safe
        side). The answer itself is taken for one of ours, still unsettled."""
        self._limit = max(1, limit)
        self._remaining = max(0, remaining - max(0, self._outgoing - 1))
        self._reset_at = time.monotonic() + max(0.0, reset_after)
        self._notify()

    def _free(self, now: float) -> int:
        return self._limit if now >= self._reset_at else self._remaining

    def final_wait(self) -> float | None:
        now = time.monotonic()
        paused = max(0.0, self._paused_until - now)
        if self._free(now) > self._finals_waiting:
            return paused
        return max(paused, self._reset_at - now)

    async def _take(self, *, final: bool) -> None:
        noted = False
        while True:
            now = time.monotonic()
            if self._paused_until > now:
                await asyncio.sleep(self._paused_until - now)
                continue
            free = self._free(now)
            if free > 0 and (final or (self._finals_waiting == 0 and free > self._held)):
                if now >= self._reset_at:  # a new window opens with this call
                    self._remaining, self._reset_at = self._limit, now + self.window
                self._remaining -= 1
                self._outgoing += 1
                return
            if not noted:
                noted = True
                self.deferred("final" if final else "progress")
            changed = self._changed
            expiry = self._reset_at - now if self._reset_at > now else None
            try:
                async with asyncio.timeout(expiry):
                    await changed.wait()
            except TimeoutError:
                pass
