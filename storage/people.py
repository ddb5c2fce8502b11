"""What the bot remembers about a person between messages (``People``), and the platform
threads it answers in (``BotThreads``: a follow-up there needs no mention, after a restart and
in every process on the database), in SQL."""

from __future__ import annotations

import time

from storage.dialect import Tables, insert, upsert
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
        values = {
            "platform": platform,
            "workspace": workspace,
            "user_id": user,
            "view_channel": viewing.channel if viewing else None,
            "view_thread": (viewing.thread_ts or None) if viewing else None,
            "view_at": time.time(),
        }
        await self.db.execute(*upsert("people", ("platform", "workspace", "user_id"), values))

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
        sql = "SELECT locale FROM person_locales WHERE platform = ? AND user_id = ?"
        return await self.text(sql, (platform, user))


class BotThreadTables(Tables):
    async def remember_bot_thread(self, platform: str, channel: str, thread: str) -> None:
        values = {"platform": platform, "channel": channel, "thread": thread}
        await self.db.execute(
            *insert("bot_threads", values | {"started_at": time.time()}, "ON CONFLICT DO NOTHING")
        )

    async def is_bot_thread(self, platform: str, channel: str, thread: str) -> bool:
        sql = "SELECT 1 FROM bot_threads WHERE platform = ? AND channel = ? AND thread = ?"
        return await self.text(sql, (platform, channel, thread)) is not None
