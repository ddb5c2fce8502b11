"""Fixtures: an OpenAI emulator on loopback and a console bot wired to it, so a test reads
like a conversation: the user says something, the emulated model answers, the test checks
what the terminal shows."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsolePlatform, parse_line
from bot.command_deps import CommandDeps
from bot.commands import run_command
from bot.config import Settings
from bot.engine import Engine
from bot.functions import FunctionRegistry
from bot.openai_backend import OpenAIBackend
from storage.sqlite import SQLiteStore
from tests.core_fixtures import open_core
from tests.openai_emulator import OpenAIEmulator
from tests.store_fixture import store  # noqa: F401  (the Store over SQLite and PostgreSQL)

# Fixture modules that test modules both import and load as plugins: rewrite their asserts
# at their first import (else pytest warns that it cannot, and their asserts say less).
pytest.register_assert_rewrite("tests.slack_fixtures", "tests.discord_fixtures")


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
async def emulator() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as emu:
        yield emu


def test_settings(emulator: OpenAIEmulator, db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "openai_api_key": "sk-test-emulator-key",
        "openai_base_url": emulator.base_url,
        "database_url": f"sqlite:///{db_path}",
        "poll_interval": 0.01,
        "openai_max_retries": 2,
        "assistant_model": "gpt-test-mini",
        "assistant_instructions": "You are a math tutor.",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


test_settings.__test__ = False  # type: ignore[attr-defined]


class Terminal(io.StringIO):
    """What the console shows; a test can wait until a text appears in it."""

    def __init__(self) -> None:
        super().__init__()
        self._flushed = asyncio.Event()

    def flush(self) -> None:
        super().flush()
        self._flushed.set()

    async def shown(self, text: str) -> None:
        async with asyncio.timeout(10):
            while text not in self.getvalue():
                self._flushed.clear()
                await self._flushed.wait()


@dataclass
class ConsoleBot:
    """A running bot with the console platform; ``out`` is what the terminal shows."""

    engine: Engine
    commands: CommandDeps
    store: SQLiteStore
    backend: OpenAIBackend
    out: Terminal

    async def say(
        self,
        line: str,
        *,
        user: str = "local",
        event_id: str | None = None,
        workspace: str = "local",
        channel: str = "console",
    ) -> bool:
        message = replace(parse_line(line, user=user), workspace=workspace, channel=channel)
        if event_id is not None:
            message = replace(message, event_id=event_id)
        return await self.engine.accept(message)

    async def command(
        self,
        line: str,
        *,
        user: str = "local",
        workspace: str = "local",
        channel: str = "console",
        is_admin: bool = True,
    ) -> str:
        message = replace(parse_line(line, user=user), workspace=workspace, channel=channel)
        return await run_command(
            self.commands, message, message.text.lstrip("/"), is_admin=is_admin
        )

    async def answers(self) -> str:
        await self.engine.wait_idle()
        return self.out.getvalue()

    async def stop(self) -> None:
        await self.engine.stop(grace=5)
        await self.backend.close()
        await self.store.close()


@pytest.fixture
async def make_bot(emulator: OpenAIEmulator, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Start a bot (several may start in turn on one database, as after a restart)."""
    bots: list[ConsoleBot] = []

    async def start(
        *, start_engine: bool = True, functions: FunctionRegistry | None = None, **overrides: Any
    ) -> ConsoleBot:
        settings = test_settings(emulator, tmp_path / "bot.db", **overrides)
        out = Terminal()
        console = ConsolePlatform(out=out, files_dir=tmp_path / "files")
        bot_store, backend, core = await open_core(
            settings, tmp_path / "bot.db", [console], functions=functions
        )
        engine = core.engine
        bot = ConsoleBot(engine, core.commands, bot_store, backend, out)
        bots.append(bot)
        if start_engine:
            await engine.start()
        return bot

    yield start
    for bot in bots:
        if bot.store.is_open:
            await bot.stop()


@pytest.fixture
async def bot(make_bot: Callable[..., Any]) -> ConsoleBot:
    started: ConsoleBot = await make_bot()
    return started
