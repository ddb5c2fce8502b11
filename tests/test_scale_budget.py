"""Budgets shared by several processes through PostgreSQL (``bot/shared_budget.py``): each
registry here stands for one process, with its own connection pool and worker id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from adapters.slack.quota import StatusQuota, StreamQuota
from bot.budget import CallBudget
from bot.budget_registry import BudgetRegistry
from bot.shared_budget import SharedBudgetRegistry, SharedCallBudget, budgets_for
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore
from tests.postgres_db import connect, fresh_schema


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_schema() as url:
        yield url


@pytest.fixture
async def processes(database: str) -> AsyncIterator[Callable[[int], object]]:
    stores: list[PostgresStore] = []
    registries: list[SharedBudgetRegistry] = []

    async def open_registries(n: int) -> list[SharedBudgetRegistry]:
        for index in range(n):
            store = PostgresStore.from_url(database)
            await store.open()
            stores.append(store)
            assert store.rate_ledger is not None
            registry = SharedBudgetRegistry(store.rate_ledger, f"host:{index}:w")
            registries.append(registry)
        return registries[-n:]

    yield open_registries
    for registry in registries:
        await registry.close()
    for store in stores:
        await store.close()


def most_in_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_three_processes_together_stay_within_one_budget(processes: object) -> None:
    registries = await processes(3)  # type: ignore[operator]
    calls, window = 10, 0.5
    granted: list[float] = []

    async def reply(budget: CallBudget) -> None:
        budget.hold()
        await budget.acquire()  # a progress edit
        granted.append(time.monotonic())
        budget.release()
        await budget.acquire(final=True)
        granted.append(time.monotonic())

    budgets = [r.get("T1", calls, window) for r in registries]
    assert all(isinstance(b, SharedCallBudget) for b in budgets)
    await asyncio.gather(*(reply(b) for b in budgets for _ in range(6)))
    assert len(granted) == 36
    # Granted after the row is written: a few ms late, never early.
    assert most_in_window(granted, window - 0.05) <= calls
    assert most_in_window(granted, 3 * window) > calls  # they did queue for the budget


async def test_a_lone_process_gets_the_whole_budget(processes: object) -> None:
    busy, *idle = await processes(3)  # type: ignore[operator]
    window = 1.0
    started = time.monotonic()
    budget = busy.get("T2", 10, window)
    for _ in range(10):  # all ten at once, not a third of them
        await budget.acquire(final=True)
    assert time.monotonic() - started < window / 2
    await idle[0].get("T2", 10, window).acquire(final=True)
    assert time.monotonic() - started >= window * 0.9, "the eleventh waited, in another process"


async def test_progress_edits_leave_the_last_calls_to_finals(processes: object) -> None:
    (registry,) = await processes(1)  # type: ignore[operator]
    budget = registry.get("T3", 3, 60.0)
    for _ in range(3):
        budget.hold()  # three replies open
    progress = asyncio.create_task(budget.acquire())
    for _ in range(3):
        await budget.acquire(final=True)
    assert not progress.done()
    progress.cancel()
    await asyncio.gather(progress, return_exceptions=True)


async def test_processes_count_each_other_until_their_calls_left_the_window(
    processes: object, database: str
) -> None:
    first, second = await processes(2)  # type: ignore[operator]
    assert first.members("slack", 61.0) == 1
    await first.join("slack")
    await second.join("slack")
    await first.join("discord")  # another platform's processes are not counted
    await first.join("slack")  # a check-in (the heartbeat's) sees the other
    assert first.members("slack", 61.0) == second.members("slack", 61.0) == 2
    assert first.members("discord", 61.0) == 1
    async with connect(database) as conn:  # the second stopped 30 s ago
        await conn.execute(
            "UPDATE bot_processes SET seen_at = seen_at - 30 WHERE worker = $1", "host:1:w"
        )
    await first.join("slack")
    assert first.members("slack", 61.0) == 2, "its calls of the last minute still count"
    assert first.members("slack", 10.0) == 1


async def test_a_single_process_store_keeps_budgets_in_memory(
    tmp_path: Path, database: str
) -> None:
    sqlite = SQLiteStore(str(tmp_path / "bot.db"))
    await sqlite.open()
    postgres = PostgresStore.from_url(database)
    await postgres.open()
    try:
        assert type(budgets_for(sqlite, "w")) is BudgetRegistry
        assert type(budgets_for(postgres, "w")) is SharedBudgetRegistry
        async with connect(database) as conn:
            assert await conn.fetchval("SELECT count(*) FROM rate_calls") == 0
    finally:
        await sqlite.close()
        await postgres.close()


class _DownLedger:
    async def take(self, key: str, limit: int, window: float) -> float:
        raise ConnectionError("database unreachable")

    async def check_in(self, platform: str, worker: str) -> dict[str, float]:
        raise ConnectionError("database unreachable")


async def test_without_the_database_a_budget_counts_its_own_calls() -> None:
    window = 0.5
    budget = SharedBudgetRegistry(_DownLedger(), "w").get("T4", 2, window)
    started = time.monotonic()
    for _ in range(3):
        await budget.acquire(final=True)
    assert time.monotonic() - started >= window * 0.9, "the third waited for the first"


def test_slack_quotas_take_a_share_of_the_tier() -> None:
    processes = 3
    streams = StreamQuota(20, 60.0, share=lambda: processes)
    assert sum(streams.try_open() for _ in range(10)) == 6  # 20 // 3
    statuses = StatusQuota(40, 60.0, share=lambda: processes)
    assert sum(statuses.try_show(shown=False) for _ in range(20)) == 6  # 13, each with its clear
    processes = 1
    assert streams.try_open(), "a process left: the share grows"
