"""Discord at scale: shards through discord.py's own support.

Two ``assistant-bot run`` processes on one PostgreSQL database, shards 0 and 1 of 2
(``DISCORD_SHARD_COUNT=2``, ``DISCORD_SHARD_IDS=0`` / ``1``): the emulated gateway sends each
shard only its guilds (``(guild_id >> 22) % 2``) and DMs to shard 0, so each process receives
and accepts only its own servers' messages. (Once accepted, a message is a job in the shared
inbox, which either process may answer: the REST API takes a reply from any shard, and that
is how the answers of a shard whose process died still get finished.) And one process with
``DISCORD_SHARD_COUNT=auto``, which asks ``GET /gateway/bot`` how many shards to run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord import DiscordService
from adapters.discord.options import DiscordOptions
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from tests.conftest import test_settings
from tests.core_fixtures import open_core
from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator_gateway import shard_of
from tests.openai_emulator import OpenAIEmulator
from tests.postgres_db import connect, fresh_schema
from tests.scale_processes import BotProcess, assistant_bot, clean_env, stop_all


@pytest.fixture
async def discord_emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        emu.wait_timeout = 60  # fresh interpreters import discord.py and the SDKs first
        yield emu


def _env(emulator: OpenAIEmulator, emu: DiscordEmulator, url: str, **more: str) -> dict[str, str]:
    return clean_env(
        OPENAI_API_KEY="sk-test-discord-shards-0123456789",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=url,
        DISCORD_BOT_TOKEN=emu.bot_token,
        DISCORD_API_URL=emu.api_url,
        DISCORD_GATEWAY_URL=emu.gateway_url,
        DISCORD_CDN_HOSTS=emu.cdn_host,
        DISCORD_GUILD_READY_TIMEOUT="0.05",
        LOG_LEVEL="INFO",
        **more,
    )


async def test_two_shard_processes_each_receive_only_their_own_guilds(
    emulator: OpenAIEmulator, discord_emu: DiscordEmulator, tmp_path: Path
) -> None:
    guilds = [discord_emu.add_guild(f"School {n}", "general", shard=(n, 2)) for n in range(2)]
    alice, bob = discord_emu.add_user("alice"), discord_emu.add_user("bob")
    processes: list[BotProcess] = []
    async with fresh_schema() as url:
        try:
            processes = [
                await BotProcess.start(
                    f"shard{n}",
                    assistant_bot(),
                    _env(
                        emulator,
                        discord_emu,
                        url,
                        DISCORD_SHARD_COUNT="2",
                        DISCORD_SHARD_IDS=str(n),
                    ),
                    tmp_path,
                )
                for n in range(2)
            ]
            for n, process in enumerate(processes):
                await process.line(rf"Discord: shards {n} of 2")
            await discord_emu.wait_connected()
            dm = discord_emu.dm_channel(bob)
            asked = {
                name: await discord_emu.user_says(
                    user, channel, f"question {name}", mention=channel != dm
                )
                for name, user, channel in (
                    ("guild0", alice, guilds[0].channels["general"]),
                    ("guild1", bob, guilds[1].channels["general"]),
                    ("dm", bob, dm),
                    ("guild1-again", alice, guilds[1].channels["general"]),
                )
            }
            await discord_emu.wait_for(
                lambda: all(
                    discord_emu.pages(sent) == [f"You said: question {name}"]
                    for name, sent in asked.items()
                )
            )
            codes = [await p.stop() for p in processes]
            async with connect(url) as conn:
                jobs = await conn.fetch("SELECT status FROM jobs")
        finally:
            await stop_all(processes)

    assert codes == [0, 0], "\n".join(p.log for p in processes)
    for process in processes:
        assert "Traceback" not in process.log, process.log
    gateway = discord_emu.gateway
    for n in range(2):
        ready = gateway.sent_events("READY", shard=n)[0]
        assert ready["shard"] == [n, 2]
        assert [int(g["id"]) for g in ready["guilds"]] == [guilds[n].id]
        assert [int(g["id"]) for g in gateway.sent_events("GUILD_CREATE", shard=n)] == [
            guilds[n].id
        ]
    received = {
        n: {int(m["id"]) for m in gateway.sent_events("MESSAGE_CREATE", shard=n)} for n in range(2)
    }
    assert received[0] >= {asked["guild0"], asked["dm"]}
    assert asked["guild1"] not in received[0] and asked["guild1-again"] not in received[0]
    assert received[1] >= {asked["guild1"], asked["guild1-again"]}
    assert asked["guild0"] not in received[1] and asked["dm"] not in received[1]
    assert [j["status"] for j in jobs] == ["answered"] * 4
    for process in processes:
        assert "in 1 servers" in process.log
    assert len(discord_emu.calls_of("sync")) == 1, "one process (shard 0's) syncs the commands"
    assert all(shard_of(g.id, 2) == n for n, g in enumerate(guilds))


async def _no_identify_pause(self: Any, shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py spaces a process's IDENTIFYs 5 s apart, as Discord requires; the emulator
    does not rate-limit them."""


