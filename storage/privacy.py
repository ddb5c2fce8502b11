"""Forgetting a person and deleting idle conversations (``Privacy``), in SQL.

A thread being deleted carries a mark (``deleting_at``) set by the process that claimed it:
another process leaves the thread alone until the mark is ``DELETION_LEASE`` seconds old.
"""

from __future__ import annotations

import time
from typing import Any, Unpack

from storage.dialect import Tables
from storage.records import DELETION_LEASE, JobFilters, Profile, ThreadRecord

_FILTERS = {"user": "user_id = ?", "workspace": "workspace = ?", "before": "created_at < ?"}
"""What each of ``JobFilters`` keeps of the jobs."""


class PrivacyTables(Tables):
    async def user_threads(self, platform: str, user: str) -> list[ThreadRecord]:
        where = "platform = ? AND user_id = ? ORDER BY id"
        return await self.select(ThreadRecord, "threads", where, (platform, user))

    async def idle_threads(
        self, platform: str, workspace: str, before: float, *, limit: int = 100
    ) -> list[ThreadRecord]:
        where = (
            "platform = ? AND workspace = ? AND last_used_at < ?"
            " AND (deleting_at IS NULL OR deleting_at < ?) ORDER BY last_used_at LIMIT ?"
        )
        args = (platform, workspace, before, time.time() - DELETION_LEASE, limit)
        return await self.select(ThreadRecord, "threads", where, args)

    async def claim_thread_deletion(
        self, thread_id: int, *, idle_before: float | None = None
    ) -> bool:
        # One UPDATE: of two processes claiming at once, the second re-reads the row after the
        # first commits and finds a fresh mark.
        now = time.time()
        sql = (
            "UPDATE threads SET archived_at = COALESCE(archived_at, ?), deleting_at = ?"
            " WHERE id = ? AND (deleting_at IS NULL OR deleting_at < ?)"
        )
        args: list[Any] = [now, now, thread_id, now - DELETION_LEASE]
        if idle_before is not None:
            sql += " AND last_used_at < ?"
            args.append(idle_before)
        return await self.db.execute(sql, args) == 1

    async def delete_thread(self, thread_id: int) -> None:
        async with self.db.transaction() as tx:
            for sql in (
                "DELETE FROM chat_messages WHERE conversation_id ="
                " (SELECT conversation_id FROM threads WHERE id = ?)",
                "DELETE FROM runs WHERE thread_id = ?",
                "DELETE FROM thread_files WHERE thread_id = ?",
                "DELETE FROM threads WHERE id = ?",
            ):
                await tx.execute(sql, (thread_id,))

    async def delete_jobs(self, platform: str, **only: Unpack[JobFilters]) -> int:
        given = {_FILTERS[name]: value for name, value in only.items() if value is not None}
        where = " AND ".join(["platform = ? AND status IN ('answered', 'failed')", *given])
        args = [platform, *given.values()]
        async with self.db.transaction() as tx:
            for table in ("runs", "mcp_approvals"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE job_id IN (SELECT id FROM jobs WHERE {where})",
                    args,
                )
            return await tx.execute(f"DELETE FROM jobs WHERE {where}", args)

    async def forget_person(self, platform: str, user: str) -> None:
        async with self.db.transaction() as tx:
            for table in ("person_locales", "people", "feedback", "mcp_approvals"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE platform = ? AND user_id = ?", (platform, user)
                )
            # Who decided on someone else's tool call: the decision stays, the person goes.
            await tx.execute(
                "UPDATE mcp_approvals SET decided_by = NULL WHERE platform = ? AND decided_by = ?",
                (platform, user),
            )

    async def retention_profiles(self) -> list[Profile]:
        where = "channel = '' AND retention_days IS NOT NULL ORDER BY platform, workspace"
        return await self.select(Profile, "profiles", where, ())
