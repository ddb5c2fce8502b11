"""SQLite (aiosqlite), the embedded default: one process, one connection in WAL mode.

Every statement takes the connection's lock, and a transaction holds it to the end, so no
statement of another task slips into an open transaction. ``BEGIN IMMEDIATE`` takes the
database's write lock at once, which is what keeps a claim or a migration to itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiosqlite

from storage.dialect import Conn, Row, Statements
from storage.migrations import Migration
from storage.store import SQLStore

_TYPES = (
    ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "INTEGER PRIMARY KEY"),  # the rowid
    ("DOUBLE PRECISION", "REAL"),
    ("BIGINT", "INTEGER"),
)


class _Statements(Statements):
    """Statements on the connection, each under ``_lock`` (inside a transaction, which
    holds the lock already, under none)."""

    def __init__(self, db: aiosqlite.Connection | None) -> None:
        self._db = db
        self._lock: AbstractAsyncContextManager[Any] = contextlib.nullcontext()

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the SQLite store is not open")
        return self._db

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        async with self._lock:
            return (await self.connection.execute(sql, args)).rowcount

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        async with self._lock:  # one trip to the connection's thread: run and fetch
            return list(await self.connection.execute_fetchall(sql, args))


class SQLiteDialect(_Statements):
    shared = False
    skip_locked = ""
    thread_lock = "TRUE"  # the transaction already holds the database's only write lock
    utc_day = "date({}, 'unixepoch')"

    def __init__(self, path: str) -> None:
        super().__init__(None)
        self.path = path
        self._lock = self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        try:
            await self._db.executescript(
                "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            )
            await _switch_to_wal(self._db)
        except BaseException:
            await self.close()  # else aiosqlite's thread keeps the process alive
            raise

    @property
    def is_open(self) -> bool:
        return self._db is not None

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        async with self._write_lock:
            db = self.connection
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield _Statements(db)
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    def ddl(self, sql: str) -> str:
        for postgres, sqlite in _TYPES:
            sql = sql.replace(postgres, sqlite)
        return sql

    async def lock_migrations(self, tx: Conn) -> None:
        return None  # BEGIN IMMEDIATE: another process's migration waits for this one

    async def version(self, conn: Conn) -> int:
        row = await conn.fetchrow("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def set_version(self, tx: Conn, migration: Migration) -> None:
        await tx.execute(f"PRAGMA user_version = {migration.version:d}")

    def rate_ledger(self) -> None:
        return None  # one process: its budgets live in memory


async def _switch_to_wal(db: aiosqlite.Connection, tries: int = 50) -> None:
    """Where several connections switch a new file to WAL at once, SQLite refuses some at
    once ("database is locked") instead of waiting, as waiting could deadlock: try again."""
    for attempt in range(1, tries + 1):
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries:
                raise
            await asyncio.sleep(0.02 * attempt)


def sqlite_path(database_url: str) -> str:
    """``sqlite:///relative.db`` → ``relative.db``; ``sqlite:////abs.db`` → ``/abs.db``."""
    path = database_url.removeprefix("sqlite://").removeprefix("/")
    return os.path.expanduser(path) if path else ":memory:"


class SQLiteStore(SQLStore):
    """The store on a SQLite file."""

    def __init__(self, path: str, *, target_version: int | None = None) -> None:
        super().__init__(SQLiteDialect(path), target_version=target_version)

    @classmethod
    def from_url(cls, database_url: str) -> SQLiteStore:
        return cls(sqlite_path(database_url))
