"""What admins set, in SQL: assistant profiles and their history (``Profiles``), daily quotas
(per scope and per role) and the usage they count (``Quotas``), and knowledge bases and data
files (``Knowledge``)."""

from __future__ import annotations

import time
from dataclasses import fields, replace

from storage.dialect import Tables, insert, record_of, values_of
from storage.records import (
    CONTINUATION_EVENT,
    DailyUsage,
    KnowledgeFile,
    Profile,
    ProfileChange,
    Quota,
    RoleQuota,
    Usage,
    UserUsage,
)

_SCOPE = "platform = ? AND workspace = ? AND channel = ?"
_KEY = ("platform", "workspace", "channel")
# Cast: PostgreSQL sums BIGINT columns as numeric.
_USED = ", ".join(f"CAST(SUM(r.{f.name}) AS BIGINT) AS {f.name}" for f in fields(Usage))
_USAGE = (
    'SELECT {day}j.user_id AS "user", COUNT(DISTINCT CASE'
    f" WHEN j.event_id NOT LIKE '{CONTINUATION_EVENT}%' THEN r.job_id END) AS messages, {_USED}"
    " FROM runs r JOIN jobs j ON j.id = r.job_id"
    " WHERE j.platform = ? AND j.workspace = ? AND r.started_at >= ?{only}"
    " GROUP BY {group}j.user_id ORDER BY {order}"
)
"""Messages answered (a continuation of an answer is none), tokens and hosted tool calls per
person (and per day, with ``day``)."""


class ProfileTables(Tables):
    async def get_profile(self, platform: str, workspace: str, channel: str) -> Profile | None:
        return await self.one(Profile, "profiles", _SCOPE, (platform, workspace, channel))

    async def save_profile(self, profile: Profile) -> None:
        await self.save("profiles", _KEY, profile, "updated_at")

    async def record_profile_change(self, change: ProfileChange) -> ProfileChange:
        stamped = replace(change, changed_at=change.changed_at or time.time())
        return await self.add("profile_changes", stamped)

    async def profile_changes(
        self, platform: str, workspace: str, *, limit: int = 20
    ) -> list[ProfileChange]:
        where = "platform = ? AND workspace = ? ORDER BY id DESC LIMIT ?"
        return await self.select(
            ProfileChange, "profile_changes", where, (platform, workspace, limit)
        )

    async def get_profile_change(
        self, platform: str, workspace: str, change_id: int
    ) -> ProfileChange | None:
        where = "platform = ? AND workspace = ? AND id = ?"
        args = (platform, workspace, change_id)
        return await self.one(ProfileChange, "profile_changes", where, args)


class QuotaTables(Tables):
    async def get_quota(self, platform: str, workspace: str, channel: str) -> Quota | None:
        return await self.one(Quota, "quotas", _SCOPE, (platform, workspace, channel))

    async def save_quota(self, quota: Quota) -> None:
        await self.save("quotas", _KEY, quota, "updated_at")

    async def usage_since(
        self, platform: str, workspace: str, since: float, *, user: str | None = None
    ) -> list[UserUsage]:
        only = " AND j.user_id = ?" if user is not None else ""
        order = "SUM(r.input_tokens) + SUM(r.output_tokens) DESC, 1"
        args = (platform, workspace, since, *([user] if user is not None else []))
        rows = await self.db.fetch(_USAGE.format(day="", only=only, group="", order=order), args)
        return [record_of(UserUsage, row) for row in rows]

    async def usage_by_day(self, platform: str, workspace: str, since: float) -> list[DailyUsage]:
        day = f"{self.db.utc_day.format('r.started_at')} AS day, "
        sql = _USAGE.format(day=day, only="", group="day, ", order="day, j.user_id")
        rows = await self.db.fetch(sql, (platform, workspace, since))
        return [record_of(DailyUsage, row) for row in rows]

    async def role_quotas(self, platform: str, workspace: str) -> list[RoleQuota]:
        where = "platform = ? AND workspace = ? ORDER BY role"
        return await self.select(RoleQuota, "role_quotas", where, (platform, workspace))

    async def save_role_quota(self, quota: RoleQuota) -> None:
        if quota.messages_per_day is None and quota.tokens_per_day is None:
            key = {"platform": quota.platform, "workspace": quota.workspace, "role": quota.role}
            await self.delete("role_quotas", **key)
            return
        await self.save("role_quotas", ("platform", "workspace", "role"), quota, "updated_at")

    async def quota_workspaces(self, platform: str) -> list[str]:
        rows = await self.db.fetch(
            "SELECT workspace FROM quotas WHERE platform = ?"
            " AND (messages_per_day > 0 OR tokens_per_day > 0)"
            " UNION SELECT workspace FROM role_quotas WHERE platform = ? ORDER BY 1",
            (platform, platform),
        )
        return [str(row[0]) for row in rows]


class KnowledgeTables(Tables):
    async def get_knowledge_base(self, platform: str, workspace: str, channel: str) -> str | None:
        sql = f"SELECT vector_store_id FROM knowledge_bases WHERE {_SCOPE}"
        return await self.text(sql, (platform, workspace, channel))

    async def set_knowledge_base(
        self, platform: str, workspace: str, channel: str, vector_store_id: str
    ) -> None:
        # created_at is when the base was first made: an update keeps it.
        await self.db.execute(
            "INSERT INTO knowledge_bases (platform, workspace, channel, vector_store_id,"
            " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, channel)"
            " DO UPDATE SET vector_store_id = excluded.vector_store_id",
            (platform, workspace, channel, vector_store_id, time.time()),
        )

    async def add_knowledge_file(self, file: KnowledgeFile) -> None:
        values = values_of(file, stamp=("added_at",))
        await self.db.execute(*insert("knowledge_files", values, "ON CONFLICT DO NOTHING"))

    async def knowledge_files(
        self, platform: str, workspace: str, channel: str
    ) -> list[KnowledgeFile]:
        where = f"{_SCOPE} ORDER BY added_at, filename"
        return await self.select(
            KnowledgeFile, "knowledge_files", where, (platform, workspace, channel)
        )

    async def remove_knowledge_file(
        self, platform: str, workspace: str, channel: str, file_id: str
    ) -> bool:
        scope = {"platform": platform, "workspace": workspace, "channel": channel}
        return await self.delete("knowledge_files", **scope, file_id=file_id) == 1
