"""The Store on SQLite (aiosqlite), WAL mode. SQLite specifics stay in this module."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiosqlite

from storage.migrations import load_migrations
from storage.records import (
    DELETION_LEASE,
    WORKSPACE_DEFAULT,
    DailyUsage,
    FileKind,
    Job,
    JobStatus,
    KnowledgeFile,
    NewJob,
    Profile,
    ProfileChange,
    Quota,
    RoleQuota,
    RunRecord,
    RunStatus,
    ThreadFile,
    ThreadRecord,
    Usage,
    UserUsage,
    Viewing,
    thread_key,
)

log = logging.getLogger(__name__)

_JOB_COLUMNS = (
    "id, platform, workspace, channel, user_id, event_id, thread_key, payload, status, "
    "attempts, reply_state, error, created_at, updated_at"
)
_RUN_COLUMNS = (
    "id, job_id, thread_id, mode, status, response_id, last_sequence, input_tokens, "
    "output_tokens, error, started_at, finished_at"
)
_THREAD_COLUMNS = (
    "id, platform, workspace, user_id, profile_key, conversation_id, created_at, last_used_at,"
    " vector_store_id"
)


def sqlite_path(database_url: str) -> str:
    """``sqlite:///relative.db`` → ``relative.db``; ``sqlite:////abs.db`` → ``/abs.db``."""
    path = database_url.removeprefix("sqlite://").removeprefix("/")
    return os.path.expanduser(path) if path else ":memory:"


