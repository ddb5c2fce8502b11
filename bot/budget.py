"""A call budget shared by every reply going to the same place (a channel, a workspace)."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class CallBudget:
    """At most ``calls`` calls in any ``window`` seconds; waiters are served first come, first
    served (``asyncio.Lock`` is FIFO), so concurrent replies share the budget fairly."""

    def __init__(self, calls: int | None, window: float) -> None:
        self.calls = calls
        self.window = window
        self._stamps: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    async def acquire(self) -> None:
        if self.calls is None and self._paused_until == 0.0:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                if self._paused_until > now:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                if self.calls is None:
                    return
                while self._stamps and self._stamps[0] <= now - self.window:
                    self._stamps.popleft()
                if len(self._stamps) < self.calls:
                    self._stamps.append(now)
                    return
                await asyncio.sleep(self._stamps[0] + self.window - now)

    def pause(self, seconds: float) -> None:
        """The platform said 429: nobody sharing this budget calls for ``seconds``."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


class BudgetRegistry:
    def __init__(self) -> None:
        self._budgets: dict[str, CallBudget] = {}

    def get(self, key: str, calls: int | None, window: float) -> CallBudget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = CallBudget(calls, window)
        return budget
