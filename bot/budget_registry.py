"""The call budgets of one process, one per place replies go to (a channel, a workspace)."""

from __future__ import annotations

from bot.budget import CallBudget, DeferredHook
from bot.header_budget import HeaderBudget


class BudgetRegistry:
    """The budgets of one process. Several processes on one database share theirs through
    ``bot.shared_budget.SharedBudgetRegistry``, which overrides these methods."""

    def __init__(self, *, on_deferred: DeferredHook | None = None) -> None:
        self._budgets: dict[str, CallBudget] = {}
        self.on_deferred = on_deferred
        """Told of every reply write a budget defers (for metrics); see ``DeferredHook``."""

    def get(
        self, key: str, calls: int | None, window: float, *, headers: bool = False
    ) -> CallBudget:
        """The budget of ``key``; ``headers``: one the platform's answers describe (in this
        process only: such limits are per channel, and a channel is served by one process)."""
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = self._new(key, calls, window, headers=headers)
            budget.on_deferred = self._deferred
        return budget

    def _new(self, key: str, calls: int | None, window: float, *, headers: bool) -> CallBudget:
        if headers:
            return HeaderBudget(calls, window, name=key)
        return CallBudget(calls, window, name=key)

    def observe(self, key: str, *, limit: int, remaining: int, reset_after: float) -> None:
        """The platform's answer to a call under ``key`` told its budget (see ``observe``)."""
        budget = self._budgets.get(key)
        if budget is not None:
            budget.observe(limit=limit, remaining=remaining, reset_after=reset_after)

    def _deferred(self, name: str, kind: str) -> None:
        if self.on_deferred is not None:
            self.on_deferred(name, kind)

    async def join(self, group: str) -> None:
        """This process serves ``group`` (a platform) and spends its per-workspace limits."""

    def members(self, group: str, window: float) -> int:
        """How many processes spend ``group``'s limits: those seen in the last ``window``
        seconds, whose calls a platform may still be counting. Alone: 1."""
        return 1

    async def close(self) -> None:
        """Stop any background work (the shared registry's presence heartbeat)."""
