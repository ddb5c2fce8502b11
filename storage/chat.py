"""The messages of threads whose model server keeps no conversation (``ChatHistory``), in SQL."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from storage.dialect import Tables, insert
from storage.records import ChatMessage


class ChatHistoryTables(Tables):
    async def append_chat_messages(self, messages: Sequence[ChatMessage]) -> None:
        now = time.time()
        async with self.db.transaction() as tx:
            for m in messages:
                values = {
                    "conversation_id": m.conversation_id,
                    "message": json.dumps(m.message, ensure_ascii=False),
                    "tokens": m.tokens,
                    "created_at": m.created_at or now,
                }
                await tx.execute(*insert("chat_messages", values))

    async def chat_messages(self, conversation_id: str) -> list[ChatMessage]:
        rows = await self.db.fetch(
            "SELECT conversation_id, message, tokens, id, created_at FROM chat_messages"
            " WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [
            ChatMessage(r[0], json.loads(r[1]), int(r[2]), int(r[3]), float(r[4])) for r in rows
        ]
