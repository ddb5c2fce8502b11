"""The ``store`` fixture over both databases (SQLite, PostgreSQL), for every Store test
(``tests/conftest.py`` makes it available)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from storage.postgres import PostgresStore
from storage.sqlite import SQLiteStore
from tests.postgres_db import fresh_schema


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "postgres":
        async with fresh_schema() as url:
            shared: Store = PostgresStore.from_url(url)
            await shared.open()
            try:
                yield shared
            finally:
                await shared.close()
        return
    instance: Store = SQLiteStore(str(tmp_path / "store.db"))
    await instance.open()
    yield instance
    await instance.close()
