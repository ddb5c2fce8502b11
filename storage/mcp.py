"""Remote MCP servers of a profile and their tool calls waiting for approval, in SQL
(``McpTools``). A decision and the job that continues the answer are written in one
transaction: a click is never decided without its continuation, nor continued twice."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from storage.dialect import Tables, columns, first, insert, record_of, upsert
from storage.inbox import accept_in
from storage.records import ApprovalStatus, Job, McpApproval, McpServer, NewJob

_SERVER_KEY = ("platform", "workspace", "channel", "label")
_APPROVAL_COLUMNS = columns(McpApproval, user="user_id")


def _server(row: object) -> McpServer:
    server = record_of(McpServer, row, json=("allowed_tools", "headers"))
    return server


class _NotQueued(Exception):
    """The continuation was a duplicate: roll the decision back."""


def _platforms_in(platforms: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    if platforms is None:
        return "", ()
    marks = ", ".join("?" * len(platforms)) or "NULL"
    return f" AND platform IN ({marks})", tuple(platforms)


class McpTables(Tables):
    async def save_mcp_server(self, server: McpServer) -> None:
        values = vars(server) | {
            "allowed_tools": json.dumps(list(server.allowed_tools))
            if server.allowed_tools is not None
            else None,
            "headers": json.dumps(server.headers),
            "added_at": server.added_at or time.time(),
        }
        await self.db.execute(*upsert("mcp_servers", _SERVER_KEY, values))

    async def remove_mcp_server(
        self, platform: str, workspace: str, channel: str, label: str
    ) -> bool:
        removed = await self.db.execute(
            "DELETE FROM mcp_servers WHERE platform = ? AND workspace = ? AND channel = ?"
            " AND label = ?",
            (platform, workspace, channel, label),
        )
        return removed == 1

    async def mcp_servers(
        self, platform: str, workspace: str, channels: Sequence[str]
    ) -> list[McpServer]:
        marks = ", ".join("?" * len(channels)) or "NULL"
        rows = await self.db.fetch(
            f"SELECT {columns(McpServer)} FROM mcp_servers WHERE platform = ? AND workspace = ?"
            f" AND channel IN ({marks}) ORDER BY channel, label",
            (platform, workspace, *channels),
        )
        return [_server(row) for row in rows]

    async def add_approvals(self, approvals: Sequence[McpApproval]) -> None:
        async with self.db.transaction() as tx:
            for approval in approvals:
                values = vars(approval) | {"created_at": approval.created_at or time.time()}
                values["user_id"] = values.pop("user")
                await tx.execute(*insert("mcp_approvals", values, "ON CONFLICT (id) DO NOTHING"))

    async def get_approval(self, approval_id: str) -> McpApproval | None:
        found = await self.select(
            McpApproval, "mcp_approvals", "id = ?", (approval_id,), user="user_id"
        )
        return first(found)

    async def approval_group(self, answers: str) -> list[McpApproval]:
        return await self.select(
            McpApproval, "mcp_approvals", "answers = ? ORDER BY id", (answers,), user="user_id"
        )

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
        only, args = _platforms_in(platforms)
        rows = await self.db.fetch(
            "UPDATE mcp_approvals SET status = 'expired', decided_at = ?"
            f" WHERE status = 'pending' AND expires_at <= ?{only} RETURNING {_APPROVAL_COLUMNS}",
            (now, now, *args),
        )
        return [record_of(McpApproval, row) for row in rows]

    async def next_approval_expiry(self, platforms: Sequence[str] | None = None) -> float | None:
        only, args = _platforms_in(platforms)
        row = await self.db.fetchrow(
            f"SELECT MIN(expires_at) FROM mcp_approvals WHERE status = 'pending'{only}", args
        )
        return float(row[0]) if row is not None and row[0] is not None else None
