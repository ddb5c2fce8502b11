"""Persistence: the Store's role interfaces, its records, and the one SQL store.

A database URL picks the dialect; asyncpg and aiosqlite are imported only when used."""

from __future__ import annotations

from storage.base import Store
from storage.records import WORKSPACE_DEFAULT, Job, NewJob, Profile, ThreadRecord


def store_from_url(database_url: str) -> Store:
    if database_url.startswith("sqlite:"):
        from storage.sqlite import SQLiteStore

        return SQLiteStore.from_url(database_url)
    if database_url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresStore

        return PostgresStore.from_url(database_url)
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")


__all__ = [
    "WORKSPACE_DEFAULT",
    "Job",
    "NewJob",
    "Profile",
    "Store",
    "ThreadRecord",
    "store_from_url",
]
