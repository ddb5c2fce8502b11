"""The bot's core as the end-to-end tests start it: a SQLite store, the real OpenAI client
(strict response validation) pointed at the emulator, and the core built by the composition
root's ``build_core``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openai

from app.wiring import Core, build_core
from bot.config import Settings
from bot.functions import FunctionRegistry
from bot.openai_backend import OpenAIBackend
from bot.types import Platform
from storage.sqlite import SQLiteStore


async def open_core(
    settings: Settings,
    db_path: Path,
    platforms: Sequence[Platform],
    *,
    functions: FunctionRegistry | None = None,
) -> tuple[SQLiteStore, OpenAIBackend, Core]:
    store = SQLiteStore(str(db_path))
    await store.open()
    client = openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        max_retries=settings.openai_max_retries,
        _strict_response_validation=True,
    )
    backend = OpenAIBackend(client, poll_interval=settings.poll_interval)
    core = build_core(
        settings=settings, store=store, backend=backend, platforms=platforms, functions=functions
    )
    return store, backend, core
