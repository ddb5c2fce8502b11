"""The seam between the one SQL store and a database: what a dialect must provide.

The store's SQL is written once, with ``?`` placeholders, standard ``ON CONFLICT`` upserts and
``RETURNING``; what differs lives in a dialect (``storage/sqlite.py``, ``storage/postgres.py``):
connections and transactions, placeholders, column types in migrations, where the schema
version is kept, row locks and the per-thread claim lock, dates, and the shared rate ledger.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import fields, replace
from json import dumps, loads
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from storage.migrations import Migration

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from storage.postgres_rates import PostgresRateLedger

R = TypeVar("R")
D = TypeVar("D", bound="DataclassInstance")
Row: TypeAlias = Any
"""A result row (``sqlite3.Row`` or ``asyncpg.Record``): by position or by column name."""


class Conn(Protocol):
    """Statements on a connection; outside a transaction each one commits on its own."""

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run a statement; how many rows it changed."""

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Row]: ...

    async def fetchrow(self, sql: str, args: Sequence[Any] = ()) -> Row | None: ...


class Statements:
    """What a dialect's ``Conn`` shares: a row is the first of the rows."""

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        raise NotImplementedError

    async def fetchrow(self, sql: str, args: Sequence[Any] = ()) -> Row | None:
        return first(await self.fetch(sql, args))


class Dialect(Conn, Protocol):
    shared: bool
    """True when several processes may use the database at once."""
    skip_locked: str
    """Appended to a ``SELECT`` whose rows a claim is about to change."""
    thread_lock: str
    """A condition that holds if this transaction could lock the thread ``{}`` (an SQL
    expression) for a claim, and skips it if another one holds it."""
    utc_day: str
    """The UTC date (``YYYY-MM-DD``) of ``{}`` (an SQL expression, epoch seconds)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    @property
    def is_open(self) -> bool: ...

    def transaction(self) -> AbstractAsyncContextManager[Conn]:
        """One connection, one transaction, committed at the end (rolled back on error);
        it takes the write lock at once, so what it reads stays true until it commits."""

    def ddl(self, sql: str) -> str:
        """A migration statement (written with PostgreSQL's types) for this database."""

    async def lock_migrations(self, tx: Conn) -> None:
        """In a migration's transaction, before it reads the version: wait for any other
        process migrating the same database."""

    async def version(self, conn: Conn) -> int: ...

    async def set_version(self, tx: Conn, migration: Migration) -> None: ...

    def rate_ledger(self) -> PostgresRateLedger | None:
        """Rate limits counted in the database, for processes that share it; else ``None``."""


_COLUMN = {"user": "user_id"}
"""Fields whose column is named otherwise (``user`` is a reserved word in PostgreSQL)."""


_JSON_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _json_fields(record: type[Any]) -> tuple[str, ...]:
    """A record's tuple and dict fields: their columns hold JSON text (read once per type)."""
    if record not in _JSON_FIELDS:
        json = (f.name for f in fields(record) if str(f.type).startswith(("tuple", "dict")))
        _JSON_FIELDS[record] = tuple(json)
    return _JSON_FIELDS[record]


def columns(record: type[Any]) -> str:
    """A record's fields, which are its table's columns (``user`` as ``user_id``)."""
    names = (field.name for field in fields(record))
    return ", ".join(f'{_COLUMN[n]} AS "{n}"' if n in _COLUMN else n for n in names)


def values_of(record: Any, *, stamp: Sequence[str] = ()) -> dict[str, Any]:
    """A record as its table's columns (the reverse of ``record_of``): tuples and dicts as
    JSON (``None`` as ``NULL``); the times in ``stamp`` now when unset (0)."""
    now = time.time()
    values = vars(record) | {k: now for k in stamp if not getattr(record, k)}
    encoded = {k: dumps(values[k]) for k in _json_fields(type(record)) if values[k] is not None}
    return {_COLUMN.get(k, k): v for k, v in (values | encoded).items()}


def record_of(record: type[R], row: Row) -> R:
    """A row whose columns are named as ``record``'s fields, its JSON decoded (a top-level
    array as a tuple: records are frozen)."""
    values = dict(row)
    decoded = {k: loads(values[k]) for k in _json_fields(record) if values[k] is not None}
    return record(
        **values | {k: tuple(v) if isinstance(v, list) else v for k, v in decoded.items()}
    )


def among(values: Sequence[Any]) -> str:
    """``IN (?, ?, …)`` for ``values``; ``IN (NULL)``, true of nothing, when there are none."""
    return f"IN ({', '.join('?' * len(values)) or 'NULL'})"


def of_platforms(
    platforms: Sequence[str] | None, column: str = "platform"
) -> tuple[str, tuple[str, ...]]:
    """`` AND platform IN (…)`` and its arguments; nothing for every platform (``None``)."""
    if platforms is None:
        return "", ()
    return f" AND {column} {among(platforms)}", tuple(platforms)


def insert(table: str, values: dict[str, Any], then: str = "") -> tuple[str, tuple[Any, ...]]:
    """``INSERT`` of one row, ``then`` an ``ON CONFLICT`` or ``RETURNING`` clause: the SQL
    and its arguments."""
    marks = ", ".join("?" * len(values))
    sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks}) {then}"
    return sql, tuple(values.values())


def upsert(table: str, key: tuple[str, ...], values: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """Insert a row, or update the one with the same ``key`` columns."""
    update = ", ".join(f"{c} = excluded.{c}" for c in values if c not in key)
    return insert(table, values, f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {update}")


def first(records: list[R]) -> R | None:
    return records[0] if records else None


class Tables:
    """The base of the store's role implementations: they share one dialect."""

    db: Dialect

    async def select(self, record: type[R], table: str, where: str, args: Sequence[Any]) -> list[R]:
        """The rows of ``table`` that match ``where`` (and its ``ORDER BY``…) as records."""
        sql = f"SELECT {columns(record)} FROM {table} WHERE {where}"
        return [record_of(record, row) for row in await self.db.fetch(sql, args)]

    async def one(self, record: type[R], table: str, where: str, args: Sequence[Any]) -> R | None:
        """The first record ``select`` finds, or ``None``."""
        return first(await self.select(record, table, where, args))

    async def add(self, table: str, record: D) -> D:
        """Insert a new ``record``: the record with the ``id`` the database gave it. A field
        left ``None`` is not written: its column keeps the table's default."""
        values = {k: v for k, v in values_of(record).items() if v is not None and k != "id"}
        [row] = await self.db.fetch(*insert(table, values, "RETURNING id"))
        return replace(record, id=int(row[0]))

    async def save(self, table: str, key: tuple[str, ...], record: Any, stamp: str) -> None:
        """Insert ``record``, or update the row with the same ``key`` columns; ``stamp`` is
        the field of when, now if unset."""
        await self.db.execute(*upsert(table, key, values_of(record, stamp=(stamp,))))

    async def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        """Set the columns in ``values`` of the row whose ``id`` is ``row_id``."""
        sets = ", ".join(f"{column} = ?" for column in values)
        await self.db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row_id))

    async def delete(self, table: str, **equal: Any) -> int:
        """Delete the rows whose columns hold ``equal``'s values: how many."""
        where = " AND ".join(f"{_COLUMN.get(c, c)} = ?" for c in equal)
        return await self.db.execute(f"DELETE FROM {table} WHERE {where}", tuple(equal.values()))

    async def text(self, sql: str, args: Sequence[Any]) -> str | None:
        """The first column of the first row as text, or ``None`` without rows."""
        row = await self.db.fetchrow(sql, args)
        return str(row[0]) if row is not None else None
