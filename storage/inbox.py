"""The inbox and its jobs (``Inbox``), and the runs that answer them (``RunLog``), in SQL.

A job moves queued → running (claimed by a worker, with a lease it renews) → answered | failed.
Several processes may claim from one database: row locks alone (``FOR UPDATE SKIP LOCKED``)
do not keep a thread to one running job, since two claimers can each see the thread idle and
take different jobs of it. So a claimer first takes a per-thread lock for its transaction
(skipping threads another claimer holds), and only then, in a new statement and so on a
snapshot that includes every earlier claim, picks each thread's oldest queued job if none
runs. On SQLite the transaction holds the database's one write lock, which does the same.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from storage.dialect import Conn, Tables, among, columns, insert, of_platforms, record_of, values_of
from storage.records import Job, JobStatus, NewJob, RunRecord, RunStatus, Usage, thread_key

_JOB_COLUMNS = columns(Job)

# Threads with a queued job and none running, oldest first; the outer filter takes each one's
# claim lock as rows are pulled, so it stops locking once the last LIMIT is reached. The
# (volatile) lock is not pushed into the subquery, whose LIMIT bounds what is looked at.
_RUNNABLE_THREADS = """
SELECT candidate.thread_key FROM (
    SELECT q.thread_key, min(q.id) AS first_id FROM jobs q
    WHERE q.status = 'queued'{only} AND NOT EXISTS (
        SELECT 1 FROM jobs r WHERE r.thread_key = q.thread_key AND r.status = 'running')
    GROUP BY q.thread_key
    ORDER BY first_id
    LIMIT ?
) AS candidate
WHERE {lock}
LIMIT ?
"""

# Decided again on a snapshot taken after the locks were granted: the oldest queued job of
# each locked thread, if the thread still has none running.
_CLAIM = f"""
UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ?, claimed_by = ?,
    lease_until = ?
WHERE id IN (
    SELECT q.id FROM jobs q
    WHERE q.thread_key {{keys}} AND q.status = 'queued'
      AND q.id = (SELECT min(m.id) FROM jobs m
                  WHERE m.thread_key = q.thread_key AND m.status = 'queued')
      AND NOT EXISTS (SELECT 1 FROM jobs r
                      WHERE r.thread_key = q.thread_key AND r.status = 'running')
    {{skip_locked}}
)
RETURNING {_JOB_COLUMNS}
"""

_SEEN = (
    "INSERT INTO inbound_events (platform, event_id, seen_at) VALUES (?, ?, ?)"
    " ON CONFLICT DO NOTHING"
)
_RELEASE = (
    "UPDATE jobs SET status = 'queued', claimed_by = NULL, lease_until = NULL"
    " WHERE status = 'running' AND {which} RETURNING id"
)


async def accept_in(tx: Conn, job: NewJob) -> Job | None:
    """``Inbox.accept`` inside a transaction of the caller's (a click that queues work)."""
    now = time.time()
    if await tx.fetchrow(f"{_SEEN} RETURNING 1", (job.platform, job.event_id, now)) is None:
        return None
    # The job row outlives the event id (purged after EVENT_RETENTION_DAYS): a very
    # late redelivery is still a duplicate.
    key = job.thread_key or thread_key(job.platform, job.workspace, job.user)
    values = values_of(job) | {"thread_key": key, "status": "queued"}
    values |= {"created_at": now, "updated_at": now}
    conflict = f"ON CONFLICT (platform, event_id) DO NOTHING RETURNING {_JOB_COLUMNS}"
    rows = await tx.fetch(*insert("jobs", values, conflict))
    return record_of(Job, rows[0]) if rows else None


