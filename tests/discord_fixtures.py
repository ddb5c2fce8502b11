"""Fixtures for the Discord end-to-end tests: a Discord emulator with a class server, and a
bot (real discord.py client, engine, SQLite store, real OpenAI SDK) wired to it and to the
OpenAI emulator. Tests read as conversations: a student writes, the model streams, the
test checks what the channel shows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import DiscordService, discord_limits
from bot.engine import Engine
from bot.openai_backend import OpenAIBackend
from bot.types import ReplyLimits
from storage.sqlite import SQLiteStore
from tests.conftest import test_settings
from tests.core_fixtures import open_core
from tests.discord_emulator import DiscordEmulator, Guild, User
from tests.openai_emulator import OpenAIEmulator

WINDOW = 0.5
"""The tests' rate-limit window: Discord's 5 per 5 s scaled down to 5 per 0.5 s."""

TEST_LIMITS: ReplyLimits = replace(discord_limits(5, WINDOW), edit_interval=0.02)


@dataclass
class Classroom:
    """A class server: students alice and bob, and a teacher with the Teachers role, which
    the server lets use ``/assistant-admin`` (Integrations) and the bot counts as admins
    (``DISCORD_ADMIN_ROLE_IDS``) although it lacks Manage Server."""

    guild: Guild
    general: int
    ask_ai: int
    alice: User
    bob: User
    teacher: User
    teachers: int


@dataclass
class DiscordBot:
    service: DiscordService
    engine: Engine
    store: SQLiteStore
    backend: OpenAIBackend
    emu: DiscordEmulator

    async def answer(self, message_id: int) -> list[str]:
        """Wait for the complete answer to that message; its pages, in order."""
        await self.emu.wait_for(lambda: self.emu.replies_to(message_id))
        await self.engine.wait_idle()
        return self.emu.pages(message_id)

    async def stop(self) -> None:
        await self.service.stop()
        await self.engine.stop(grace=5)
        await self.service.close()
        await self.backend.close()
        await self.store.close()


@pytest.fixture
async def discord_emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(rate_limit=(5, WINDOW)) as emu:
        yield emu


@pytest.fixture
def classroom(discord_emu: DiscordEmulator) -> Classroom:
    guild = discord_emu.add_guild("Class 101", "general", "ask-ai")
    teacher = discord_emu.add_user("teacher")
    teachers = discord_emu.add_role(guild, "Teachers")
    discord_emu.give_role(guild, teacher, teachers)
    discord_emu.allow_command(guild, "assistant-admin", teachers)
    return Classroom(
        guild,
        guild.channels["general"],
        guild.channels["ask-ai"],
        discord_emu.add_user("alice"),
        discord_emu.add_user("bob"),
        teacher,
        teachers,
    )


def discord_settings(
    emulator: OpenAIEmulator, discord_emu: DiscordEmulator, db: Path, **overrides: Any
) -> Any:
    values: dict[str, Any] = {
        "discord_bot_token": discord_emu.bot_token,
        "discord_api_url": discord_emu.api_url,
        "discord_gateway_url": discord_emu.gateway_url,
        "discord_cdn_hosts": discord_emu.cdn_host,
        "discord_guild_ready_timeout": 0.05,
        **overrides,
    }
    return test_settings(emulator, db, **values)


@pytest.fixture
async def make_discord_bot(
    emulator: OpenAIEmulator, discord_emu: DiscordEmulator, classroom: Classroom, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    bots: list[DiscordBot] = []

    async def start(*, limits: ReplyLimits = TEST_LIMITS, **overrides: Any) -> DiscordBot:
        overrides.setdefault("discord_assistant_channels", str(classroom.ask_ai))
        overrides.setdefault("discord_admin_role_ids", str(classroom.teachers))
        settings = discord_settings(emulator, discord_emu, tmp_path / "bot.db", **overrides)
        service = DiscordService.from_settings(settings, limits=limits)
        store, backend, core = await open_core(settings, tmp_path / "bot.db", [service.platform])
        engine = core.engine
        bot = DiscordBot(service, engine, store, backend, discord_emu)
        bots.append(bot)
        await engine.start()
        await service.start(engine, core.commands)
        return bot

    yield start
    for bot in bots:
        await bot.stop()


@pytest.fixture
async def discord_bot(make_discord_bot: Callable[..., Any]) -> DiscordBot:
    bot: DiscordBot = await make_discord_bot()
    return bot
