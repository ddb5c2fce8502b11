"""Start-up checks and connections: each way a start can fail becomes one line that names
the setting to look at, raised as a ConfigError (fix the setting) or StorageError (the
database is there but cannot be used), never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import ConfigError, StorageError
from bot.ports import Store
from storage import store_from_url
from storage.sqlite import sqlite_path

_SQLITE_HEADER = b"SQLite format 3\x00"


def check_database_url(database_url: str) -> None:
    """What can be known without opening the database: a SQLite file's folder exists and the
    file, if there, is a SQLite database."""
    if not database_url.startswith("sqlite:"):
        return
    path = sqlite_path(database_url)
    if path == ":memory:":
        return
    file = Path(path)
    if not file.parent.is_dir():
        raise ConfigError(
            f"DATABASE_URL names a file in {file.parent}, a folder that does not exist: "
            "create the folder or choose another path"
        )
    if file.is_dir():
        raise ConfigError(f"DATABASE_URL names {file}, a folder: name a database file in it")
    if not file.exists():
        return
    try:
        with file.open("rb") as opened:
            head = opened.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise ConfigError(
            f"DATABASE_URL names {file}, which cannot be read ({exc.strerror})"
        ) from None
    if head and head != _SQLITE_HEADER:
        raise ConfigError(
            f"DATABASE_URL names {file}, which is not a SQLite database: "
            "name a new file or an existing database"
        )


def database_label(database_url: str) -> str:
    """Where the database is, for people and logs: never the password."""
    if database_url.startswith("sqlite:"):
        return sqlite_path(database_url)
    parts = urlsplit(database_url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"PostgreSQL {host}{port}{parts.path}"


async def open_store(database_url: str) -> Store:
    """The Store, open and migrated; a failure is one StorageError line."""
    check_database_url(database_url)
    store = store_from_url(database_url)
    try:
        await store.open()
    except Exception as exc:
        raise StorageError(
            f"cannot open the database {database_label(database_url)} ({_reason(exc)}): "
            "check DATABASE_URL and that the database is running"
        ) from exc
    return store


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
