"""The installed ``assistant-bot run`` with Discord configured only through the environment,
against the Discord and OpenAI emulators: it connects, prints the invite URL, answers, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.test_cli_e2e import _command


@pytest.fixture
async def discord_emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        emu.wait_timeout = 60  # a fresh interpreter imports discord.py and the SDKs first
        yield emu


def _env(emulator: OpenAIEmulator, emu: DiscordEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-discord-cli-0123456789",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        DISCORD_BOT_TOKEN=emu.bot_token,
        DISCORD_API_URL=emu.api_url,
        DISCORD_GATEWAY_URL=emu.gateway_url,
        DISCORD_CDN_HOSTS=emu.cdn_host,
        DISCORD_GUILD_READY_TIMEOUT="0.05",
        LOG_LEVEL="INFO",
    )
    return env


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *_command(),
        "run",
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
async def test_run_connects_answers_and_stops_cleanly(
    emulator: OpenAIEmulator, discord_emu: DiscordEmulator, tmp_path: Path
) -> None:
    guild = discord_emu.add_guild("Class 101", "general")
    alice = discord_emu.add_user("alice")
    emulator.script(Turn().text("Hello from the command line."))
    process = await _start(_env(emulator, discord_emu, tmp_path), tmp_path)
    try:
        await discord_emu.wait_for(lambda: "assistant" in discord_emu.commands)
        asked = await discord_emu.user_says(alice, guild.channels["general"], "hi", mention=True)
        await discord_emu.wait_for(
            lambda: discord_emu.pages(asked) == ["Hello from the command line."]
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log and discord_emu.bot_token not in log
    assert f"client_id={discord_emu.app_id}" in log and "scope=bot+applications.commands" in log
    assert "Unclosed" not in log


async def test_a_rejected_token_is_one_configuration_line(
    emulator: OpenAIEmulator, discord_emu: DiscordEmulator, tmp_path: Path
) -> None:
    env = _env(emulator, discord_emu, tmp_path)
    env["DISCORD_BOT_TOKEN"] = "not-the-right-token"
    process = await _start(env, tmp_path)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "configuration error: DISCORD_BOT_TOKEN was rejected by Discord" in err.decode()
    assert "Traceback" not in err.decode()
