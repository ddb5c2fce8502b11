"""What the bot remembers about a person between messages (``People``), in SQL."""

from __future__ import annotations

import time

from storage.dialect import Tables, upsert
from storage.records import Viewing

_PERSON = "platform = ? AND workspace = ? AND user_id = ?"


class PeopleTables(Tables):
    async def claim_greeting(self, platform: str, workspace: str, user: str) -> bool:
        changed = await self.db.execute(
            "INSERT INTO people (platform, workspace, user_id, greeted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET greeted_at = excluded.greeted_at WHERE people.greeted_at IS NULL",
            (platform, workspace, user, time.time()),
        )
        return changed == 1

    async def release_greeting(self, platform: str, workspace: str, user: str) -> None:
        await self.db.execute(
            f"UPDATE people SET greeted_at = NULL WHERE {_PERSON}", (platform, workspace, user)
        )

    async def save_viewing(
        self, platform: str, workspace: str, user: str, viewing: Viewing | None
    ) -> None:
        channel = viewing.channel if viewing else None
        thread = (viewing.thread_ts or None) if viewing else None
        await self.db.execute(
            "INSERT INTO people (platform, workspace, user_id, view_channel, view_thread, view_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, user_id) DO UPDATE"
            " SET view_channel = excluded.view_channel, view_thread = excluded.view_thread,"
            " view_at = excluded.view_at",
            (platform, workspace, user, channel, thread, time.time()),
        )

    async def get_viewing(self, platform: str, workspace: str, user: str) -> Viewing | None:
        row = await self.db.fetchrow(
            f"SELECT view_channel, view_thread, view_at FROM people WHERE {_PERSON}",
            (platform, workspace, user),
        )
        if row is None or not row["view_channel"]:
            return None
        return Viewing(row["view_channel"], row["view_thread"] or "", row["view_at"] or 0.0)

    async def remember_locale(self, platform: str, user: str, locale: str) -> None:
        values = {"platform": platform, "user_id": user, "locale": locale}
        key = ("platform", "user_id")
        await self.db.execute(*upsert("person_locales", key, values | {"updated_at": time.time()}))

    async def remembered_locale(self, platform: str, user: str) -> str | None:
        row = await self.db.fetchrow(
            "SELECT locale FROM person_locales WHERE platform = ? AND user_id = ?", (platform, user)
        )
        return str(row[0]) if row is not None else None
