"""PostgreSQL (asyncpg, a connection pool per process), for several bot processes sharing one
database.

Several processes claim from one inbox (``storage/inbox.py`` explains how a thread never gets
two running jobs) and take turns migrating. Times are epoch seconds from the caller's clock,
as on SQLite, so the hosts of one deployment need synchronised clocks (NTP) for leases to mean
the same thing; the shared rate limits use the server's clock (``storage/postgres_rates.py``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from storage.dialect import Conn, Row, Statements
from storage.migrations import Migration
from storage.postgres_rates import PostgresRateLedger
from storage.store import SQLStore

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a connection: an unreachable server fails the start, not hangs it."""

# First keys of the two-key advisory locks, so ours never meet another application's
# (postgres_rates.py uses ...03).
_MIGRATION_LOCK = 0x61620001
"""Transaction lock, second key the schema: one process at a time applies a migration."""
_THREAD_LOCK = 0x61620002
"""Transaction lock, second key the thread: one claimer at a time decides for a thread."""


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders as ``$1``, ``$2``, … (our SQL has no ``?`` in its literals)."""
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


class _Statements(Statements):
    def __init__(self, target: Any) -> None:
        self._target = target  # the pool, or one of its connections

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        tail = (await self._target.execute(numbered(sql), *args)).rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0  # the command tag: "UPDATE 3"

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        return list(await self._target.fetch(numbered(sql), *args))


class PostgresDialect(_Statements):
    """Statements go to the pool, a transaction to one of its connections."""

    shared = True
    skip_locked = " FOR UPDATE SKIP LOCKED"
    thread_lock = f"pg_try_advisory_xact_lock({_THREAD_LOCK}, hashtext({{}}))"
    utc_day = "to_char(to_timestamp({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10) -> None:
        super().__init__(None)
        self._dsn, self._sizes = dsn, (min_size, max_size)
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None
        self._ledger: PostgresRateLedger | None = None

    async def open(self) -> None:
        low, high = self._sizes
        self._target = self._pool = await asyncpg.create_pool(
            self._dsn, min_size=low, max_size=high, timeout=CONNECT_TIMEOUT
        )

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    async def close(self) -> None:
        pool, self._pool, self._target = self._pool, None, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except TimeoutError:
                log.warning("database connections still busy after 10 s; closing them")
                pool.terminate()

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL store is not open")
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield _Statements(conn)

    def ddl(self, sql: str) -> str:
        return sql

    async def lock_migrations(self, tx: Conn) -> None:
        await tx.execute(
            "SELECT pg_advisory_xact_lock(?, hashtext(COALESCE(current_schema(), '')))",
            (_MIGRATION_LOCK,),
        )
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
        )

    async def version(self, conn: Conn) -> int:
        exists = await conn.fetchrow("SELECT to_regclass('schema_version') IS NOT NULL")
        if not (exists and exists[0]):
            return 0
        row = await conn.fetchrow("SELECT COALESCE(max(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    async def set_version(self, tx: Conn, migration: Migration) -> None:
        await tx.execute(
            "INSERT INTO schema_version (version, name, applied_at)"
            " VALUES (?, ?, extract(epoch FROM now()))",
            (migration.version, migration.name),
        )

    def rate_ledger(self) -> PostgresRateLedger:
        self._ledger = self._ledger or PostgresRateLedger(self)
        return self._ledger


class PostgresStore(SQLStore):
    """The store on a PostgreSQL database: ``postgresql://user@host:5432/db``; query
    parameters asyncpg does not know become server settings, e.g. ``?search_path=bot`` for a
    schema of its own."""

    def __init__(
        self, dsn: str, *, target_version: int | None = None, min_size: int = 1, max_size: int = 10
    ) -> None:
        dialect = PostgresDialect(dsn, min_size=min_size, max_size=max_size)
        super().__init__(dialect, target_version=target_version)

    @classmethod
    def from_url(cls, database_url: str) -> PostgresStore:
        return cls(database_url)
