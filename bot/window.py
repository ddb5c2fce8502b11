"""The one sliding window: at most ``calls`` calls in any ``window`` seconds, counted from a
log of when each call was made. The reply budgets (``bot.budget``) and Slack's optional calls
(``adapters.slack.quota``) count with it; processes sharing a database count the same way in
SQL (``storage.postgres.PostgresRateLedger``)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Share = Callable[[], int]
"""How many processes spend the limit: each may take ``calls // share()``."""


def alone() -> int:
    return 1


class SlidingWindow:
    """``reserved`` calls are kept back for calls promised (a stream's stop, a status's clear)."""

    def __init__(self, calls: int, window: float, share: Share = alone) -> None:
        self.calls = calls
        self.window = window
        self.share = share
        self.reserved = 0
        self._stamps: deque[float] = deque()

    def _live(self, now: float) -> deque[float]:
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        return self._stamps

    def free(self, now: float | None = None) -> int:
        """Calls that may be made now (negative when more were made than allowed now)."""
        used = len(self._live(time.monotonic() if now is None else now))
        return self.calls // max(1, self.share()) - used - self.reserved

    def take(self, now: float | None = None) -> None:
        self._stamps.append(time.monotonic() if now is None else now)

    def room_in(self, calls: int, now: float) -> float | None:
        """Seconds until ``calls`` more of the calls made have left the window; ``None`` if
        fewer than that are in it."""
        live = self._live(now)
        return live[calls - 1] + self.window - now if 0 < calls <= len(live) else None

    def reserve(self) -> None:
        """Keep a call for a closing call to come."""
        self.reserved += 1

    def unreserve(self) -> None:
        """The closing call will not be made after all."""
        self.reserved = max(0, self.reserved - 1)

    def close(self) -> None:
        """The closing call uses its reserved slot."""
        self.unreserve()
        self.take()
