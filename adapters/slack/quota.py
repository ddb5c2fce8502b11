"""Admission for optional Slack calls: answer "yes" or "not now", never wait.

The reply editor's shared budget (``bot.budget``) paces the calls an answer cannot do without
(posting and editing its text). Two Slack extras are optional and have tiers of their own:
native streaming (``chat.startStream``/``chat.stopStream``, Tier 2) and the assistant status
(``assistant.threads.setStatus``). For those the adapter only asks "is there room?": without
room a reply falls back to ``chat.postMessage`` + ``chat.update``, and a status is skipped.
Every opened stream or shown status keeps a call in reserve for its closing call, so a stream
can always be stopped and a status always cleared without a 429.

Several processes on one database split each limit: ``share()`` is how many processes spend
it (``BudgetRegistry.members``), and each admits ``calls // share()`` per window.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Share = Callable[[], int]
NATIVE_RETRY_AFTER = 600.0  # after Slack refuses a stream, post + update for ten minutes


def _alone() -> int:
    return 1


class SlidingWindow:
    """At most ``calls`` calls in any ``window`` seconds, with calls reserved for closers."""

    def __init__(self, calls: int, window: float, share: Share = _alone) -> None:
        self.calls = calls
        self.window = window
        self.share = share
        self.reserved = 0
        self._stamps: deque[float] = deque()

    def free(self) -> int:
        now = time.monotonic()
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        return self.calls // max(1, self.share()) - len(self._stamps) - self.reserved

    def take(self) -> None:
        self._stamps.append(time.monotonic())

    def reserve(self) -> None:
        """Keep a call for a closing call to come."""
        self.reserved += 1

    def unreserve(self) -> None:
        """The closing call will not be made after all."""
        self.reserved = max(0, self.reserved - 1)

    def close(self) -> None:
        """The closing call uses its reserved slot."""
        self.reserved = max(0, self.reserved - 1)
        self._stamps.append(time.monotonic())


class StreamQuota:
    """Room for native streams in one workspace: a start now and a stop later."""

    def __init__(self, per_minute: int, window: float = 60.0, share: Share = _alone) -> None:
        self.starts = SlidingWindow(per_minute, window, share)
        self.stops = SlidingWindow(per_minute, window, share)

    def try_open(self) -> bool:
        if self.starts.free() > 0 and self.stops.free() > 0:
            self.starts.take()
            self.stops.reserve()
            return True
        return False

    def closed(self) -> None:
        self.stops.close()

    def cancel(self) -> None:
        """An admitted stream that will not be stopped (it never started, or ended early)."""
        self.stops.unreserve()


class StatusQuota:
    """Room for assistant statuses in one workspace; clearing a shown status is always allowed."""

    def __init__(self, per_minute: int, window: float = 60.0, share: Share = _alone) -> None:
        self.window = SlidingWindow(per_minute, window, share)

    def try_show(self, *, shown: bool) -> bool:
        """A new status text; ``shown`` if one is already up (its clear is reserved already).
        A first status needs room for itself and for its clear."""
        if self.window.free() < (1 if shown else 2):
            return False
        self.window.take()
        if not shown:
            self.window.reserve()
        return True

    def cleared(self) -> None:
        self.window.close()

    def cancel(self) -> None:
        """A status that was not shown after all: no clear will follow."""
        self.window.unreserve()


@dataclass
class WorkspaceQuotas:
    """One workspace's room for the optional calls, and whether Slack lets it stream."""

    workspace: str
    streams: StreamQuota
    statuses: StatusQuota
    native_off_until: float = 0.0

    def native_allowed(self) -> bool:
        return time.monotonic() >= self.native_off_until

    def native_failed(self, reason: str) -> None:
        """Slack refused a native stream here: post and edit instead for a while."""
        if self.native_allowed():  # once per episode
            log.info(
                "Slack refused native streaming in %s (%s); posting and editing instead for %d s",
                self.workspace,
                reason,
                NATIVE_RETRY_AFTER,
            )
        self.native_off_until = time.monotonic() + NATIVE_RETRY_AFTER
