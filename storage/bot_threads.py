"""The platform threads the bot answers in (``BotThreads``), in SQL: a follow-up there needs
no mention, after a restart and in every process on the database."""

from __future__ import annotations

import time

from storage.dialect import Tables


class BotThreadTables(Tables):
    async def remember_bot_thread(self, platform: str, channel: str, thread: str) -> None:
        await self.db.execute(
            "INSERT INTO bot_threads (platform, channel, thread, started_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (platform, channel, thread, time.time()),
        )

    async def is_bot_thread(self, platform: str, channel: str, thread: str) -> bool:
        row = await self.db.fetchrow(
            "SELECT 1 FROM bot_threads WHERE platform = ? AND channel = ? AND thread = ?",
            (platform, channel, thread),
        )
        return row is not None
