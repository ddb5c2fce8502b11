"""The one SQL store: every role of ``storage.base.Store``, on whichever database its dialect
speaks to (``storage/sqlite.py``, ``storage/postgres.py``)."""

from __future__ import annotations

from storage.admin import KnowledgeTables, ProfileTables, QuotaTables
from storage.base import RateLedger
from storage.bot_threads import BotThreadTables
from storage.chat import ChatHistoryTables
from storage.conversations import ConversationTables
from storage.dialect import Dialect
from storage.inbox import InboxTables, RunTables
from storage.migrations import migrate
from storage.people import PeopleTables
from storage.privacy import PrivacyTables


class SQLStore(
    InboxTables,
    RunTables,
    ProfileTables,
    QuotaTables,
    ConversationTables,
    PrivacyTables,
    ChatHistoryTables,
    KnowledgeTables,
    PeopleTables,
    BotThreadTables,
):
    def __init__(self, db: Dialect, *, target_version: int | None = None) -> None:
        self.db = db
        self._target_version = target_version
        """Stop upgrading at this version (tests build databases of older versions)."""

    async def open(self) -> None:
        """Connect and apply pending schema migrations."""
        await self.db.open()
        try:
            await migrate(self.db, self._target_version)
        except BaseException:
            await self.db.close()
            raise

    async def close(self) -> None:
        await self.db.close()

    @property
    def is_open(self) -> bool:
        return self.db.is_open

    async def schema_version(self) -> int:
        return await self.db.version(self.db)

    @property
    def rate_ledger(self) -> RateLedger | None:
        return self.db.rate_ledger()
