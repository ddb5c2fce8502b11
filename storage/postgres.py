"""The Store on PostgreSQL (asyncpg, one connection pool per process), for several bot
processes sharing one database. PostgreSQL specifics stay in this module.

Several processes claim from one inbox; ``claim_runnable`` explains how a thread never gets
two running jobs. Times are epoch seconds from the caller's clock, as in the SQLite store, so
the hosts of one deployment need synchronised clocks (NTP) for leases to mean the same thing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import asyncpg

from storage.migrations import load_migrations
from storage.records import (
    DELETION_LEASE,
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

# First keys of the two-key advisory locks, so ours never meet another application's.
_MIGRATION_LOCK = 0x61620001
"""Session lock, second key the schema: one process at a time applies migrations."""
_THREAD_LOCK = 0x61620002
"""Transaction lock, second key the thread: one claimer at a time decides for a thread."""

_JOB_COLUMNS = (
    "id, platform, workspace, channel, user_id, event_id, thread_key, payload, status, "
    "attempts, reply_state, error, created_at, updated_at"
)
_RUN_COLUMNS = (
    "id, job_id, thread_id, mode, status, response_id, last_sequence, input_tokens, "
    "output_tokens, error, started_at, finished_at"
)
_CHANGE_COLUMNS = (
    "platform, workspace, channel, field, old_value, new_value, changed_by, changed_at, id"
)
_THREAD_COLUMNS = (
    "id, platform, workspace, user_id, profile_key, conversation_id, created_at, last_used_at,"
    " vector_store_id"
)

# Threads with a queued job and none running, oldest first; the outer filter takes each one's
# advisory lock as rows are pulled, so it stops locking once ``$1`` threads are held. The
# volatile lock call is not pushed into the subquery, whose LIMIT bounds what is looked at.
_LOCK_RUNNABLE_THREADS = """
SELECT candidate.thread_key FROM (
    SELECT q.thread_key, min(q.id) AS first_id FROM jobs q
    WHERE q.status = 'queued' AND NOT EXISTS (
        SELECT 1 FROM jobs r WHERE r.thread_key = q.thread_key AND r.status = 'running')
    GROUP BY q.thread_key
    ORDER BY first_id
    LIMIT $2
) AS candidate
WHERE pg_try_advisory_xact_lock($3, hashtext(candidate.thread_key))
LIMIT $1
"""

# Decided again on a snapshot taken after the locks were granted: the oldest queued job of
# each locked thread, if the thread still has none running.
_CLAIM_LOCKED_THREADS = f"""
UPDATE jobs AS j SET status = 'running', attempts = j.attempts + 1, updated_at = $2,
    claimed_by = $3, lease_until = $4
