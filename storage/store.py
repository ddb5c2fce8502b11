"""The one SQL store: every role of ``bot.ports.Store``, on whichever database its dialect
speaks to (``storage/sqlite.py``, ``storage/postgres.py``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from storage.admin import KnowledgeTables, ProfileTables, QuotaTables
from storage.conversations import ChatHistoryTables, ConversationTables
from storage.dialect import Dialect
from storage.feedback import FeedbackTables
from storage.inbox import InboxTables, RunTables
from storage.mcp import McpTables
from storage.migrations import load_migrations
from storage.people import BotThreadTables, PeopleTables
from storage.privacy import PrivacyTables

if TYPE_CHECKING:
    from storage.postgres_rates import PostgresRateLedger

log = logging.getLogger(__name__)


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
    FeedbackTables,
    McpTables,
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
    def rate_ledger(self) -> PostgresRateLedger | None:
        return self.db.rate_ledger()


async def migrate(db: Dialect, target: int | None = None) -> None:
    """Apply the pending migrations (up to ``target``). Processes that start together take
    turns: each migration's transaction waits for the others, then reads the version again."""
    current = await db.version(db)
    applied: list[int] = []
    for migration in load_migrations():
        if migration.version <= current:
            continue
        if target is not None and migration.version > target:
            break
        async with db.transaction() as tx:
            await db.lock_migrations(tx)
            if await db.version(tx) >= migration.version:
                continue
            for statement in migration.statements():
                await tx.execute(db.ddl(statement))
            await db.set_version(tx, migration)
        applied.append(migration.version)
        log.debug("applied migration %s", migration.name)
    if applied:
        log.info("database schema upgraded from version %d to %d", applied[0] - 1, applied[-1])
