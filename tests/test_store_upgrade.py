"""A database made by an earlier version of the bot opens with today's Store and upgrades.

``tests/fixtures/legacy_schema/`` holds the migration files as they were up to schema
version 7, when each database kind had its own copy (``sqlite/`` and ``postgres/``). Each test
builds a database of version 6 or 7 exactly as that code did (SQLite: the statements, then
``PRAGMA user_version``; PostgreSQL: the statements and a ``schema_version`` row per
migration), fills it with rows, and opens it with today's Store: the rows are all there, the
store works on them, and the upgraded schema is the one a new database gets.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.ports import Store
from storage import store_from_url
from storage.migrations import load_migrations
from storage.postgres import PostgresStore
from storage.records import ChatMessage, NewJob, Profile, ThreadFile, Usage, Viewing
from storage.sqlite import SQLiteStore
from tests.postgres_db import connect, fresh_schema

LEGACY = Path(__file__).parent / "fixtures" / "legacy_schema"
NOW = 1_700_000_000.0

ROWS: list[tuple[str, tuple[Any, ...]]] = [
    (
        "INSERT INTO profiles (platform, workspace, channel, model, instructions, tools,"
        " run_mode, updated_by, updated_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "slack",
            "T1",
            "",
            "gpt-old",
            "Be brief.",
            '["code_interpreter"]',
            "poll",
            "U0",
            NOW,
            "ko",
        ),
    ),
    (
        "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES (?, ?, ?)",
        ("slack", "E1", NOW),
    ),
    (
        "INSERT INTO jobs (platform, workspace, channel, user_id, event_id, thread_key, payload,"
        " status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("slack", "T1", "C1", "U1", "E1", "slack:T1:U1", '{"text": "hi"}', "queued", 0, NOW, NOW),
    ),
    (
        "INSERT INTO threads (platform, workspace, user_id, profile_key, conversation_id,"
        " created_at, last_used_at, vector_store_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ("slack", "T1", "U1", "", "conv_old", NOW, NOW, "vs_old"),
    ),
    (
        "INSERT INTO thread_files (thread_id, file_id, filename, kind, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (1, "file_1", "data.csv", "container", NOW),
    ),
    (
        "INSERT INTO profile_changes (platform, workspace, channel, field, old_value, new_value,"
        " changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ("slack", "T1", "", "model", None, '"gpt-old"', "U0", NOW),
    ),
]


ROWS_SINCE_7: list[tuple[str, tuple[Any, ...]]] = [
    (
        "INSERT INTO people (platform, workspace, user_id, greeted_at, view_channel, view_thread,"
        " view_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("slack", "T1", "U1", NOW, "C9", "171.5", NOW),
    ),
]


@dataclass
class Legacy:
    url: str
    kind: str
    version: int = 0


def rows(version: int) -> list[tuple[str, tuple[Any, ...]]]:
    return ROWS + (ROWS_SINCE_7 if version >= 7 else [])


def statements(sql: str) -> list[str]:
    """How the code of version 6 split a migration file."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1``, ``$2``, …"""
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


def legacy_files(kind: str, version: int) -> list[tuple[int, str, str]]:
    found = sorted((LEGACY / kind).glob("*.sql"))[:version]
    return [(int(f.name[:4]), f.name, f.read_text("utf-8")) for f in found]


def build_sqlite(path: Path, upto: int) -> None:
    with sqlite3.connect(path) as db:
        for version, _, sql in legacy_files("sqlite", upto):
            for statement in statements(sql):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version:d}")
        for sql, params in rows(upto):
            db.execute(sql, params)
    db.close()


async def build_postgres(url: str, upto: int) -> None:
    async with connect(url) as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )
        for version, name, sql in legacy_files("postgres", upto):
            async with conn.transaction():
                for statement in statements(sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version VALUES ($1, $2, $3)", version, name, NOW
                )
        for sql, params in rows(upto):
            await conn.execute(numbered(sql), *params)


@pytest.fixture(params=[("sqlite", 6), ("sqlite", 7), ("postgres", 6), ("postgres", 7)])
async def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Legacy]:
    kind, version = request.param
    if kind == "sqlite":
        build_sqlite(tmp_path / "old.db", version)
        yield Legacy(f"sqlite:///{tmp_path / 'old.db'}", "sqlite", version)
        return
    async with fresh_schema() as url:
        await build_postgres(url, version)
        yield Legacy(url, "postgres", version)


async def schema_of(legacy: Legacy) -> set[tuple[Any, ...]]:
    """Every column (with its type, nullability, default, key) and every index."""
    if legacy.kind == "sqlite":
        path = legacy.url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            tables = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            found = {(t, *col[1:]) for t in tables for col in db.execute(f"PRAGMA table_info({t})")}
            found |= {
                ("index", r[0], r[1])
                for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            }
        db.close()
        return found
    async with connect(legacy.url) as conn:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        indexes = await conn.fetch(
            "SELECT indexname, regexp_replace(indexdef, ' ON [a-z0-9_]+\\.', ' ON ')"
            " FROM pg_indexes WHERE schemaname = current_schema()"
        )
    return {tuple(r) for r in columns} | {("index", *r) for r in indexes}


async def open_store(url: str) -> Store:
    store = store_from_url(url)
    await store.open()
    return store


