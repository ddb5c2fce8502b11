"""Rate limits shared by several bot processes on one PostgreSQL database: the ledger behind
``bot.shared_budget``.

A budget is a sliding-window log: a row in ``rate_calls`` per call let through. Taking a call
locks the budget's key (a transaction advisory lock, so processes take one at a time), then,
in a new statement (a snapshot that sees every call committed before the lock was granted),
counts the calls still inside the window and records one if there is room. Times are the
server's clock (``clock_timestamp()``), so processes on different hosts agree on every window.
"""

from __future__ import annotations

import time
from typing import Protocol

import asyncpg

_RATE_LOCK = 0x61620003
"""First key of the transaction lock per budget (postgres.py uses ...01 and ...02)."""

_TAKE = """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now),
live AS (
    SELECT r.at FROM rate_calls r, clock WHERE r.budget_key = $1 AND r.at > clock.now - $3
),
counted AS (SELECT count(*) AS n FROM live),
taken AS (
    INSERT INTO rate_calls (budget_key, at)
    SELECT $1, clock.now FROM clock, counted WHERE counted.n < $2
    RETURNING at
),
purged AS (
    DELETE FROM rate_calls r USING clock WHERE r.budget_key = $1 AND r.at <= clock.now - $3
)
SELECT EXISTS (SELECT 1 FROM taken) AS taken,
       (SELECT ranked.at FROM (SELECT at, row_number() OVER (ORDER BY at) AS rank FROM live)
            AS ranked, counted
        WHERE ranked.rank = counted.n - $2 + 1) + $3 - clock.now AS wait
FROM clock
"""
"""Record a call if fewer than ``$2`` are in the last ``$3`` seconds; else how long until
enough of them leave the window (the ``n - limit + 1``-th oldest expires)."""

_CHECK_IN = """
INSERT INTO bot_processes (platform, worker, seen_at)
VALUES ($1, $2, extract(epoch FROM clock_timestamp()))
ON CONFLICT (platform, worker) DO UPDATE SET seen_at = EXCLUDED.seen_at
"""

_SEEN = """
SELECT worker, extract(epoch FROM clock_timestamp()) - seen_at AS age
FROM bot_processes WHERE platform = $1
"""

_FORGET_AFTER = 86_400.0
"""Sightings older than a day are deleted (no window is that long)."""
_PURGE_EVERY = 3_600.0
"""Calls older than an hour are deleted this often (a budget purges its own key as it goes;
this catches budgets nobody uses any more, e.g. a quiet Discord channel's)."""


class Pooled(Protocol):
    """Where the ledger's connections come from (``storage.postgres.PostgresDialect``)."""

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]: ...


class PostgresRateLedger:
    """The ``RateLedger`` of a PostgreSQL store (``store.rate_ledger``)."""

    def __init__(self, db: Pooled) -> None:
        self._db = db
        self._purged = time.monotonic()

    async def take(self, key: str, limit: int, window: float) -> float:
        """0 if a call was recorded under ``key`` (fewer than ``limit`` in the last ``window``
        seconds); else the seconds until there will be room (nothing recorded)."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _RATE_LOCK, key)
            row = await conn.fetchrow(_TAKE, key, limit, window)
        assert row is not None
        if time.monotonic() - self._purged > _PURGE_EVERY:
            self._purged = time.monotonic()
            await self._db.pool.execute(
                "DELETE FROM rate_calls WHERE at < extract(epoch FROM clock_timestamp()) - $1",
                _PURGE_EVERY,
            )
        if row["taken"]:
            return 0.0
        wait = row["wait"]
        return max(float(wait), 0.001) if wait is not None else 0.001

    async def check_in(self, platform: str, worker: str) -> dict[str, float]:
        """Note that ``worker`` spends ``platform``'s limits now; every worker that did, with
        how many seconds ago it was last seen."""
        async with self._db.pool.acquire() as conn:
            await conn.execute(_CHECK_IN, platform, worker)
            rows = await conn.fetch(_SEEN, platform)
            stale = [r["worker"] for r in rows if r["age"] > _FORGET_AFTER]
            if stale:
                await conn.execute(
                    "DELETE FROM bot_processes WHERE platform = $1 AND worker = ANY($2::text[])",
                    platform,
                    stale,
                )
        return {str(r["worker"]): float(r["age"]) for r in rows if r["age"] <= _FORGET_AFTER}
