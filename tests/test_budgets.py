"""The budgets as pure pieces: the header budget follows what the platform says, and a final
text goes out by another route when no edit can go out in time (issue 16)."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.budget_registry import BudgetRegistry
from bot.header_budget import HeaderBudget
from bot.reply import ReplyEditor
from bot.types import ReplyLimits
from tests.test_reply_editor import RecordingTarget, Source


async def test_header_budget_waits_until_the_reset_the_platform_gives() -> None:
    budget = HeaderBudget(5, 10.0)  # its own numbers would wait 10 s
    await budget.acquire(final=True)
    budget.observe(limit=5, remaining=0, reset_after=0.2)
    budget.settled()
    assert 0.15 < (budget.final_wait() or 0.0) <= 0.2
    started = time.monotonic()
    await budget.acquire(final=True)
    waited = time.monotonic() - started
    assert waited >= 0.19  # not before the reset
    assert waited < 5.0  # the header's wait, not a window of its own


async def test_header_budget_counts_calls_the_answer_could_not_include() -> None:
    budget = HeaderBudget(5, 10.0)
    for _ in range(3):
        await budget.acquire(final=True)
    # The first call's answer: 4 left, but the two other calls in flight are not counted in it.
    budget.observe(limit=5, remaining=4, reset_after=1.0)
    budget.settled()
    await budget.acquire(final=True)
    await budget.acquire(final=True)
    assert budget.final_wait() == pytest.approx(1.0, abs=0.1)  # 5 - 2 in flight - 2 = 0 left


async def test_header_budget_grants_every_call_of_the_window_when_answers_interleave() -> None:
    # Replayed from a ten-user bench run that sent only 4 finals in the first window: four
    # finals go at once, three answers come in before any of those calls has settled, and
    # the fifth final asks. Calls answered are in the platform's count already: 1 is left.
    budget = HeaderBudget(5, 5.0)
    for _ in range(4):
        await budget.acquire(final=True)
    budget.observe(limit=5, remaining=4, reset_after=5.0)
    budget.observe(limit=5, remaining=3, reset_after=4.992)
    budget.observe(limit=5, remaining=2, reset_after=4.992)
    assert budget.final_wait() == 0.0
    fifth = asyncio.create_task(budget.acquire(final=True))
    await asyncio.sleep(0)  # allow-sleep: one turn of the loop, no waiting on the clock
    assert fifth.done()
    budget.settled()
    budget.observe(limit=5, remaining=1, reset_after=4.986)  # the fourth call's answer
    budget.settled()
    budget.settled()
    budget.observe(limit=5, remaining=0, reset_after=4.98)  # the fifth call's answer
    budget.settled()
    budget.settled()
    assert (budget.final_wait() or 0.0) > 4.5  # all 5 spent: a sixth waits for the reset


async def test_header_budget_takes_the_newest_count_when_answers_arrive_out_of_order() -> None:
    budget = HeaderBudget(5, 5.0)
    for _ in range(3):
        await budget.acquire(final=True)
    budget.observe(limit=5, remaining=2, reset_after=5.0)  # the third call's: all 3 counted
    budget.observe(limit=5, remaining=3, reset_after=5.0)  # the second's, computed earlier
    budget.observe(limit=5, remaining=4, reset_after=5.0)  # the first's, older still
    await budget.acquire(final=True)
    await budget.acquire(final=True)
    assert (budget.final_wait() or 0.0) > 4.5  # 2 were left, not 4: none now


async def test_header_budget_learns_a_smaller_limit() -> None:
    budget = HeaderBudget(5, 10.0)
    await budget.acquire(final=True)
    budget.observe(limit=2, remaining=1, reset_after=0.3)
    budget.settled()
    await budget.acquire(final=True)
    budget.observe(limit=2, remaining=0, reset_after=0.25)
    budget.settled()
    assert (budget.final_wait() or 0.0) > 0.2


async def test_progress_leaves_the_reserved_calls_to_finals() -> None:
    budget = HeaderBudget(5, 10.0)
    budget.hold()
    budget.hold()
    budget.observe(limit=5, remaining=2, reset_after=5.0)
    progress = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.01)  # allow-sleep: give the progress edit a chance it must not take
    assert not progress.done()
    await budget.acquire(final=True)
    await budget.acquire(final=True)
    progress.cancel()


async def test_a_final_is_rerouted_when_the_edit_budget_is_spent() -> None:
    limits = ReplyLimits(
        max_length=2000, calls_per_window=1, window=60.0, budget_posts=False, final_patience=0.1
    )
    kinds: list[str] = []
    registry = BudgetRegistry()
    registry.on_deferred = lambda name, kind: kinds.append(f"{name} {kind}")
    budget = registry.get("T1", 1, 60.0)
    await budget.acquire(final=True)  # another reply spent the minute
    target, source = RecordingTarget(), Source()
    reposts: list[tuple[str, str]] = []

    async def repost(ref: str, text: str) -> str:
        reposts.append((ref, text))
        return "m9"

    target.repost = repost  # type: ignore[attr-defined]
    editor = ReplyEditor(target, limits, budget, source=source)  # type: ignore[arg-type]
    await editor.start()
    started = time.monotonic()
    await editor.finish("the whole answer")
    assert time.monotonic() - started < 30  # not the minute the budget would take
    assert reposts == [("m1", "the whole answer")]
    assert editor.refs == ["m9"]
    assert kinds == ["T1 rerouted"]  # the hook a metrics counter can use