async def test_auto_sharding_asks_discord_how_many_shards_and_runs_them_all(
    emulator: OpenAIEmulator,
    discord_emu: DiscordEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(discord.AutoShardedClient, "before_identify_hook", _no_identify_pause)
    discord_emu.gateway.recommended_shards = 2
    guilds = [discord_emu.add_guild(f"School {n}", "general", shard=(n, 2)) for n in range(2)]
    alice = discord_emu.add_user("alice")
    settings = test_settings(
        emulator,
        tmp_path / "bot.db",
        discord_bot_token=discord_emu.bot_token,
        discord_api_url=discord_emu.api_url,
        discord_gateway_url="ws://127.0.0.1:9/unused",  # auto: /gateway/bot names the URL
        discord_cdn_hosts=discord_emu.cdn_host,
        discord_guild_ready_timeout=0.05,
        discord_shard_count="auto",
    )
    service = DiscordService.from_settings(settings)
    store, backend, core = await open_core(settings, tmp_path / "bot.db", [service.platform])
    engine = core.engine
    await engine.start()
    try:
        await service.start(engine, core.commands)
        assert isinstance(service.client, discord.AutoShardedClient)
        assert sorted(service.client.shards) == [0, 1]
        assert len(discord_emu.calls_of("gateway_bot")) == 1
        for guild in guilds:
            sent = await discord_emu.user_says(
                alice, guild.channels["general"], f"hello {guild.name}", mention=True
            )
            await discord_emu.wait_for(
                lambda sent=sent, guild=guild: (
                    discord_emu.pages(sent) == [f"You said: hello {guild.name}"]
                )
            )
    finally:
        await service.stop()
        await engine.stop(grace=5)
        await service.close()
        await backend.close()
        await store.close()
    for n in range(2):
        assert [int(g["id"]) for g in discord_emu.gateway.sent_events("GUILD_CREATE", shard=n)] == [
            guilds[n].id
        ]


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"DISCORD_SHARD_IDS": "0,1"}, "^DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "shards are numbered 0 to 1"),
        ({"DISCORD_SHARD_COUNT": "0"}, "^DISCORD_SHARD_COUNT must be at least 1, or auto$"),
        ({"DISCORD_SHARD_COUNT": "auto", "DISCORD_SHARD_IDS": "0"}, "needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "many"}, "DISCORD_SHARD_COUNT is invalid"),
    ],
)
def test_shard_settings_are_checked(
    env: dict[str, str], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=problem):
        load_settings(env_file=None)


def test_shard_settings_reach_discord_py() -> None:
    values: dict[str, Any] = {"openai_api_key": "sk-test", "discord_bot_token": "t"}
    plain = DiscordOptions.from_settings(Settings(_env_file=None, **values))  # type: ignore[call-arg]
    assert not plain.sharded and plain.client_options() == {} and plain.runs_shard_zero
    two = DiscordOptions.from_settings(
        Settings(_env_file=None, discord_shard_count="2", discord_shard_ids="1, 0", **values)  # type: ignore[call-arg]
    )
    assert two.client_options() == {"shard_count": 2, "shard_ids": [0, 1]}
    second = DiscordOptions.from_settings(
        Settings(_env_file=None, discord_shard_count=2, discord_shard_ids="1", **values)  # type: ignore[call-arg]
    )
    assert not second.runs_shard_zero
    auto = DiscordOptions.from_settings(
        Settings(_env_file=None, discord_shard_count="AUTO", **values)  # type: ignore[call-arg]
    )
    assert auto.client_options() == {"shard_count": None, "shard_ids": None}
