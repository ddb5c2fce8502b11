"""Persistence: the Store interface, its records, and the implementations."""

from __future__ import annotations

from storage.base import Store
from storage.records import WORKSPACE_DEFAULT, Job, NewJob, Profile, ThreadRecord
from storage.sqlite import SQLiteStore


def store_from_url(database_url: str) -> Store:
    if database_url.startswith("sqlite:"):
        return SQLiteStore.from_url(database_url)
    if database_url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresStore  # asyncpg is loaded only when used

        return PostgresStore.from_url(database_url)
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")


__all__ = [
    "WORKSPACE_DEFAULT",
    "Job",
    "NewJob",
    "Profile",
    "SQLiteStore",
    "Store",
    "ThreadRecord",
    "store_from_url",
]
