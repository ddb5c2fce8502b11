"""The bot's core as the end-to-end tests start it: a SQLite store, the real OpenAI client
(strict response validation) pointed at the emulator, and the engine."""

from __future__ import annotations

from pathlib import Path

import openai

from bot.config import Settings
from bot.engine import Engine
from bot.functions import FunctionRegistry
from bot.openai_backend import OpenAIBackend
from storage.sqlite import SQLiteStore


async def open_core(
    settings: Settings, db_path: Path, *, functions: FunctionRegistry | None = None
) -> tuple[SQLiteStore, OpenAIBackend, Engine]:
    store = SQLiteStore(str(db_path))
    await store.open()
    client = openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        max_retries=settings.openai_max_retries,
        _strict_response_validation=True,
    )
    backend = OpenAIBackend(client, poll_interval=settings.poll_interval)
    engine = Engine(settings=settings, store=store, backend=backend, functions=functions)
    return store, backend, engine