WHERE j.id IN (
    SELECT q.id FROM jobs q
    WHERE q.thread_key = ANY($1::text[]) AND q.status = 'queued'
      AND q.id = (SELECT min(m.id) FROM jobs m
                  WHERE m.thread_key = q.thread_key AND m.status = 'queued')
      AND NOT EXISTS (SELECT 1 FROM jobs r
                      WHERE r.thread_key = q.thread_key AND r.status = 'running')
    FOR UPDATE SKIP LOCKED
)
RETURNING {", ".join("j." + c for c in _JOB_COLUMNS.split(", "))}
"""


class PostgresStore:
    shared = True

    def __init__(
        self,
        dsn: str,
        *,
        target_version: int | None = None,
        min_size: int = 1,
        max_size: int = 10,
    ) -> None:
        self._dsn = dsn
        self._target_version = target_version
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    @classmethod
    def from_url(cls, database_url: str) -> PostgresStore:
        """``postgresql://user@host:5432/db``; query parameters asyncpg does not know become
        server settings, e.g. ``?search_path=bot`` for a schema of its own."""
        return cls(database_url)

    # Connection and migrations.

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self._dsn, min_size=self._min_size, max_size=self._max_size
        )
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except TimeoutError:
                log.warning("database connections still busy after 10 s; closing them")
                pool.terminate()

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        if self._pool is None:
            raise RuntimeError("PostgresStore is not open")
        return self._pool

    async def schema_version(self) -> int:
        async with self.pool.acquire() as conn:
            return await _version(conn)

    async def _migrate(self) -> None:
        # A session advisory lock keyed by the schema: processes starting together wait here
        # for the first one to finish, then find nothing left to do.
        async with self.pool.acquire() as conn:
            await conn.execute(
                "SELECT pg_advisory_lock($1, hashtext(COALESCE(current_schema(), '')))",
                _MIGRATION_LOCK,
            )
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
                )
                current = await _version(conn)
                last = self._target_version
                for migration in load_migrations("postgres"):
                    if migration.version <= current:
                        continue
                    if last is not None and migration.version > last:
                        break
                    async with conn.transaction():
                        for statement in migration.statements():
                            await conn.execute(statement)
                        await conn.execute(
                            "INSERT INTO schema_version (version, name, applied_at)"
                            " VALUES ($1, $2, $3)",
                            migration.version,
                            migration.name,
                            time.time(),
                        )
                    log.info(
                        "database upgraded to schema version %d (%s)",
                        migration.version,
                        migration.name,
                    )
            finally:
                await conn.execute(
                    "SELECT pg_advisory_unlock($1, hashtext(COALESCE(current_schema(), '')))",
                    _MIGRATION_LOCK,
                )

    async def _write(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it touched (from the command tag, "UPDATE 3")."""
        status = await self.pool.execute(sql, *params)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    # The inbox.

    async def accept(self, job: NewJob) -> Job | None:
        # Two processes handed the same event race on the primary key of inbound_events: the
        # second insert waits for the first transaction, then does nothing.
        now = time.time()
        async with self.pool.acquire() as conn, conn.transaction():
            seen = await conn.fetchval(
                "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING RETURNING 1",
                job.platform,
                job.event_id,
                now,
            )
            if seen is None:
                return None
            # The job row outlives the event id (purged after EVENT_RETENTION_DAYS): a very
            # late redelivery is still a duplicate.
            row = await conn.fetchrow(
                "INSERT INTO jobs (platform, workspace, channel, user_id, event_id, thread_key,"
                " payload, status, created_at, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8)"
                f" ON CONFLICT (platform, event_id) DO NOTHING RETURNING {_JOB_COLUMNS}",
                job.platform,
                job.workspace,
                job.channel,
                job.user,
                job.event_id,
                job.thread_key or thread_key(job.platform, job.workspace, job.user),
                json.dumps(job.payload),
                now,
            )
        return _job(row) if row is not None else None

    async def remember_event(self, platform: str, event_id: str) -> bool:
        inserted = await self._write(
            "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            platform,
            event_id,
            time.time(),
        )
        return inserted == 1

    async def purge_events(self, older_than: float) -> int:
        return await self._write("DELETE FROM inbound_events WHERE seen_at < $1", older_than)

    async def claim_runnable(self, limit: int, *, worker: str, lease: float) -> list[Job]:
        """Row locks alone (``FOR UPDATE SKIP LOCKED``) do not keep a thread to one running
        job: two claimers can each see the thread idle and take different jobs of it. So a
        claimer first takes a per-thread advisory lock for the transaction (skipping threads
        another claimer holds), and only then, in a new statement and so on a snapshot that
        includes every earlier claim, picks the thread's oldest queued job if none runs."""
        if limit <= 0:
            return []
        now = time.time()
        async with self.pool.acquire() as conn, conn.transaction():
            keys = [
                row[0]
                for row in await conn.fetch(
                    _LOCK_RUNNABLE_THREADS, limit, 2 * limit + 16, _THREAD_LOCK
                )
            ]
            if not keys:
                return []
            rows = await conn.fetch(_CLAIM_LOCKED_THREADS, keys, now, worker, now + lease)
        return sorted((_job(row) for row in rows), key=lambda j: j.id)

    async def renew_leases(self, worker: str, lease: float) -> list[int]:
        rows = await self.pool.fetch(
            "UPDATE jobs SET lease_until = $1 WHERE claimed_by = $2 AND status = 'running'"
            " RETURNING id",
            time.time() + lease,
            worker,
        )
        return sorted(int(row[0]) for row in rows)

    async def release_worker(self, worker: str) -> list[int]:
        rows = await self.pool.fetch(
            "UPDATE jobs SET status = 'queued', claimed_by = NULL, lease_until = NULL"
            " WHERE status = 'running' AND claimed_by = $1 RETURNING id",
            worker,
        )
        return sorted(int(row[0]) for row in rows)

    async def release_expired(self, *, before: float) -> list[int]:
        # Concurrent releasers serialise on the row locks; the second one re-reads the row,
        # finds it queued and leaves it, so each job is released (and reported) once.
        rows = await self.pool.fetch(
            "UPDATE jobs SET status = 'queued', claimed_by = NULL, lease_until = NULL"
            " WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1)"
            " RETURNING id",
            before,
        )
        return sorted(int(row[0]) for row in rows)

    async def get_job(self, job_id: int) -> Job | None:
        row = await self.pool.fetchrow(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = $1", job_id)
        return _job(row) if row is not None else None

    async def jobs(
        self, *, thread_key: str | None = None, statuses: Sequence[JobStatus] = ()
    ) -> list[Job]:
        where: list[str] = []
        params: list[Any] = []
        if thread_key is not None:
            params.append(thread_key)
            where.append(f"thread_key = ${len(params)}")
        if statuses:
            params.append(list(statuses))
            where.append(f"status = ANY(${len(params)}::text[])")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = await self.pool.fetch(
            f"SELECT {_JOB_COLUMNS} FROM jobs{clause} ORDER BY id", *params
        )
        return [_job(row) for row in rows]

    async def finish_job(self, job_id: int, status: JobStatus, error: str | None = None) -> None:
        await self.pool.execute(
            "UPDATE jobs SET status = $1, error = $2, updated_at = $3 WHERE id = $4",
            status,
            error,
            time.time(),
            job_id,
        )

    async def requeue_job(self, job_id: int, *, reset_attempts: bool = False) -> None:
        await self.pool.execute(
            "UPDATE jobs SET status = 'queued', error = NULL, updated_at = $1,"
            " attempts = CASE WHEN $3 THEN 0 ELSE attempts END WHERE id = $2",
            time.time(),
            job_id,
            reset_attempts,
        )

    async def save_reply_state(self, job_id: int, state: dict[str, Any]) -> None:
        await self.pool.execute(
            "UPDATE jobs SET reply_state = $1, updated_at = $2 WHERE id = $3",
            json.dumps(state),
            time.time(),
            job_id,
        )

    # Profiles.

    async def get_profile(self, platform: str, workspace: str, channel: str) -> Profile | None:
        row = await self.pool.fetchrow(
            "SELECT platform, workspace, channel, model, instructions, tools, run_mode,"
            " updated_by, updated_at, language, prompts, retention_days, tutor FROM profiles"
            " WHERE platform = $1 AND workspace = $2 AND channel = $3",
            platform,
            workspace,
            channel,
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
        await self.pool.execute(
            "INSERT INTO profiles (platform, workspace, channel, model, instructions, tools,"
            " run_mode, updated_by, updated_at, language, prompts, retention_days, tutor)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            " ON CONFLICT (platform, workspace, channel) DO UPDATE SET model = excluded.model,"
            " instructions = excluded.instructions, tools = excluded.tools,"
            " run_mode = excluded.run_mode, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at, language = excluded.language,"
            " prompts = excluded.prompts, retention_days = excluded.retention_days,"
            " tutor = excluded.tutor",
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
        )

    async def record_profile_change(self, change: ProfileChange) -> ProfileChange:
        stamped = replace(change, changed_at=change.changed_at or time.time())
        change_id = await self.pool.fetchval(
            "INSERT INTO profile_changes (platform, workspace, channel, field, old_value,"
            " new_value, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " RETURNING id",
            stamped.platform,
            stamped.workspace,
            stamped.channel,
            stamped.field,
            stamped.old_value,
            stamped.new_value,
            stamped.changed_by,
            stamped.changed_at,
        )
        return replace(stamped, id=int(change_id))

    async def profile_changes(
        self, platform: str, workspace: str, *, limit: int = 20
    ) -> list[ProfileChange]:
        rows = await self.pool.fetch(
            f"SELECT {_CHANGE_COLUMNS} FROM profile_changes"
            " WHERE platform = $1 AND workspace = $2 ORDER BY id DESC LIMIT $3",
            platform,
            workspace,
            limit,
        )
        return [ProfileChange(*row) for row in rows]

    async def get_profile_change(
        self, platform: str, workspace: str, change_id: int
    ) -> ProfileChange | None:
        row = await self.pool.fetchrow(
            f"SELECT {_CHANGE_COLUMNS} FROM profile_changes"
            " WHERE platform = $1 AND workspace = $2 AND id = $3",
            platform,
            workspace,
            change_id,
        )
        return ProfileChange(*row) if row is not None else None

    # Quotas and usage.

    async def get_quota(self, platform: str, workspace: str, channel: str) -> Quota | None:
        row = await self.pool.fetchrow(
            "SELECT platform, workspace, channel, messages_per_day, tokens_per_day, updated_by,"
            " updated_at FROM quotas WHERE platform = $1 AND workspace = $2 AND channel = $3",
            platform,
            workspace,
            channel,
        )
        return Quota(*row) if row is not None else None

    async def save_quota(self, quota: Quota) -> None:
        await self.pool.execute(
            "INSERT INTO quotas (platform, workspace, channel, messages_per_day, tokens_per_day,"
            " updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (platform, workspace, channel) DO UPDATE SET"
            " messages_per_day = excluded.messages_per_day,"
            " tokens_per_day = excluded.tokens_per_day, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            quota.platform,
            quota.workspace,
            quota.channel,
            quota.messages_per_day,
            quota.tokens_per_day,
            quota.updated_by,
            quota.updated_at or time.time(),
        )

    async def usage_since(
        self, platform: str, workspace: str, since: float, *, user: str | None = None
    ) -> list[UserUsage]:
        sql = (
            "SELECT j.user_id, COUNT(DISTINCT r.job_id), COALESCE(SUM(r.input_tokens), 0),"
            " COALESCE(SUM(r.output_tokens), 0) FROM runs r JOIN jobs j ON j.id = r.job_id"
            " WHERE j.platform = $1 AND j.workspace = $2 AND r.started_at >= $3"
        )
        params: list[Any] = [platform, workspace, since]
        if user is not None:
            params.append(user)
            sql += " AND j.user_id = $4"
        sql += " GROUP BY j.user_id ORDER BY SUM(r.input_tokens) + SUM(r.output_tokens) DESC, 1"
        rows = await self.pool.fetch(sql, *params)
        return [UserUsage(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def usage_by_day(self, platform: str, workspace: str, since: float) -> list[DailyUsage]:
        rows = await self.pool.fetch(
            "SELECT to_char(to_timestamp(r.started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,"
            " j.user_id, COUNT(DISTINCT r.job_id), COALESCE(SUM(r.input_tokens), 0),"
            " COALESCE(SUM(r.output_tokens), 0) FROM runs r JOIN jobs j ON j.id = r.job_id"
            " WHERE j.platform = $1 AND j.workspace = $2 AND r.started_at >= $3"
            " GROUP BY day, j.user_id ORDER BY day, j.user_id",
            platform,
            workspace,
            since,
        )
        return [DailyUsage(str(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]

    async def role_quotas(self, platform: str, workspace: str) -> list[RoleQuota]:
        rows = await self.pool.fetch(
            "SELECT platform, workspace, role, messages_per_day, tokens_per_day, updated_by,"
            " updated_at FROM role_quotas WHERE platform = $1 AND workspace = $2 ORDER BY role",
            platform,
            workspace,
        )
        return [RoleQuota(*row) for row in rows]

    async def save_role_quota(self, quota: RoleQuota) -> None:
        if quota.messages_per_day is None and quota.tokens_per_day is None:
            await self.pool.execute(
                "DELETE FROM role_quotas WHERE platform = $1 AND workspace = $2 AND role = $3",
                quota.platform,
                quota.workspace,
                quota.role,
            )
            return
        await self.pool.execute(
            "INSERT INTO role_quotas (platform, workspace, role, messages_per_day,"
            " tokens_per_day, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (platform, workspace, role) DO UPDATE SET"
            " messages_per_day = excluded.messages_per_day,"
            " tokens_per_day = excluded.tokens_per_day, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            quota.platform,
            quota.workspace,
            quota.role,
            quota.messages_per_day,
            quota.tokens_per_day,
            quota.updated_by,
            quota.updated_at or time.time(),
        )

    async def quota_workspaces(self, platform: str) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT workspace FROM quotas WHERE platform = $1"
            " AND (messages_per_day > 0 OR tokens_per_day > 0)"
            " UNION SELECT workspace FROM role_quotas WHERE platform = $1 ORDER BY 1",
            platform,
        )
        return [str(row[0]) for row in rows]

    # People.

    async def remember_locale(self, platform: str, user: str, locale: str) -> None:
        await self.pool.execute(
            "INSERT INTO person_locales (platform, user_id, locale, updated_at)"
            " VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET locale = excluded.locale,"
            " updated_at = excluded.updated_at",
            platform,
            user,
            locale,
            time.time(),
        )

    async def remembered_locale(self, platform: str, user: str) -> str | None:
        value = await self.pool.fetchval(
            "SELECT locale FROM person_locales WHERE platform = $1 AND user_id = $2", platform, user
        )
        return str(value) if value is not None else None

    # Threads and files.

    async def get_thread(
        self, platform: str, workspace: str, user: str, profile_key: str
    ) -> ThreadRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = $1 AND workspace = $2"
            " AND user_id = $3 AND profile_key = $4 AND archived_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            platform,
            workspace,
            user,
            profile_key,
        )
        return ThreadRecord(*row) if row is not None else None

    async def create_thread(
        self, platform: str, workspace: str, user: str, profile_key: str, conversation_id: str
    ) -> ThreadRecord:
        now = time.time()
        thread_id = await self.pool.fetchval(
            "INSERT INTO threads (platform, workspace, user_id, profile_key, conversation_id,"
            " created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            platform,
            workspace,
            user,
            profile_key,
            conversation_id,
            now,
        )
        return ThreadRecord(
            int(thread_id), platform, workspace, user, profile_key, conversation_id, now, now
        )

    async def touch_thread(self, thread_id: int) -> None:
        await self.pool.execute(
            "UPDATE threads SET last_used_at = $1 WHERE id = $2", time.time(), thread_id
        )

    async def archive_threads(self, platform: str, workspace: str, user: str) -> int:
        return await self._write(
            "UPDATE threads SET archived_at = $1 WHERE platform = $2 AND workspace = $3"
            " AND user_id = $4 AND archived_at IS NULL",
            time.time(),
            platform,
            workspace,
            user,
        )

    async def set_thread_vector_store(self, thread_id: int, vector_store_id: str) -> None:
        await self.pool.execute(
            "UPDATE threads SET vector_store_id = $1 WHERE id = $2", vector_store_id, thread_id
        )

    async def add_thread_file(self, file: ThreadFile) -> None:
        await self.pool.execute(
            "INSERT INTO thread_files (thread_id, file_id, filename, kind, created_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            file.thread_id,
            file.file_id,
            file.filename,
            file.kind,
            file.created_at or time.time(),
        )

    async def thread_files(self, thread_id: int, kind: FileKind | None = None) -> list[ThreadFile]:
        sql = "SELECT thread_id, file_id, filename, kind, created_at FROM thread_files"
        sql += " WHERE thread_id = $1" + (" AND kind = $2" if kind else "")
        rows = await self.pool.fetch(
            sql + " ORDER BY created_at", *((thread_id, kind) if kind else (thread_id,))
        )
        return [ThreadFile(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # Privacy.

    async def user_threads(self, platform: str, user: str) -> list[ThreadRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = $1 AND user_id = $2"
            " ORDER BY id",
            platform,
            user,
        )
        return [ThreadRecord(*row) for row in rows]

    async def idle_threads(
        self, platform: str, workspace: str, before: float, *, limit: int = 100
    ) -> list[ThreadRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_THREAD_COLUMNS} FROM threads WHERE platform = $1 AND workspace = $2"
            " AND last_used_at < $3 AND (deleting_at IS NULL OR deleting_at < $4)"
            " ORDER BY last_used_at LIMIT $5",
            platform,
            workspace,
            before,
            time.time() - DELETION_LEASE,
            limit,
        )
        return [ThreadRecord(*row) for row in rows]

    async def claim_thread_deletion(
        self, thread_id: int, *, idle_before: float | None = None
    ) -> bool:
        # One UPDATE: of two processes claiming at once, the second re-reads the row after the
        # first commits and finds a fresh mark.
        now = time.time()
        status = await self.pool.execute(
            "UPDATE threads SET archived_at = COALESCE(archived_at, $1), deleting_at = $1"
            " WHERE id = $2 AND (deleting_at IS NULL OR deleting_at < $3)"
            " AND ($4::double precision IS NULL OR last_used_at < $4)",
            now,
            thread_id,
            now - DELETION_LEASE,
            idle_before,
        )
        return str(status) == "UPDATE 1"

    async def delete_thread(self, thread_id: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM runs WHERE thread_id = $1", thread_id)
            await conn.execute("DELETE FROM thread_files WHERE thread_id = $1", thread_id)
            await conn.execute("DELETE FROM threads WHERE id = $1", thread_id)

    async def delete_jobs(
        self,
        platform: str,
        *,
        user: str | None = None,
        workspace: str | None = None,
        before: float | None = None,
    ) -> int:
        where = "platform = $1 AND status IN ('answered', 'failed')"
        params: list[Any] = [platform]
        for column, value in (("user_id", user), ("workspace", workspace)):
            if value is not None:
                params.append(value)
                where += f" AND {column} = ${len(params)}"
        if before is not None:
            params.append(before)
            where += f" AND created_at < ${len(params)}"
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"DELETE FROM runs WHERE job_id IN (SELECT id FROM jobs WHERE {where})", *params
            )
            status = await conn.execute(f"DELETE FROM jobs WHERE {where}", *params)
        return int(str(status).split()[-1])

    async def forget_person(self, platform: str, user: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for table in ("person_locales", "people"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE platform = $1 AND user_id = $2", platform, user
                )

    async def retention_profiles(self) -> list[Profile]:
        rows = await self.pool.fetch(
            "SELECT platform, workspace FROM profiles WHERE channel = ''"
            " AND retention_days IS NOT NULL ORDER BY platform, workspace"
        )
        found = [await self.get_profile(row[0], row[1], "") for row in rows]
        return [profile for profile in found if profile is not None]

    # Knowledge bases.

    async def get_knowledge_base(self, platform: str, workspace: str, channel: str) -> str | None:
        value = await self.pool.fetchval(
            "SELECT vector_store_id FROM knowledge_bases"
            " WHERE platform = $1 AND workspace = $2 AND channel = $3",
            platform,
            workspace,
            channel,
        )
        return str(value) if value is not None else None

    async def set_knowledge_base(
        self, platform: str, workspace: str, channel: str, vector_store_id: str
    ) -> None:
        await self.pool.execute(
            "INSERT INTO knowledge_bases (platform, workspace, channel, vector_store_id,"
            " created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, workspace, channel)"
            " DO UPDATE SET vector_store_id = excluded.vector_store_id",
            platform,
            workspace,
            channel,
            vector_store_id,
            time.time(),
        )

    async def add_knowledge_file(self, file: KnowledgeFile) -> None:
        await self.pool.execute(
            "INSERT INTO knowledge_files (platform, workspace, channel, file_id, filename,"
            " added_by, added_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT DO NOTHING",
            file.platform,
            file.workspace,
            file.channel,
            file.file_id,
            file.filename,
            file.added_by,
            file.added_at or time.time(),
            file.kind,
        )

    async def knowledge_files(
        self, platform: str, workspace: str, channel: str
    ) -> list[KnowledgeFile]:
        rows = await self.pool.fetch(
            "SELECT platform, workspace, channel, file_id, filename, added_by, added_at,"
            " kind FROM knowledge_files WHERE platform = $1 AND workspace = $2 AND channel = $3"
            " ORDER BY added_at, filename",
            platform,
            workspace,
            channel,
        )
        return [KnowledgeFile(*row) for row in rows]

    async def remove_knowledge_file(
        self, platform: str, workspace: str, channel: str, file_id: str
    ) -> bool:
        removed = await self._write(
            "DELETE FROM knowledge_files WHERE platform = $1 AND workspace = $2"
            " AND channel = $3 AND file_id = $4",
            platform,
            workspace,
            channel,
            file_id,
        )
        return removed == 1

    # People.

    async def claim_greeting(self, platform: str, workspace: str, user: str) -> bool:
        status = await self.pool.execute(
            "INSERT INTO people (platform, workspace, user_id, greeted_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET greeted_at = excluded.greeted_at WHERE people.greeted_at IS NULL",
            platform,
            workspace,
            user,
            time.time(),
        )
        return status.endswith(" 1")

    async def release_greeting(self, platform: str, workspace: str, user: str) -> None:
        await self.pool.execute(
            "UPDATE people SET greeted_at = NULL"
            " WHERE platform = $1 AND workspace = $2 AND user_id = $3",
            platform,
            workspace,
            user,
        )

    async def save_viewing(
        self, platform: str, workspace: str, user: str, viewing: Viewing | None
    ) -> None:
        await self.pool.execute(
            "INSERT INTO people (platform, workspace, user_id, view_channel, view_thread, view_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET view_channel = excluded.view_channel, view_thread = excluded.view_thread,"
            " view_at = excluded.view_at",
            platform,
            workspace,
            user,
            viewing.channel if viewing else None,
            (viewing.thread_ts or None) if viewing else None,
            time.time(),
        )

    async def get_viewing(self, platform: str, workspace: str, user: str) -> Viewing | None:
        row = await self.pool.fetchrow(
            "SELECT view_channel, view_thread, view_at FROM people"
            " WHERE platform = $1 AND workspace = $2 AND user_id = $3",
            platform,
            workspace,
            user,
        )
        if row is None or not row["view_channel"]:
            return None
        return Viewing(row["view_channel"], row["view_thread"] or "", row["view_at"] or 0.0)

    # Runs.

    async def start_run(self, job_id: int, thread_id: int, mode: str) -> RunRecord:
        now = time.time()
        run_id = await self.pool.fetchval(
            "INSERT INTO runs (job_id, thread_id, mode, status, started_at)"
            " VALUES ($1, $2, $3, 'in_progress', $4) RETURNING id",
            job_id,
            thread_id,
            mode,
            now,
        )
        return RunRecord(int(run_id), job_id, thread_id, mode, "in_progress", started_at=now)

    async def update_run(
        self, run_id: int, *, response_id: str | None = None, last_sequence: int | None = None
    ) -> None:
        await self.pool.execute(
            "UPDATE runs SET response_id = COALESCE($1, response_id),"
            " last_sequence = COALESCE($2, last_sequence) WHERE id = $3",
            response_id,
            last_sequence,
            run_id,
        )

    async def finish_run(
        self, run_id: int, status: RunStatus, usage: Usage | None = None, error: str | None = None
    ) -> None:
        usage = usage or Usage()
        await self.pool.execute(
            "UPDATE runs SET status = $1, input_tokens = $2, output_tokens = $3, error = $4,"
            " finished_at = $5 WHERE id = $6",
            status,
            usage.input_tokens,
            usage.output_tokens,
            error,
            time.time(),
            run_id,
        )

    async def latest_run(self, job_id: int) -> RunRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE job_id = $1 ORDER BY id DESC LIMIT 1",
            job_id,
        )
        return RunRecord(*row) if row is not None else None


async def _version(conn: asyncpg.pool.PoolConnectionProxy[asyncpg.Record]) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT COALESCE(max(version), 0) FROM schema_version")
    return int(version)


def _job(row: asyncpg.Record) -> Job:
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
