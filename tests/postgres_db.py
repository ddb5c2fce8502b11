"""PostgreSQL for tests: each test gets a new, empty schema on ``TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards.

Without a reachable server the PostgreSQL tests skip, saying how to enable them; with
``REQUIRE_POSTGRES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)

_unreachable: list[str] = []  # the reason, once a connection has failed


def with_search_path(url: str, schema: str) -> str:
    """The URL with ``search_path`` as a server setting (asyncpg passes unknown query
    parameters to the server), so every connection of a store works in that schema."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


async def _server_url() -> str:
    if not _unreachable:
        try:
            conn = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
        except Exception as exc:
            _unreachable.append(f"{type(exc).__name__}: {exc}")
        else:
            await conn.close()
    if _unreachable:
        message = (
            f"PostgreSQL is not reachable at {TEST_POSTGRES_URL} ({_unreachable[0]}). "
            "Start a server or set TEST_POSTGRES_URL=postgresql://user@host:port/db to run "
            "the PostgreSQL tests (REQUIRE_POSTGRES=1 makes this a failure, as in CI)."
        )
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        if len(_unreachable) == 1:
            # Once, and as a warning, so `pytest -q` shows how to enable them in its summary.
            _unreachable.append("warned")
            warnings.warn(message, UserWarning, stacklevel=1)
        pytest.skip(message)
    return TEST_POSTGRES_URL


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A database URL whose connections see only a new, empty schema."""
    url = await _server_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    try:
        yield with_search_path(url, schema)
    finally:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[asyncpg.Connection[asyncpg.Record]]:
    """One plain connection, for a test to look at tables directly."""
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()