class InboxTables(Tables):
    @property
    def shared(self) -> bool:
        return self.db.shared

    async def accept(self, job: NewJob) -> Job | None:
        # Two processes handed the same event race on the primary key of inbound_events: the
        # second insert waits for the first transaction, then does nothing.
        async with self.db.transaction() as tx:
            return await accept_in(tx, job)

    async def remember_event(self, platform: str, event_id: str) -> bool:
        return await self.db.execute(_SEEN, (platform, event_id, time.time())) == 1

    async def purge_events(self, older_than: float) -> int:
        return await self.db.execute("DELETE FROM inbound_events WHERE seen_at < ?", (older_than,))

    async def claim_runnable(
        self, limit: int, *, worker: str, lease: float, platforms: Sequence[str] | None = None
    ) -> list[Job]:
        if limit <= 0:
            return []
        now = time.time()
        only, args = of_platforms(platforms, "q.platform")
        runnable = _RUNNABLE_THREADS.format(
            lock=self.db.thread_lock.format("candidate.thread_key"), only=only
        )
        async with self.db.transaction() as tx:
            keys = [row[0] for row in await tx.fetch(runnable, (*args, 2 * limit + 16, limit))]
            if not keys:
                return []
            claim = _CLAIM.format(keys=among(keys), skip_locked=self.db.skip_locked)
            rows = await tx.fetch(claim, (now, worker, now + lease, *keys))
        return sorted((record_of(Job, row) for row in rows), key=lambda j: j.id)

    async def renew_leases(self, worker: str, lease: float) -> list[int]:
        sql = "UPDATE jobs SET lease_until = ? WHERE claimed_by = ? AND status = 'running'"
        return await self._ids(f"{sql} RETURNING id", (time.time() + lease, worker))

    async def release_worker(self, worker: str) -> list[int]:
        return await self._ids(_RELEASE.format(which="claimed_by = ?"), (worker,))

    async def release_expired(self, *, before: float) -> list[int]:
        # Concurrent releasers serialise on the row locks; the second one re-reads the row,
        # finds it queued and leaves it, so each job is released (and reported) once.
        which = "(lease_until IS NULL OR lease_until < ?)"
        return await self._ids(_RELEASE.format(which=which), (before,))

    async def _ids(self, sql: str, args: Sequence[Any]) -> list[int]:
        return sorted(int(row[0]) for row in await self.db.fetch(sql, args))

    async def get_job(self, job_id: int) -> Job | None:
        return await self.one(Job, "jobs", "id = ?", (job_id,))

    async def jobs(
        self, *, thread_key: str | None = None, statuses: Sequence[JobStatus] = ()
    ) -> list[Job]:
        where = "TRUE" if thread_key is None else "thread_key = ?"
        args = [thread_key] if thread_key is not None else []
        if statuses:
            where += f" AND status {among(statuses)}"
        return await self.select(Job, "jobs", f"{where} ORDER BY id", [*args, *statuses])

    async def finish_job(self, job_id: int, status: JobStatus, error: str | None = None) -> None:
        await self.update(
            "jobs", job_id, {"status": status, "error": error, "updated_at": time.time()}
        )

    async def requeue_job(self, job_id: int, *, reset_attempts: bool = False) -> None:
        await self.db.execute(
            "UPDATE jobs SET status = 'queued', error = NULL, updated_at = ?,"
            " attempts = CASE WHEN ? THEN 0 ELSE attempts END WHERE id = ?",
            (time.time(), reset_attempts, job_id),
        )

    async def save_reply_state(self, job_id: int, state: dict[str, Any]) -> None:
        values = {"reply_state": json.dumps(state), "open_replies": len(state.get("open") or ())}
        await self.update("jobs", job_id, values | {"updated_at": time.time()})

    # Crash safety (issue 12): replies left open.

    async def jobs_with_open_replies(self, statuses: Sequence[JobStatus]) -> list[Job]:
        where = f"open_replies > 0 AND status {among(statuses)} ORDER BY id"
        return await self.select(Job, "jobs", where, statuses)


class RunTables(Tables):
    async def start_run(self, job_id: int, thread_id: int, mode: str) -> RunRecord:
        # Only the columns a run starts with: the others keep the table's defaults.
        values: dict[str, Any] = {"job_id": job_id, "thread_id": thread_id, "mode": mode}
        values |= {"status": "in_progress", "started_at": time.time()}
        [row] = await self.db.fetch(*insert("runs", values, "RETURNING id"))
        return RunRecord(id=int(row[0]), **values)

    async def update_run(
        self, run_id: int, *, response_id: str | None = None, last_sequence: int | None = None
    ) -> None:
        await self.db.execute(
            "UPDATE runs SET response_id = COALESCE(?, response_id),"
            " last_sequence = COALESCE(?, last_sequence) WHERE id = ?",
            (response_id, last_sequence, run_id),
        )

    async def finish_run(
        self, run_id: int, status: RunStatus, usage: Usage | None = None, error: str | None = None
    ) -> None:
        used = usage or Usage()
        values = {f.name: getattr(used, f.name) for f in fields(Usage)}
        values |= {"status": status, "error": error, "finished_at": time.time()}
        await self.update("runs", run_id, values)

    async def latest_run(self, job_id: int) -> RunRecord | None:
        return await self.one(RunRecord, "runs", "job_id = ? ORDER BY id DESC LIMIT 1", (job_id,))
