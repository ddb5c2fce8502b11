"""Persistence: the records the bot keeps and the one SQL store that keeps them (the roles it
plays are ``bot.ports``). A database URL picks the dialect; asyncpg and aiosqlite are imported
only when used."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.store import SQLStore


def store_from_url(database_url: str) -> SQLStore:
    if database_url.startswith("sqlite:"):
        from storage.sqlite import SQLiteStore

        return SQLiteStore.from_url(database_url)
    if database_url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresStore

        return PostgresStore.from_url(database_url)
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")