class SQLiteStore:
    shared = False

    def __init__(self, path: str, *, target_version: int | None = None) -> None:
        self._path = path
        self._target_version = target_version
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @classmethod
    def from_url(cls, database_url: str) -> SQLiteStore:
        return cls(sqlite_path(database_url))

    # Connection and migrations.

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self._path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._db.execute("PRAGMA busy_timeout=5000")
        await self._migrate()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("SQLiteStore is not open")
        return self._db

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for migration in load_migrations():
            if migration.version <= current:
                continue
            if self._target_version is not None and migration.version > self._target_version:
                break
            async with self._transaction() as db:
                for statement in migration.statements():
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {migration.version:d}")
            log.info(
                "database upgraded to schema version %d (%s)", migration.version, migration.name
            )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._write_lock:
            cursor = await self.db.execute(sql, params)
            return cursor.rowcount

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    # The inbox.

    async def accept(self, job: NewJob) -> Job | None:
        now = time.time()
        async with self._transaction() as db:
            try:
                await db.execute(
                    "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES (?, ?, ?)",
                    (job.platform, job.event_id, now),
                )
            except sqlite3.IntegrityError:
                return None
            # A redelivery after the event id was purged still finds its job: no second job.
            cursor = await db.execute(
                "INSERT INTO jobs (platform, workspace, channel, user_id, event_id, thread_key,"
                " payload, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING",
                (
                    job.platform,
                    job.workspace,
                    job.channel,
                    job.user,
                    job.event_id,
                    job.thread_key or default_thread_key(job),
                    json.dumps(job.payload),
                    now,
                    now,
                ),
            )
            if cursor.rowcount != 1:
                return None
            job_id = cursor.lastrowid
        created = await self.get_job(int(job_id or 0))
        assert created is not None
        return created

    async def remember_event(self, platform: str, event_id: str) -> bool:
        inserted = await self._write(
            "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (platform, event_id, time.time()),
        )
        return inserted == 1

    async def purge_events(self, older_than: float) -> int:
        return await self._write("DELETE FROM inbound_events WHERE seen_at < ?", (older_than,))

    async def claim_runnable(self, limit: int, *, worker: str, lease: float) -> list[Job]:
        now = time.time()
        async with self._transaction() as db:
            async with db.execute(
                "SELECT j.id FROM jobs j WHERE j.status = 'queued'"
                " AND j.id = (SELECT MIN(q.id) FROM jobs q"
                "   WHERE q.thread_key = j.thread_key AND q.status = 'queued')"
                " AND NOT EXISTS (SELECT 1 FROM jobs r"
                "   WHERE r.thread_key = j.thread_key AND r.status = 'running')"
                " ORDER BY j.id LIMIT ?",
                (limit,),
            ) as cur:
                ids = [int(row[0]) for row in await cur.fetchall()]
            for job_id in ids:
                await db.execute(
                    "UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ?,"
                    " claimed_by = ?, lease_until = ? WHERE id = ?",
                    (now, worker, now + lease, job_id),
                )
        claimed = [await self.get_job(job_id) for job_id in ids]
        return [job for job in claimed if job is not None]

    async def renew_leases(self, worker: str, lease: float) -> list[int]:
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE jobs SET lease_until = ? WHERE claimed_by = ? AND status = 'running'"
                " RETURNING id",
                (time.time() + lease, worker),
            ) as cursor:
                return sorted(int(row[0]) for row in await cursor.fetchall())

    async def release_worker(self, worker: str) -> list[int]:
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE jobs SET status = 'queued', claimed_by = NULL, lease_until = NULL"
                " WHERE status = 'running' AND claimed_by = ? RETURNING id",
                (worker,),
            ) as cursor:
                return sorted(int(row[0]) for row in await cursor.fetchall())

    async def release_expired(self, *, before: float) -> list[int]:
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE jobs SET status = 'queued', claimed_by = NULL, lease_until = NULL"
                " WHERE status = 'running' AND (lease_until IS NULL OR lease_until < ?)"
                " RETURNING id",
                (before,),
            ) as cursor:
                return sorted(int(row[0]) for row in await cursor.fetchall())

    async def get_job(self, job_id: int) -> Job | None:
        row = await self._one(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    async def jobs(
        self, *, thread_key: str | None = None, statuses: Sequence[JobStatus] = ()
    ) -> list[Job]:
        where, params = [], []
        if thread_key is not None:
            where.append("thread_key = ?")
            params.append(thread_key)
        if statuses:
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = await self._all(f"SELECT {_JOB_COLUMNS} FROM jobs{clause} ORDER BY id", params)
        return [_job(row) for row in rows]

    async def finish_job(self, job_id: int, status: JobStatus, error: str | None = None) -> None:
        await self._write(
            "UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?",
            (status, error, time.time(), job_id),
        )

    async def requeue_job(self, job_id: int, *, reset_attempts: bool = False) -> None:
        await self._write(
            "UPDATE jobs SET status = 'queued', error = NULL, updated_at = ?,"
            " attempts = CASE WHEN ? THEN 0 ELSE attempts END WHERE id = ?",
            (time.time(), reset_attempts, job_id),
        )

    async def save_reply_state(self, job_id: int, state: dict[str, Any]) -> None:
        await self._write(
            "UPDATE jobs SET reply_state = ?, updated_at = ? WHERE id = ?",
            (json.dumps(state), time.time(), job_id),
        )

    # Profiles.

    async def get_profile(self, platform: str, workspace: str, channel: str) -> Profile | None:
        row = await self._one(
            "SELECT platform, workspace, channel, model, instructions, tools, run_mode,"
            " updated_by, updated_at, language, prompts, retention_days, tutor FROM profiles"
            " WHERE platform = ? AND workspace = ? AND channel = ?",
            (platform, workspace, channel),
        )
        if row is None:
            return None
        tools = tuple(json.loads(row["tools"])) if row["tools"] is not None else None
        return Profile(
            platform=row["platform"],
            workspace=row["workspace"],
            channel=row["channel"],
            model=row["model"],
            instructions=row["instructions"],
            tools=tools,
            run_mode=row["run_mode"],
            updated_by=row["updated_by"],
            updated_at=row["updated_at"],
            language=row["language"],
            prompts=row["prompts"],
            retention_days=row["retention_days"],
            tutor=row["tutor"],
        )

    async def save_profile(self, profile: Profile) -> None:
        tools = json.dumps(list(profile.tools)) if profile.tools is not None else None
        await self._write(
            "INSERT INTO profiles (platform, workspace, channel, model, instructions, tools,"
            " run_mode, updated_by, updated_at, language, prompts, retention_days, tutor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace, channel) DO UPDATE SET model = excluded.model,"
            " instructions = excluded.instructions, tools = excluded.tools,"
            " run_mode = excluded.run_mode, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at, language = excluded.language,"
            " prompts = excluded.prompts, retention_days = excluded.retention_days,"
            " tutor = excluded.tutor",
            (
                profile.platform,
                profile.workspace,
                profile.channel,
                profile.model,
                profile.instructions,
                tools,
                profile.run_mode,
                profile.updated_by,
                profile.updated_at or time.time(),
                profile.language,
                profile.prompts,
                profile.retention_days,
                profile.tutor,
            ),
        )

    async def record_profile_change(self, change: ProfileChange) -> ProfileChange:
        stamped = replace(change, changed_at=change.changed_at or time.time())
        async with self._write_lock:
            cursor = await self.db.execute(
                "INSERT INTO profile_changes (platform, workspace, channel, field, old_value,"
                " new_value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamped.platform,
                    stamped.workspace,
                    stamped.channel,
                    stamped.field,
                    stamped.old_value,
                    stamped.new_value,
                    stamped.changed_by,
                    stamped.changed_at,
                ),
            )
        return replace(stamped, id=int(cursor.lastrowid or 0))

    async def profile_changes(
        self, platform: str, workspace: str, *, limit: int = 20
    ) -> list[ProfileChange]:
        rows = await self._all(
            f"SELECT {_CHANGE_COLUMNS} FROM profile_changes WHERE platform = ? AND workspace = ?"
            " ORDER BY id DESC LIMIT ?",
            (platform, workspace, limit),
        )
        return [ProfileChange(*row) for row in rows]

    async def get_profile_change(
        self, platform: str, workspace: str, change_id: int
    ) -> ProfileChange | None:
        row = await self._one(
            f"SELECT {_CHANGE_COLUMNS} FROM profile_changes"
            " WHERE platform = ? AND workspace = ? AND id = ?",
            (platform, workspace, change_id),
        )
        return ProfileChange(*row) if row else None

    # Quotas and usage.

    async def get_quota(self, platform: str, workspace: str, channel: str) -> Quota | None:
        row = await self._one(
            "SELECT platform, workspace, channel, messages_per_day, tokens_per_day, updated_by,"
            " updated_at FROM quotas WHERE platform = ? AND workspace = ? AND channel = ?",
            (platform, workspace, channel),
        )
        return Quota(*row) if row else None

    async def save_quota(self, quota: Quota) -> None:
        await self._write(
            "INSERT INTO quotas (platform, workspace, channel, messages_per_day, tokens_per_day,"
            " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace, channel) DO UPDATE SET"
            " messages_per_day = excluded.messages_per_day,"
            " tokens_per_day = excluded.tokens_per_day, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (
                quota.platform,
                quota.workspace,
                quota.channel,
                quota.messages_per_day,
                quota.tokens_per_day,
                quota.updated_by,
                quota.updated_at or time.time(),
            ),
        )

    async def usage_since(
        self, platform: str, workspace: str, since: float, *, user: str | None = None
    ) -> list[UserUsage]:
        sql = (
            "SELECT j.user_id, COUNT(DISTINCT r.job_id), COALESCE(SUM(r.input_tokens), 0),"
            " COALESCE(SUM(r.output_tokens), 0) FROM runs r JOIN jobs j ON j.id = r.job_id"
            " WHERE j.platform = ? AND j.workspace = ? AND r.started_at >= ?"
        )
        params: list[Any] = [platform, workspace, since]
        if user is not None:
            sql += " AND j.user_id = ?"
            params.append(user)
        sql += " GROUP BY j.user_id ORDER BY SUM(r.input_tokens) + SUM(r.output_tokens) DESC, 1"
        rows = await self._all(sql, params)
        return [UserUsage(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def usage_by_day(self, platform: str, workspace: str, since: float) -> list[DailyUsage]:
        rows = await self._all(
            "SELECT date(r.started_at, 'unixepoch') AS day, j.user_id, COUNT(DISTINCT r.job_id),"
            " COALESCE(SUM(r.input_tokens), 0), COALESCE(SUM(r.output_tokens), 0)"
            " FROM runs r JOIN jobs j ON j.id = r.job_id"
            " WHERE j.platform = ? AND j.workspace = ? AND r.started_at >= ?"
            " GROUP BY day, j.user_id ORDER BY day, j.user_id",
            (platform, workspace, since),
        )
        return [DailyUsage(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]

    async def role_quotas(self, platform: str, workspace: str) -> list[RoleQuota]:
        rows = await self._all(
            "SELECT platform, workspace, role, messages_per_day, tokens_per_day, updated_by,"
            " updated_at FROM role_quotas WHERE platform = ? AND workspace = ? ORDER BY role",
            (platform, workspace),
        )
        return [RoleQuota(*row) for row in rows]

    async def save_role_quota(self, quota: RoleQuota) -> None:
        if quota.messages_per_day is None and quota.tokens_per_day is None:
            await self._write(
                "DELETE FROM role_quotas WHERE platform = ? AND workspace = ? AND role = ?",
                (quota.platform, quota.workspace, quota.role),
            )
            return
        await self._write(
            "INSERT INTO role_quotas (platform, workspace, role, messages_per_day,"
            " tokens_per_day, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace, role) DO UPDATE SET"
            " messages_per_day = excluded.messages_per_day,"
            " tokens_per_day = excluded.tokens_per_day, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (
                quota.platform,
                quota.workspace,
                quota.role,
                quota.messages_per_day,
                quota.tokens_per_day,
                quota.updated_by,
                quota.updated_at or time.time(),
            ),
        )

    async def quota_workspaces(self, platform: str) -> list[str]:
        rows = await self._all(
            "SELECT workspace FROM quotas WHERE platform = ?"
            " AND (messages_per_day > 0 OR tokens_per_day > 0)"
            " UNION SELECT workspace FROM role_quotas WHERE platform = ? ORDER BY 1",
            (platform, platform),
        )
        return [str(row[0]) for row in rows]

    # People.

    async def remember_locale(self, platform: str, user: str, locale: str) -> None:
        await self._write(
            "INSERT INTO person_locales (platform, user_id, locale, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET locale = excluded.locale,"
            " updated_at = excluded.updated_at",
            (platform, user, locale, time.time()),
        )

    async def remembered_locale(self, platform: str, user: str) -> str | None:
        row = await self._one(
            "SELECT locale FROM person_locales WHERE platform = ? AND user_id = ?", (platform, user)
        )
        return str(row[0]) if row else None

    # Threads and files.

    async def get_thread(
        self, platform: str, workspace: str, user: str, profile_key: str
    ) -> ThreadRecord | None:
        row = await self._one(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = ? AND workspace = ?"
            " AND user_id = ? AND profile_key = ? AND archived_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (platform, workspace, user, profile_key),
        )
        return _thread(row) if row else None

    async def create_thread(
        self, platform: str, workspace: str, user: str, profile_key: str, conversation_id: str
    ) -> ThreadRecord:
        now = time.time()
        async with self._write_lock:
            cursor = await self.db.execute(
                "INSERT INTO threads (platform, workspace, user_id, profile_key, conversation_id,"
                " created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (platform, workspace, user, profile_key, conversation_id, now, now),
            )
        return ThreadRecord(
            int(cursor.lastrowid or 0),
            platform,
            workspace,
            user,
            profile_key,
            conversation_id,
            now,
            now,
        )

    async def touch_thread(self, thread_id: int) -> None:
        await self._write(
            "UPDATE threads SET last_used_at = ? WHERE id = ?", (time.time(), thread_id)
        )

    async def archive_threads(self, platform: str, workspace: str, user: str) -> int:
        return await self._write(
            "UPDATE threads SET archived_at = ? WHERE platform = ? AND workspace = ?"
            " AND user_id = ? AND archived_at IS NULL",
            (time.time(), platform, workspace, user),
        )

    async def set_thread_vector_store(self, thread_id: int, vector_store_id: str) -> None:
        await self._write(
            "UPDATE threads SET vector_store_id = ? WHERE id = ?", (vector_store_id, thread_id)
        )

    async def add_thread_file(self, file: ThreadFile) -> None:
        await self._write(
            "INSERT INTO thread_files (thread_id, file_id, filename, kind, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                file.thread_id,
                file.file_id,
                file.filename,
                file.kind,
                file.created_at or time.time(),
            ),
        )

    async def thread_files(self, thread_id: int, kind: FileKind | None = None) -> list[ThreadFile]:
        sql = "SELECT thread_id, file_id, filename, kind, created_at FROM thread_files"
        sql += " WHERE thread_id = ?" + (" AND kind = ?" if kind else "") + " ORDER BY created_at"
        rows = await self._all(sql, (thread_id, kind) if kind else (thread_id,))
        return [ThreadFile(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # Privacy.

    async def user_threads(self, platform: str, user: str) -> list[ThreadRecord]:
        rows = await self._all(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = ? AND user_id = ? ORDER BY id",
            (platform, user),
        )
        return [_thread(row) for row in rows]

    async def idle_threads(
        self, platform: str, workspace: str, before: float, *, limit: int = 100
    ) -> list[ThreadRecord]:
        rows = await self._all(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = ? AND workspace = ?"
            " AND last_used_at < ? AND (deleting_at IS NULL OR deleting_at < ?)"
            " ORDER BY last_used_at LIMIT ?",
            (platform, workspace, before, time.time() - DELETION_LEASE, limit),
        )
        return [_thread(row) for row in rows]

    async def claim_thread_deletion(
        self, thread_id: int, *, idle_before: float | None = None
    ) -> bool:
        now = time.time()
        claimed = await self._write(
            "UPDATE threads SET archived_at = COALESCE(archived_at, ?), deleting_at = ?"
            " WHERE id = ? AND (deleting_at IS NULL OR deleting_at < ?)"
            " AND (? IS NULL OR last_used_at < ?)",
            (now, now, thread_id, now - DELETION_LEASE, idle_before, idle_before),
        )
        return claimed == 1

    async def delete_thread(self, thread_id: int) -> None:
        async with self._transaction() as db:
            await db.execute("DELETE FROM runs WHERE thread_id = ?", (thread_id,))
            await db.execute("DELETE FROM thread_files WHERE thread_id = ?", (thread_id,))
            await db.execute("DELETE FROM threads WHERE id = ?", (thread_id,))

    async def delete_jobs(
        self,
        platform: str,
        *,
        user: str | None = None,
        workspace: str | None = None,
        before: float | None = None,
    ) -> int:
        where = "platform = ? AND status IN ('answered', 'failed')"
        params: list[Any] = [platform]
        for column, value in (("user_id = ?", user), ("workspace = ?", workspace)):
            if value is not None:
                where += f" AND {column}"
                params.append(value)
        if before is not None:
            where += " AND created_at < ?"
            params.append(before)
        async with self._transaction() as db:
            await db.execute(
                f"DELETE FROM runs WHERE job_id IN (SELECT id FROM jobs WHERE {where})", params
            )
            cursor = await db.execute(f"DELETE FROM jobs WHERE {where}", params)
            return cursor.rowcount

    async def forget_person(self, platform: str, user: str) -> None:
        async with self._transaction() as db:
            for table in ("person_locales", "people"):
                await db.execute(
                    f"DELETE FROM {table} WHERE platform = ? AND user_id = ?", (platform, user)
                )

    async def retention_profiles(self) -> list[Profile]:
        rows = await self._all(
            "SELECT platform, workspace FROM profiles WHERE channel = ''"
            " AND retention_days IS NOT NULL ORDER BY platform, workspace"
        )
        found = [await self.get_profile(row[0], row[1], WORKSPACE_DEFAULT) for row in rows]
        return [profile for profile in found if profile is not None]

    # Knowledge bases.

    async def get_knowledge_base(self, platform: str, workspace: str, channel: str) -> str | None:
        row = await self._one(
            "SELECT vector_store_id FROM knowledge_bases"
            " WHERE platform = ? AND workspace = ? AND channel = ?",
            (platform, workspace, channel),
        )
        return str(row[0]) if row else None

    async def set_knowledge_base(
        self, platform: str, workspace: str, channel: str, vector_store_id: str
    ) -> None:
        await self._write(
            "INSERT INTO knowledge_bases"
            " (platform, workspace, channel, vector_store_id, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, channel)"
            " DO UPDATE SET vector_store_id = excluded.vector_store_id",
            (platform, workspace, channel, vector_store_id, time.time()),
        )

    async def add_knowledge_file(self, file: KnowledgeFile) -> None:
        await self._write(
            "INSERT INTO knowledge_files (platform, workspace, channel, file_id, filename,"
            " added_by, added_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                file.platform,
                file.workspace,
                file.channel,
                file.file_id,
                file.filename,
                file.added_by,
                file.added_at or time.time(),
                file.kind,
            ),
        )

    async def knowledge_files(
        self, platform: str, workspace: str, channel: str
    ) -> list[KnowledgeFile]:
        rows = await self._all(
            "SELECT platform, workspace, channel, file_id, filename, added_by, added_at,"
            " kind FROM knowledge_files WHERE platform = ? AND workspace = ? AND channel = ?"
            " ORDER BY added_at, filename",
            (platform, workspace, channel),
        )
        return [KnowledgeFile(*row) for row in rows]

    async def remove_knowledge_file(
        self, platform: str, workspace: str, channel: str, file_id: str
    ) -> bool:
        removed = await self._write(
            "DELETE FROM knowledge_files WHERE platform = ? AND workspace = ? AND channel = ?"
            " AND file_id = ?",
            (platform, workspace, channel, file_id),
        )
        return removed == 1

    # People.

    async def claim_greeting(self, platform: str, workspace: str, user: str) -> bool:
        changed = await self._write(
            "INSERT INTO people (platform, workspace, user_id, greeted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET greeted_at = excluded.greeted_at WHERE people.greeted_at IS NULL",
            (platform, workspace, user, time.time()),
        )
        return changed == 1

    async def release_greeting(self, platform: str, workspace: str, user: str) -> None:
        await self._write(
            "UPDATE people SET greeted_at = NULL"
            " WHERE platform = ? AND workspace = ? AND user_id = ?",
            (platform, workspace, user),
        )

    async def save_viewing(
        self, platform: str, workspace: str, user: str, viewing: Viewing | None
    ) -> None:
        channel = viewing.channel if viewing else None
        thread = (viewing.thread_ts or None) if viewing else None
        await self._write(
            "INSERT INTO people (platform, workspace, user_id, view_channel, view_thread, view_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET view_channel = excluded.view_channel, view_thread = excluded.view_thread,"
            " view_at = excluded.view_at",
            (platform, workspace, user, channel, thread, time.time()),
        )

    async def get_viewing(self, platform: str, workspace: str, user: str) -> Viewing | None:
        row = await self._one(
            "SELECT view_channel, view_thread, view_at FROM people"
            " WHERE platform = ? AND workspace = ? AND user_id = ?",
            (platform, workspace, user),
        )
        if row is None or not row["view_channel"]:
            return None
        return Viewing(row["view_channel"], row["view_thread"] or "", row["view_at"] or 0.0)

    # Runs.

    async def start_run(self, job_id: int, thread_id: int, mode: str) -> RunRecord:
        now = time.time()
        async with self._write_lock:
            cursor = await self.db.execute(
                "INSERT INTO runs (job_id, thread_id, mode, status, started_at)"
                " VALUES (?, ?, ?, 'in_progress', ?)",
                (job_id, thread_id, mode, now),
            )
        return RunRecord(
            int(cursor.lastrowid or 0), job_id, thread_id, mode, "in_progress", started_at=now
        )

    async def update_run(
        self, run_id: int, *, response_id: str | None = None, last_sequence: int | None = None
    ) -> None:
        await self._write(
            "UPDATE runs SET response_id = COALESCE(?, response_id),"
            " last_sequence = COALESCE(?, last_sequence) WHERE id = ?",
            (response_id, last_sequence, run_id),
        )

    async def finish_run(
        self, run_id: int, status: RunStatus, usage: Usage | None = None, error: str | None = None
    ) -> None:
        usage = usage or Usage()
        await self._write(
            "UPDATE runs SET status = ?, input_tokens = ?, output_tokens = ?, error = ?,"
            " finished_at = ? WHERE id = ?",
            (status, usage.input_tokens, usage.output_tokens, error, time.time(), run_id),
        )

    async def latest_run(self, job_id: int) -> RunRecord | None:
        row = await self._one(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE job_id = ? ORDER BY id DESC LIMIT 1",
            (job_id,),
        )
        if row is None:
            return None
        return RunRecord(*row)


_CHANGE_COLUMNS = (
    "platform, workspace, channel, field, old_value, new_value, changed_by, changed_at, id"
)


def default_thread_key(job: NewJob) -> str:
    return thread_key(job.platform, job.workspace, job.user)


def _job(row: aiosqlite.Row) -> Job:
    return Job(
        id=row["id"],
        platform=row["platform"],
        workspace=row["workspace"],
        channel=row["channel"],
        user=row["user_id"],
        event_id=row["event_id"],
        thread_key=row["thread_key"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        reply_state=json.loads(row["reply_state"]),
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _thread(row: aiosqlite.Row) -> ThreadRecord:
    return ThreadRecord(*row)
