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
from dataclasses import dataclass

from bot.window import Share, SlidingWindow, alone

__all__ = ["SlidingWindow", "StatusQuota", "StreamQuota", "WorkspaceQuotas"]

log = logging.getLogger(__name__)

NATIVE_RETRY_AFTER = 600.0  # after Slack refuses a stream, post + update for ten minutes


class StreamQuota:
    """Room for native streams in one workspace: a start now and a stop later."""

    def __init__(self, per_minute: int, window: float = 60.0, share: Share = alone) -> None:
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

    def __init__(self, per_minute: int, window: float = 60.0, share: Share = alone) -> None:
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
