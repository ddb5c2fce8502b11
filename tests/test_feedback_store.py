"""Ratings in the Store, on SQLite and PostgreSQL: one row per person per answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.ports import Store
from storage.migrations import load_migrations
from storage.postgres import PostgresStore
from storage.records import Feedback, McpServer, NewJob
from storage.sqlite import SQLiteStore
from tests.postgres_db import fresh_schema


async def test_a_second_click_changes_the_rating_and_counts_go_per_profile(store: Store) -> None:
    job = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-1", {"text": "hi"}))
    other = await store.accept(NewJob("slack", "T1", "C2", "U2", "ev-2", {"text": "yo"}))
    assert job is not None and other is not None
    first = await store.save_feedback(
        Feedback("slack", "T1", "C1", job_id=job.id, user="U1", rating="up", response_id="resp_1")
    )
    assert (first.rating, first.profile, first.response_id) == ("up", "", "resp_1")
    assert first.created_at == first.updated_at > 0
    changed = await store.save_feedback(
        Feedback(
            "slack",
            "T1",
            "C1",
            job_id=job.id,
            user="U1",
            rating="down",
            updated_at=first.updated_at + 5,
        )
    )
    assert changed.rating == "down" and changed.created_at == first.created_at
    assert changed.response_id == "resp_1"  # the answer it rates stays the same
    await store.save_feedback(
        Feedback("slack", "T1", "C2", job_id=other.id, user="U2", rating="up", profile="C2")
    )
    await store.save_feedback(
        Feedback("slack", "T9", "C2", job_id=other.id + 100, user="U2", rating="up")
    )
    counts = await store.feedback_counts("slack", "T1", time.time() - 60)
    assert [(c.profile, c.up, c.down) for c in counts] == [("", 0, 1), ("C2", 1, 0)]
    assert await store.feedback_counts("slack", "T1", time.time() + 60) == []
    assert await store.get_feedback(job.id, "U2") is None

    await store.forget_person("slack", "U1")
    assert await store.get_feedback(job.id, "U1") is None
    assert await store.get_feedback(other.id, "U2") is not None


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_version_14_database_upgrades_to_ratings_and_mcp(kind: str, tmp_path: Path) -> None:
    """A database from before ratings and MCP (schema 14) opens with its jobs and uses both."""

    async def upgrade(make: Callable[[int | None], Store]) -> None:
        old = make(14)
        await old.open()
        assert await old.schema_version() == 14
        job = await old.accept(NewJob("slack", "T1", "C1", "U1", "ev-old", {"text": "hi"}))
        await old.close()
        new = make(None)
        await new.open()
        try:
            assert await new.schema_version() == len(load_migrations()) >= 17
            assert job is not None and await new.get_job(job.id) is not None
            saved = await new.save_feedback(
                Feedback("slack", "T1", "C1", job_id=job.id, user="U1", rating="up")
            )
            assert saved.rating == "up"
            await new.save_mcp_server(McpServer("slack", "T1", "", label="d", url="https://d"))
            assert [s.label for s in await new.mcp_servers("slack", "T1", [""])] == ["d"]
        finally:
            await new.close()

    if kind == "sqlite":
        path = str(tmp_path / "old.db")
        await upgrade(lambda version: SQLiteStore(path, target_version=version))
        return
    async with fresh_schema() as url:
        await upgrade(lambda version: PostgresStore(url, target_version=version))
