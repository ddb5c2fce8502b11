"""One test class for every Store implementation (parametrised by the ``store`` fixture)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.ports import Store
from storage.migrations import load_migrations
from storage.postgres import PostgresDialect, numbered
from storage.records import (
    ChatMessage,
    KnowledgeFile,
    NewJob,
    Profile,
    ProfileChange,
    Quota,
    RoleQuota,
    ThreadFile,
    Usage,
    Viewing,
)
from storage.sqlite import SQLiteDialect, SQLiteStore, sqlite_path

W = "worker-a"


def job(event_id: str, user: str = "u1", text: str = "hi") -> NewJob:
    return NewJob("slack", "T1", "C1", user, event_id, {"text": text})


class TestStore:
    async def test_schema_is_at_latest_version(self, store: Store) -> None:
        assert await store.schema_version() == len(load_migrations())

    async def test_accept_is_idempotent_on_event_id(self, store: Store) -> None:
        first = await store.accept(job("E1"))
        assert first is not None and first.status == "queued"
        assert first.payload == {"text": "hi"}
        assert await store.accept(job("E1", text="retried delivery")) is None
        assert len(await store.jobs()) == 1
        other_platform = NewJob("discord", "T1", "C1", "u1", "E1", {})
        assert await store.accept(other_platform) is not None

    async def test_remember_event_and_purge(self, store: Store) -> None:
        assert await store.remember_event("slack", "Ev9")
        assert not await store.remember_event("slack", "Ev9")
        assert await store.purge_events(older_than=float("inf")) == 1
        assert await store.remember_event("slack", "Ev9")

    async def test_claim_runs_one_job_per_thread_in_order(self, store: Store) -> None:
        a1 = await store.accept(job("A1", user="alice"))
        a2 = await store.accept(job("A2", user="alice"))
        b1 = await store.accept(job("B1", user="bob"))
        assert a1 and a2 and b1
        claimed = await store.claim_runnable(10, worker=W, lease=60)
        assert [j.id for j in claimed] == [a1.id, b1.id]
        assert all(j.status == "running" and j.attempts == 1 for j in claimed)
        assert await store.claim_runnable(10, worker=W, lease=60) == []
        await store.finish_job(a1.id, "answered")
        assert [j.id for j in await store.claim_runnable(10, worker=W, lease=60)] == [a2.id]

    async def test_claim_takes_only_the_platforms_asked_for(self, store: Store) -> None:
        slack = await store.accept(job("S1", user="alice"))
        discord = await store.accept(NewJob("discord", "G1", "C1", "bob", "D1", {}))
        assert slack and discord
        assert await store.claim_runnable(10, worker=W, lease=60, platforms=()) == []
        claimed = await store.claim_runnable(10, worker=W, lease=60, platforms=["discord"])
        assert [j.id for j in claimed] == [discord.id]
        claimed = await store.claim_runnable(10, worker=W, lease=60, platforms=["slack", "x"])
        assert [j.id for j in claimed] == [slack.id]

    async def test_claim_respects_limit(self, store: Store) -> None:
        for n in range(5):
            await store.accept(job(f"E{n}", user=f"user{n}"))
        assert len(await store.claim_runnable(2, worker=W, lease=60)) == 2
        assert len(await store.claim_runnable(10, worker=W, lease=60)) == 3

    async def test_requeued_job_waits_for_running_one(self, store: Store) -> None:
        first = await store.accept(job("E1"))
        second = await store.accept(job("E2"))
        assert first and second
        await store.claim_runnable(1, worker=W, lease=60)
        await store.finish_job(first.id, "failed", "model error")
        [running] = await store.claim_runnable(5, worker=W, lease=60)
        assert running.id == second.id
        await store.requeue_job(first.id)
        assert await store.claim_runnable(5, worker=W, lease=60) == []
        await store.finish_job(second.id, "answered")
        [again] = await store.claim_runnable(5, worker=W, lease=60)
        assert again.id == first.id and again.attempts == 2 and again.error is None

    async def test_reply_state_round_trip(self, store: Store) -> None:
        accepted = await store.accept(job("E1"))
        assert accepted
        await store.save_reply_state(accepted.id, {"refs": ["1700.01", "1700.02"]})
        loaded = await store.get_job(accepted.id)
        assert loaded and loaded.reply_state == {"refs": ["1700.01", "1700.02"]}

    async def test_replies_left_open_are_found_by_job_status(self, store: Store) -> None:
        streaming, finished, closed = [await store.accept(job(e, user=e)) for e in "ABC"]
        assert streaming and finished and closed
        await store.save_reply_state(streaming.id, {"refs": ["1.1"], "open": ["1.1"]})
        await store.save_reply_state(finished.id, {"refs": ["2.1", "2.2"], "open": ["2.2"]})
        await store.save_reply_state(closed.id, {"refs": ["3.1"], "open": ["3.1"]})
        await store.finish_job(finished.id, "answered")
        await store.finish_job(closed.id, "failed")
        await store.save_reply_state(closed.id, {"refs": ["3.1"], "open": []})
        left = await store.jobs_with_open_replies(["answered", "failed"])
        assert [(j.id, j.reply_state["open"]) for j in left] == [(finished.id, ["2.2"])]
        assert [j.id for j in await store.jobs_with_open_replies(["queued"])] == [streaming.id]

    async def test_bot_threads_are_remembered_for_everyone(self, store: Store) -> None:
        assert not await store.is_bot_thread("slack", "C1", "1700.01")
        await store.remember_bot_thread("slack", "C1", "1700.01")
        await store.remember_bot_thread("slack", "C1", "1700.01")
        assert await store.is_bot_thread("slack", "C1", "1700.01")
        assert not await store.is_bot_thread("slack", "C2", "1700.01")
        assert not await store.is_bot_thread("discord", "C1", "1700.01")

    async def test_profiles_workspace_and_channel(self, store: Store) -> None:
        assert await store.get_profile("slack", "T1", "") is None
        await store.save_profile(
            Profile("slack", "T1", "", model="m1", tools=("code_interpreter",))
        )
        await store.save_profile(Profile("slack", "T1", "C9", instructions="Be a math tutor."))
        workspace = await store.get_profile("slack", "T1", "")
        channel = await store.get_profile("slack", "T1", "C9")
        assert workspace and workspace.model == "m1" and workspace.tools == ("code_interpreter",)
        assert channel and channel.instructions == "Be a math tutor." and channel.model is None
        await store.save_profile(Profile("slack", "T1", "", model="m2", tools=()))
        updated = await store.get_profile("slack", "T1", "")
        assert updated and updated.model == "m2" and updated.tools == ()

    async def test_profile_backend_fields(self, store: Store) -> None:
        await store.save_profile(
            Profile(
                "slack", "T1", "C2", model_api="chat_completions", base_url="http://llm:11434/v1"
            )
        )
        saved = await store.get_profile("slack", "T1", "C2")
        assert saved and saved.model_api == "chat_completions"
        assert saved.base_url == "http://llm:11434/v1" and saved.model is None
        await store.save_profile(Profile("slack", "T1", "C2", model_api=None, base_url=None))
        cleared = await store.get_profile("slack", "T1", "C2")
        assert cleared and cleared.model_api is None and cleared.base_url is None

    async def test_chat_history_keeps_order_per_conversation(self, store: Store) -> None:
        assert await store.chat_messages("chat_a") == []
        await store.append_chat_messages(
            [
                ChatMessage("chat_a", {"role": "user", "content": "2+2? 한국어"}, 5),
                ChatMessage("chat_a", {"role": "assistant", "content": "4"}, 2),
            ]
        )
        await store.append_chat_messages(
            [ChatMessage("chat_b", {"role": "user", "content": "x"}, 1)]
        )
        await store.append_chat_messages(
            [ChatMessage("chat_a", {"role": "user", "content": "and 3+3?"}, 4)]
        )
        kept = await store.chat_messages("chat_a")
        assert [m.message["content"] for m in kept] == ["2+2? 한국어", "4", "and 3+3?"]
        assert [m.tokens for m in kept] == [5, 2, 4]
        assert kept[0].id < kept[1].id < kept[2].id and kept[0].created_at > 0
        assert [m.message["content"] for m in await store.chat_messages("chat_b")] == ["x"]

    async def test_threads_reset_and_files(self, store: Store) -> None:
        assert await store.get_thread("slack", "T1", "u1", "") is None
        thread = await store.create_thread("slack", "T1", "u1", "", "conv_1")
        found = await store.get_thread("slack", "T1", "u1", "")
        assert found == thread
        await store.add_thread_file(ThreadFile(thread.id, "file-1", "mydata.csv", "container"))
        await store.add_thread_file(ThreadFile(thread.id, "file-1", "mydata.csv", "container"))
        await store.add_thread_file(ThreadFile(thread.id, "file-2", "notes.pdf", "vector"))
        assert [f.file_id for f in await store.thread_files(thread.id, "container")] == ["file-1"]
        assert len(await store.thread_files(thread.id)) == 2
        assert await store.archive_threads("slack", "T1", "u1") == 1
        assert await store.get_thread("slack", "T1", "u1", "") is None
        newer = await store.create_thread("slack", "T1", "u1", "", "conv_2")
        assert (await store.get_thread("slack", "T1", "u1", "")) == newer

    async def test_thread_vector_store(self, store: Store) -> None:
        thread = await store.create_thread("slack", "T1", "u1", "", "conv_1")
        assert thread.vector_store_id is None
        await store.set_thread_vector_store(thread.id, "vs_1")
        found = await store.get_thread("slack", "T1", "u1", "")
        assert found and found.vector_store_id == "vs_1"

    async def test_knowledge_bases(self, store: Store) -> None:
        assert await store.get_knowledge_base("discord", "G1", "C1") is None
        await store.set_knowledge_base("discord", "G1", "C1", "vs_course")
        await store.set_knowledge_base("discord", "G1", "", "vs_guild")
        assert await store.get_knowledge_base("discord", "G1", "C1") == "vs_course"
        assert await store.get_knowledge_base("discord", "G2", "C1") is None
        syllabus = KnowledgeFile(
            "discord", "G1", "C1", "file-1", "syllabus.pdf", added_by="teacher"
        )
        await store.add_knowledge_file(syllabus)
        await store.add_knowledge_file(syllabus)
        files = await store.knowledge_files("discord", "G1", "C1")
        assert [(f.filename, f.added_by) for f in files] == [("syllabus.pdf", "teacher")]
        assert files[0].kind == "document"
        assert await store.knowledge_files("discord", "G1", "") == []
        data = KnowledgeFile(
            "discord", "G1", "", "file-2", "mydata.csv", kind="data", added_by="teacher"
        )
        await store.add_knowledge_file(data)
        [found] = await store.knowledge_files("discord", "G1", "")
        assert (found.filename, found.kind) == ("mydata.csv", "data")
        assert await store.remove_knowledge_file("discord", "G1", "C1", "file-1")
        assert not await store.remove_knowledge_file("discord", "G1", "C1", "file-1")

    async def test_runs(self, store: Store) -> None:
        accepted = await store.accept(job("E1"))
        assert accepted
        thread = await store.create_thread("slack", "T1", "u1", "", "conv_1")
        run = await store.start_run(accepted.id, thread.id, "background")
        assert run.status == "in_progress" and run.response_id is None
        await store.update_run(run.id, response_id="resp_1")
        await store.update_run(run.id, last_sequence=7)
        latest = await store.latest_run(accepted.id)
        assert latest and latest.response_id == "resp_1" and latest.last_sequence == 7
        await store.finish_run(run.id, "completed", Usage(10, 20))
        done = await store.latest_run(accepted.id)
        assert done and done.status == "completed" and done.output_tokens == 20
        assert done.finished_at is not None


async def test_old_database_opens_and_upgrades(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    old = SQLiteStore(path, target_version=1)
    await old.open()
    assert await old.schema_version() == 1
    accepted = await old.accept(job("E1"))
    assert accepted
    await old.close()
    indexes = {row[1] for row in sqlite3.connect(path).execute("PRAGMA index_list(inbound_events)")}
    assert "inbound_events_seen_at" not in indexes

    upgraded = SQLiteStore(path)
    await upgraded.open()
    try:
        assert await upgraded.schema_version() == len(load_migrations()) >= 2
        kept = await upgraded.get_job(accepted.id)
        assert kept and kept.payload == {"text": "hi"}
        assert await upgraded.accept(job("E1")) is None
    finally:
        await upgraded.close()
    indexes = {row[1] for row in sqlite3.connect(path).execute("PRAGMA index_list(inbound_events)")}
    assert "inbound_events_seen_at" in indexes


async def test_stores_opening_one_new_file_together_migrate_it_once(tmp_path: Path) -> None:
    """As processes starting at once would: each migration waits for the write lock, then
    reads the version again, so none is applied twice."""
    stores = [SQLiteStore(str(tmp_path / "bot.db")) for _ in range(4)]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        versions = [await store.schema_version() for store in stores]
    finally:
        await asyncio.gather(*(store.close() for store in stores))
    assert versions == [len(load_migrations())] * 4


async def test_wal_mode(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "wal.db"))
    await store.open()
    try:
        row = await store.db.fetchrow("PRAGMA journal_mode")
        assert row and row[0] == "wal"
    finally:
        await store.close()


def test_sqlite_url_paths() -> None:
    assert sqlite_path("sqlite:///assistant-bot.db") == "assistant-bot.db"
    assert sqlite_path("sqlite:////var/lib/bot.db") == "/var/lib/bot.db"


def test_each_dialect_speaks_its_own_sql() -> None:
    assert numbered("SELECT ? WHERE a IN (?, ?)") == "SELECT $1 WHERE a IN ($2, $3)"
    ddl = "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n BIGINT, at DOUBLE PRECISION"
    assert SQLiteDialect(":memory:").ddl(ddl) == "id INTEGER PRIMARY KEY, n INTEGER, at REAL"
    assert PostgresDialect("postgresql://db").ddl(ddl) == ddl


def test_the_core_types_load_no_database_driver() -> None:
    """``bot.types`` uses the records, not a store: importing it loads neither driver."""
    code = "import sys, bot.types; print(sorted({'aiosqlite', 'asyncpg'} & set(sys.modules)))"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class TestLeases:
    async def test_a_requeue_for_a_retry_starts_the_attempts_again(self, store: Store) -> None:
        accepted = await store.accept(NewJob("slack", "T1", "C1", "u1", "E1", {"text": "hi"}))
        assert accepted is not None
        for _ in range(2):
            await store.claim_runnable(1, worker="w", lease=60)
            await store.release_expired(before=float("inf"))
        [job] = await store.claim_runnable(1, worker="w", lease=60)
        await store.finish_job(job.id, "failed", "too many attempts")
        await store.requeue_job(job.id)  # the default keeps them (the engine's own requeues)
        [kept] = await store.claim_runnable(1, worker="w", lease=60)
        assert kept.attempts == 4
        await store.finish_job(job.id, "failed", "too many attempts")
        await store.requeue_job(job.id, reset_attempts=True)
        [fresh] = await store.claim_runnable(1, worker="w", lease=60)
        assert fresh.attempts == 1 and fresh.error is None

    async def test_stopping_worker_hands_its_jobs_back(self, store: Store) -> None:
        await store.accept(job("E1", user="a"))
        await store.accept(job("E2", user="b"))
        [mine] = await store.claim_runnable(1, worker="me", lease=60)
        [theirs] = await store.claim_runnable(1, worker="other", lease=60)
        assert await store.release_worker("me") == [mine.id]
        [again] = await store.claim_runnable(5, worker="next", lease=60)
        assert again.id == mine.id and theirs.id != mine.id

    async def test_redelivery_after_the_event_id_expired_is_still_one_job(
        self, store: Store
    ) -> None:
        assert await store.accept(job("E1")) is not None
        await store.purge_events(older_than=float("inf"))
        assert await store.accept(job("E1")) is None
        assert len(await store.jobs()) == 1

    async def test_expired_lease_returns_job_to_queue(self, store: Store) -> None:
        accepted = await store.accept(job("E1"))
        assert accepted
        [claimed] = await store.claim_runnable(1, worker="dead-worker", lease=0.0)
        assert await store.release_expired(before=time.time() + 1) == [claimed.id]
        [again] = await store.claim_runnable(1, worker="live-worker", lease=60)
        assert again.id == claimed.id and again.attempts == 2

    async def test_heartbeat_keeps_lease(self, store: Store) -> None:
        await store.accept(job("E1"))
        [claimed] = await store.claim_runnable(1, worker="me", lease=0.0)
        assert await store.renew_leases("me", 60) == [claimed.id]
        assert await store.renew_leases("someone-else", 60) == []
        assert await store.release_expired(before=time.time()) == []
        assert await store.release_expired(before=float("inf")) != []


class TestAdminRecords:
    async def test_profile_language_and_changes(self, store: Store) -> None:
        await store.save_profile(Profile("discord", "G1", "", language="ko"))
        saved = await store.get_profile("discord", "G1", "")
        assert saved and saved.language == "ko"
        first = await store.record_profile_change(
            ProfileChange("discord", "G1", "C1", "instructions", None, '"Be brief."', "teacher")
        )
        second = await store.record_profile_change(
            ProfileChange("discord", "G1", "", "model", '"a"', '"b"', "admin")
        )
        assert second.id > first.id and first.changed_at > 0
        history = await store.profile_changes("discord", "G1")
        assert [c.id for c in history] == [second.id, first.id]
        assert await store.profile_changes("discord", "G2") == []
        found = await store.get_profile_change("discord", "G1", first.id)
        assert found == first
        assert await store.get_profile_change("discord", "G2", first.id) is None

    async def test_quotas(self, store: Store) -> None:
        assert await store.get_quota("slack", "T1", "") is None
        await store.save_quota(Quota("slack", "T1", "", messages_per_day=20, updated_by="boss"))
        await store.save_quota(Quota("slack", "T1", "C1", tokens_per_day=5000))
        workspace = await store.get_quota("slack", "T1", "")
        channel = await store.get_quota("slack", "T1", "C1")
        assert workspace and workspace.messages_per_day == 20 and workspace.tokens_per_day is None
        assert channel and channel.tokens_per_day == 5000 and channel.messages_per_day is None

    async def test_remembered_locales(self, store: Store) -> None:
        assert await store.remembered_locale("discord", "u1") is None
        await store.remember_locale("discord", "u1", "ko")
        await store.remember_locale("discord", "u1", "en-GB")
        await store.remember_locale("slack", "u2", "ko-KR")
        assert await store.remembered_locale("discord", "u1") == "en-GB"
        assert await store.remembered_locale("discord", "u2") is None

    async def test_forgetting_and_retention(self, store: Store) -> None:
        old = await store.create_thread("slack", "T1", "u1", "", "conv_old")
        new = await store.create_thread("slack", "T1", "u1", "C1", "conv_new")
        other = await store.create_thread("slack", "T1", "u2", "", "conv_other")
        await store.add_thread_file(ThreadFile(old.id, "file-1", "a.csv", "container"))
        accepted = await store.accept(job("E1", user="u1"))
        assert accepted
        run = await store.start_run(accepted.id, old.id, "stream")
        await store.finish_run(run.id, "completed", Usage(1, 1))
        await store.finish_job(accepted.id, "answered")
        queued = await store.accept(job("E2", user="u1"))
        assert queued
        await store.remember_locale("slack", "u1", "ko")
        await store.save_viewing("slack", "T1", "u1", Viewing("C1"))
        assert [t.id for t in await store.user_threads("slack", "u1")] == [old.id, new.id]
        cutoff = time.time() + 1
        idle = await store.idle_threads("slack", "T1", cutoff)
        assert {t.id for t in idle} == {old.id, new.id, other.id}
        assert await store.idle_threads("slack", "T1", old.created_at - 1) == []

        assert await store.claim_thread_deletion(old.id, idle_before=cutoff)
        assert not await store.claim_thread_deletion(old.id)  # claimed: another process waits
        assert await store.get_thread("slack", "T1", "u1", "") is None  # archived at once
        assert old.id not in {t.id for t in await store.idle_threads("slack", "T1", cutoff)}
        assert not await store.claim_thread_deletion(new.id, idle_before=new.last_used_at)
        await store.delete_thread(old.id)
        await store.delete_thread(old.id)  # again: nothing left, no error
        assert await store.thread_files(old.id) == []
        assert [t.id for t in await store.user_threads("slack", "u1")] == [new.id]

        assert await store.delete_jobs("slack", user="u2") == 0
        assert await store.delete_jobs("slack", user="u1", before=accepted.created_at) == 0
        assert await store.delete_jobs("slack", user="u1") == 1
        assert (
            await store.get_job(accepted.id) is None and await store.latest_run(accepted.id) is None
        )
        assert await store.get_job(queued.id) is not None  # not finished: kept
        await store.forget_person("slack", "u1")
        assert await store.remembered_locale("slack", "u1") is None
        assert await store.get_viewing("slack", "T1", "u1") is None

        assert await store.retention_profiles() == []
        await store.save_profile(Profile("slack", "T1", retention_days=30))
        await store.save_profile(Profile("slack", "T1", "C1", model="x"))
        [kept] = await store.retention_profiles()
        assert (kept.workspace, kept.retention_days) == ("T1", 30)

    async def test_role_quotas(self, store: Store) -> None:
        assert await store.role_quotas("discord", "G1") == []
        assert await store.quota_workspaces("discord") == []
        await store.save_role_quota(RoleQuota("discord", "G1", "R2", messages_per_day=5))
        await store.save_role_quota(RoleQuota("discord", "G1", "R1", tokens_per_day=0))
        await store.save_role_quota(RoleQuota("discord", "G1", "R2", messages_per_day=7))
        await store.save_quota(Quota("discord", "G2", "", messages_per_day=3))
        await store.save_quota(Quota("discord", "G3", "", messages_per_day=0))
        await store.save_quota(Quota("slack", "T1", "", messages_per_day=3))
        found = await store.role_quotas("discord", "G1")
        assert [(q.role, q.messages_per_day, q.tokens_per_day) for q in found] == [
            ("R1", None, 0),
            ("R2", 7, None),
        ]
        assert await store.quota_workspaces("discord") == ["G1", "G2"]
        await store.save_role_quota(RoleQuota("discord", "G1", "R2"))  # off
        assert [q.role for q in await store.role_quotas("discord", "G1")] == ["R1"]

    async def test_usage_since(self, store: Store) -> None:
        thread = await store.create_thread("slack", "T1", "u1", "", "conv_1")
        started = time.time()
        for n, (user, tokens) in enumerate([("u1", 10), ("u1", 20), ("u2", 100)]):
            accepted = await store.accept(job(f"E{n}", user=user))
            assert accepted
            run = await store.start_run(accepted.id, thread.id, "stream")
            await store.finish_run(run.id, "completed", Usage(tokens, tokens))
        other = await store.accept(NewJob("slack", "T2", "C1", "u1", "X", {}))
        assert other
        await store.start_run(other.id, thread.id, "stream")
        usage = await store.usage_since("slack", "T1", started - 1)
        assert [(u.user, u.messages, u.tokens) for u in usage] == [("u2", 1, 200), ("u1", 2, 60)]
        mine = await store.usage_since("slack", "T1", started - 1, user="u1")
        assert [(u.messages, u.input_tokens) for u in mine] == [(2, 30)]
        assert await store.usage_since("slack", "T1", time.time() + 10) == []
        today = time.strftime("%Y-%m-%d", time.gmtime())
        daily = await store.usage_by_day("slack", "T1", started - 1)
        assert [(d.day, d.user, d.messages, d.tokens) for d in daily] == [
            (today, "u1", 2, 60),
            (today, "u2", 1, 200),
        ]


class TestPeople:
    async def test_a_person_is_greeted_once_unless_the_greeting_failed(self, store: Store) -> None:
        assert await store.claim_greeting("slack", "T1", "u1")
        assert not await store.claim_greeting("slack", "T1", "u1")
        assert await store.claim_greeting("slack", "T2", "u1")  # another workspace
        await store.release_greeting("slack", "T1", "u1")
        assert await store.claim_greeting("slack", "T1", "u1")

    async def test_what_a_person_looks_at_is_the_latest_one(self, store: Store) -> None:
        assert await store.get_viewing("slack", "T1", "u1") is None
        await store.save_viewing("slack", "T1", "u1", Viewing("C1"))
        await store.save_viewing("slack", "T1", "u1", Viewing("C2", "171.0001"))
        seen = await store.get_viewing("slack", "T1", "u1")
        assert seen and (seen.channel, seen.thread_ts) == ("C2", "171.0001") and seen.at > 0
        assert await store.claim_greeting("slack", "T1", "u1")  # the same row keeps both
        assert await store.get_viewing("slack", "T1", "u1") == seen
        await store.save_viewing("slack", "T1", "u1", None)
        assert await store.get_viewing("slack", "T1", "u1") is None
        assert await store.get_viewing("slack", "T1", "u2") is None

    async def test_prompts_are_a_profile_setting(self, store: Store) -> None:
        await store.save_profile(Profile("slack", "T1", "", prompts="Plan | Plan my week"))
        saved = await store.get_profile("slack", "T1", "")
        assert saved and saved.prompts == "Plan | Plan my week"
