"""Remote MCP servers of a profile and their tool calls waiting for approval, in SQL
(``McpTools``). A decision and the job that continues the answer are written in one
transaction: a click is never decided without its continuation, nor continued twice."""

from __future__ import annotations

import time
from collections.abc import Sequence

from storage.dialect import Tables, among, columns, insert, of_platforms, record_of, values_of
from storage.inbox import accept_in
from storage.records import ApprovalStatus, Job, McpApproval, McpServer, NewJob

_SERVER_KEY = ("platform", "workspace", "channel", "label")


class _NotQueued(Exception):
    """The continuation was a duplicate: roll the decision back."""


class McpTables(Tables):
    async def save_mcp_server(self, server: McpServer) -> None:
        await self.save("mcp_servers", _SERVER_KEY, server, "added_at")

    async def remove_mcp_server(
        self, platform: str, workspace: str, channel: str, label: str
    ) -> bool:
        scope = {"platform": platform, "workspace": workspace, "channel": channel}
        return await self.delete("mcp_servers", **scope, label=label) == 1

    async def mcp_servers(
        self, platform: str, workspace: str, channels: Sequence[str]
    ) -> list[McpServer]:
        where = f"platform = ? AND workspace = ? AND channel {among(channels)}"
        args = (platform, workspace, *channels)
        return await self.select(McpServer, "mcp_servers", f"{where} ORDER BY channel, label", args)

    async def add_approvals(self, approvals: Sequence[McpApproval]) -> None:
        async with self.db.transaction() as tx:
            for approval in approvals:
                values = values_of(approval, stamp=("created_at",))
                await tx.execute(*insert("mcp_approvals", values, "ON CONFLICT (id) DO NOTHING"))

    async def get_approval(self, approval_id: str) -> McpApproval | None:
        return await self.one(McpApproval, "mcp_approvals", "id = ?", (approval_id,))

    async def approval_group(self, answers: str) -> list[McpApproval]:
        where = "answers = ? ORDER BY id"
        return await self.select(McpApproval, "mcp_approvals", where, (answers,))

    async def decide_approvals(
        self, answers: str, status: ApprovalStatus, decided_by: str, continuation: NewJob
    ) -> Job | None:
        """Decide the group's pending, unexpired requests and queue ``continuation``; None
        (and nothing changed) when none was pending any more."""
        now = time.time()
        try:
            async with self.db.transaction() as tx:
                decided = await tx.fetch(
                    "UPDATE mcp_approvals SET status = ?, decided_by = ?, decided_at = ?"
                    " WHERE answers = ? AND status = 'pending' AND expires_at > ? RETURNING id",
                    (status, decided_by, now, answers, now),
                )
                if not decided:
                    return None
                job = await accept_in(tx, continuation)
                if job is None:
                    raise _NotQueued  # the decision rolls back with it
                await tx.execute(
                    "UPDATE mcp_approvals SET continuation_job = ? WHERE answers = ?",
                    (job.id, answers),
                )
        except _NotQueued:
            return None
        return job

    async def expire_approvals(
        self, now: float, platforms: Sequence[str] | None = None
    ) -> list[McpApproval]:
        """Mark the pending requests (of ``platforms``, when given) whose time is up expired;
        those requests."""
        only, args = of_platforms(platforms)
        rows = await self.db.fetch(
            "UPDATE mcp_approvals SET status = 'expired', decided_at = ?"
            f" WHERE status = 'pending' AND expires_at <= ?{only} RETURNING {columns(McpApproval)}",
            (now, now, *args),
        )
        return [record_of(McpApproval, row) for row in rows]

    async def next_approval_expiry(self, platforms: Sequence[str] | None = None) -> float | None:
        only, args = of_platforms(platforms)
        row = await self.db.fetchrow(
            f"SELECT MIN(expires_at) FROM mcp_approvals WHERE status = 'pending'{only}", args
        )
        return float(row[0]) if row is not None and row[0] is not None else None
