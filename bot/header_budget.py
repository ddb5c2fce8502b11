"""A call budget the platform states itself: every answer carries how many calls are left in
the current window and when that window resets (Discord's ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset-After``). No margin of our own: calls go while the platform says some
are left, and the next one waits exactly until it says the window resets."""

from __future__ import annotations

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
        """Calls let through and not yet settled."""
        self._answered = 0
        """Of those, the calls whose answer has been seen: the platform has counted them."""
        self._floor: int | None = None
        """The lowest ``remaining`` an answer gave for the current window (None: the window
        is our own guess, no answer has described it yet)."""

    @property
    def _unanswered(self) -> int:
        return max(0, self._outgoing - self._answered)

    def settled(self) -> None:
        # Which call settled is not known: if it had no answer (failed), counting it as
        # answered leaves one call too many unanswered, the safe side.
        self._outgoing = max(0, self._outgoing - 1)
        self._answered = min(max(0, self._answered - 1), self._outgoing)

    def observe(self, *, limit: int, remaining: int, reset_after: float) -> None:
        """An answer said: ``remaining`` of ``limit`` calls are left, for ``reset_after``
        seconds. The answer is taken for one of our calls let through. Only our calls still
        without an answer may be missing from that count, and they are taken off it (if the
        platform had counted them, they are counted twice, the safe side, until their own
        answers come in). Calls answered and not yet settled are in the count already:
        taking them off as well left a write of the window unused while finals waited.
        Answers can arrive out of order: within a window the platform's count only falls, so
        the lowest ``remaining`` seen is the newest count, and every call answered so far is
        in it."""
        now = time.monotonic()
        reset_at = now + max(0.0, reset_after)
        described = self._floor is not None and now < self._reset_at
        others = max(0, self._unanswered - 1)
        self._answered = min(self._answered + 1, self._outgoing)
        self._limit = max(1, limit)
        if described and reset_at < self._reset_at - self.window / 2:
            return  # from the window before the one an answer already described
        if (
            described
            and self._floor is not None
            and abs(reset_at - self._reset_at) < self.window / 2
        ):
            remaining = min(remaining, self._floor)  # the newest count of this window
        self._floor = remaining
        self._remaining = max(0, remaining - others)
        self._reset_at = reset_at
        self._notify()

    def _free(self, now: float) -> int:
        if now >= self._reset_at:  # a new window: only calls still unanswered may be in it
            return max(0, self._limit - self._unanswered)
        return self._remaining

    def final_wait(self) -> float | None:
        now = time.monotonic()
        paused = max(0.0, self._paused_until - now)
        if self._free(now) > self._finals_waiting:
            return paused
        return max(paused, self._reset_at - now)

    async def _try(self, now: float, *, final: bool) -> tuple[bool, float | None]:
        free = self._free(now)
        if self._may_take(free, final=final):
            if now >= self._reset_at:  # a new window opens with this call
                self._remaining, self._reset_at = free, now + self.window
                self._floor = None
            self._remaining -= 1
            self._outgoing += 1
            return True, None
        return False, (self._reset_at - now if self._reset_at > now else None)
