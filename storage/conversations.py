"""Each person's assistant threads and the files in them (``Conversations``), and the messages
of threads whose model server keeps no conversation (``ChatHistory``), in SQL."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from storage.dialect import Tables, insert, values_of
from storage.records import ChatMessage, FileKind, ThreadFile, ThreadRecord


class ConversationTables(Tables):
    async def get_thread(
        self, platform: str, workspace: str, user: str, profile_key: str
    ) -> ThreadRecord | None:
        where = (
            "platform = ? AND workspace = ? AND user_id = ? AND profile_key = ?"
            " AND archived_at IS NULL ORDER BY id DESC LIMIT 1"
        )
        args = (platform, workspace, user, profile_key)
        return await self.one(ThreadRecord, "threads", where, args)

    async def create_thread(
        self, platform: str, workspace: str, user: str, profile_key: str, conversation_id: str
    ) -> ThreadRecord:
        now = time.time()
        new = ThreadRecord(platform, workspace, 0, user, profile_key, conversation_id, now, now)
        return await self.add("threads", new)

    async def touch_thread(self, thread_id: int) -> None:
        await self.update("threads", thread_id, {"last_used_at": time.time()})

    async def archive_threads(self, platform: str, workspace: str, user: str) -> int:
        return await self.db.execute(
            "UPDATE threads SET archived_at = ? WHERE platform = ? AND workspace = ?"
            " AND user_id = ? AND archived_at IS NULL",
            (time.time(), platform, workspace, user),
        )

    async def set_thread_vector_store(self, thread_id: int, vector_store_id: str) -> None:
        await self.update("threads", thread_id, {"vector_store_id": vector_store_id})

    async def add_thread_file(self, file: ThreadFile) -> None:
        values = values_of(file, stamp=("created_at",))
        await self.db.execute(*insert("thread_files", values, "ON CONFLICT DO NOTHING"))

    async def thread_files(self, thread_id: int, kind: FileKind | None = None) -> list[ThreadFile]:
        where = "thread_id = ?" + (" AND kind = ?" if kind else "") + " ORDER BY created_at"
        args = (thread_id, kind) if kind else (thread_id,)
        return await self.select(ThreadFile, "thread_files", where, args)


class ChatHistoryTables(Tables):
    async def append_chat_messages(self, messages: Sequence[ChatMessage]) -> None:
        now = time.time()
        async with self.db.transaction() as tx:
            for m in messages:
                values = vars(m) | {
                    "message": json.dumps(m.message, ensure_ascii=False),
                    "created_at": m.created_at or now,
                }
                del values["id"]
                await tx.execute(*insert("chat_messages", values))

    async def chat_messages(self, conversation_id: str) -> list[ChatMessage]:
        where = "conversation_id = ? ORDER BY id"
        return await self.select(ChatMessage, "chat_messages", where, (conversation_id,))