async def test_an_older_database_opens_with_its_rows(legacy: Legacy) -> None:
    store = await open_store(legacy.url)
    try:
        assert await store.schema_version() == len(load_migrations()) >= 7
        [queued] = await store.jobs(statuses=["queued"])
        assert queued.payload == {"text": "hi"} and queued.thread_key == "slack:T1:U1"
        assert await store.accept(NewJob("slack", "T1", "C1", "U1", "E1", {})) is None
        [claimed] = await store.claim_runnable(5, worker="w", lease=60)
        assert claimed.id == queued.id and claimed.attempts == 1
        profile = await store.get_profile("slack", "T1", "")
        assert profile == Profile(
            "slack",
            "T1",
            "",
            "gpt-old",
            "Be brief.",
            ("code_interpreter",),
            "poll",
            "U0",
            NOW,
            "ko",
        )
        [change] = await store.profile_changes("slack", "T1")
        assert change.new_value == '"gpt-old"' and change.id == 1
        thread = await store.get_thread("slack", "T1", "U1", "")
        assert (
            thread and thread.conversation_id == "conv_old" and thread.vector_store_id == "vs_old"
        )
        assert await store.thread_files(thread.id) == [
            ThreadFile(thread.id, "file_1", "data.csv", "container", NOW)
        ]
        # What later versions added works on the old rows.
        assert await store.idle_threads("slack", "T1", NOW + 1) == [thread]
        assert await store.role_quotas("slack", "T1") == []
        assert await store.remembered_locale("slack", "U1") is None
        assert await store.retention_profiles() == []
        viewing = await store.get_viewing("slack", "T1", "U1")
        if legacy.version >= 7:
            assert viewing == Viewing("C9", "171.5", NOW)
            assert not await store.claim_greeting("slack", "T1", "U1")  # greeted already
        else:
            assert viewing is None and await store.claim_greeting("slack", "T1", "U1")
        # New rows get ids after the old ones, on both kinds of database.
        second = await store.create_thread("slack", "T1", "U2", "", "conv_new")
        assert second.id == thread.id + 1
        run = await store.start_run(claimed.id, second.id, "stream")
        assert run.id == 1
        await store.finish_job(claimed.id, "answered")
        assert (await store.get_job(claimed.id)).status == "answered"  # type: ignore[union-attr]
        # Version 8: a profile's backend, and threads kept by the bot.
        assert profile is not None and profile.model_api is None and profile.base_url is None
        await store.append_chat_messages(
            [ChatMessage("chat_1", {"role": "user", "content": "hi"}, 3)]
        )
        assert [m.message for m in await store.chat_messages("chat_1")] == [
            {"role": "user", "content": "hi"}
        ]
    finally:
        await store.close()


async def test_an_upgraded_database_has_the_schema_of_a_new_one(
    legacy: Legacy, tmp_path: Path
) -> None:
    await (await open_store(legacy.url)).close()
    upgraded = await schema_of(legacy)
    assert {row[:2] for row in upgraded} >= {
        ("role_quotas", "role"),
        ("knowledge_files", "kind"),
        ("person_locales", "locale"),
        ("profiles", "retention_days"),
        ("threads", "deleting_at"),
        ("profiles", "tutor"),
    }
    if legacy.kind == "sqlite":
        fresh = Legacy(f"sqlite:///{tmp_path / 'new.db'}", "sqlite")
        await (await open_store(fresh.url)).close()
        assert await schema_of(fresh) == upgraded
        return
    async with fresh_schema() as url:
        fresh = Legacy(url, "postgres")
        await (await open_store(fresh.url)).close()
        assert await schema_of(fresh) == upgraded


@pytest.fixture(params=["sqlite", "postgres"])
async def version_14(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Legacy]:
    """A database of version 14 (before hosted tool calls were counted), made by today's
    store stopped at that version, with one finished run written as that version did."""
    finished = (
        "UPDATE runs SET status = 'completed', input_tokens = 100, output_tokens = 50,"
        f" finished_at = {NOW + 5}"
    )

    async def fill(url: str) -> None:
        old = (
            SQLiteStore(url.removeprefix("sqlite:///"), target_version=14)
            if url.startswith("sqlite")
            else PostgresStore(url, target_version=14)
        )
        await old.open()
        try:
            assert await old.schema_version() == 14
            job = await old.accept(NewJob("slack", "T1", "C1", "U1", "E1", {"text": "hi"}))
            assert job is not None
            thread = await old.create_thread("slack", "T1", "U1", "", "conv_1")
            await old.start_run(job.id, thread.id, "stream")
        finally:
            await old.close()

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'v14.db'}"
        await fill(url)
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(finished)
        db.close()
        yield Legacy(url, "sqlite", 14)
        return
    async with fresh_schema() as url:
        await fill(url)
        async with connect(url) as conn:
            await conn.execute(finished)
        yield Legacy(url, "postgres", 14)


async def test_runs_of_version_14_count_no_tool_calls_and_new_runs_count_theirs(
    version_14: Legacy,
) -> None:
    store = await open_store(version_14.url)
    try:
        assert await store.schema_version() == len(load_migrations()) >= 15
        [before] = await store.usage_since("slack", "T1", 0)
        assert (before.tokens, before.web_searches, before.images) == (150, 0, 0)
        [job] = await store.jobs()
        thread = await store.get_thread("slack", "T1", "U1", "")
        assert thread is not None
        run = await store.start_run(job.id, thread.id, "stream")
        await store.finish_run(run.id, "completed", Usage(10, 20, web_searches=2, images=1))
        latest = await store.latest_run(job.id)
        assert latest is not None and (latest.web_searches, latest.images) == (2, 1)
        [after] = await store.usage_since("slack", "T1", 0, user="U1")
        assert (after.messages, after.tokens, after.web_searches, after.images) == (1, 180, 2, 1)
        [day] = await store.usage_by_day("slack", "T1", 0)
        assert (day.web_searches, day.images) == (2, 1)
    finally:
        await store.close()
