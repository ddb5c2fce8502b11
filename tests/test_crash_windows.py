"""Exactly one message per answer across a crash at any instant, with the real process.

``assistant-bot run`` on Slack (HTTP mode, native streaming) and on Discord is SIGKILLed at
three points of one answer, held there by the emulators, then started again on the same
SQLite database:

* ``posted`` (Slack): the reply's stream exists, but Slack's answer to ``chat.startStream``
  is held back, so the bot died without knowing its ``ts``;
* ``message``: the reply message exists. Slack: its stream is open (and recorded), and the
  model is not asked yet (the conversation's creation is held). Discord: the first page was
  created, but its answer is held back, so the bot died without knowing the message's id;
* ``request``: the model request was sent, ``response.created`` has not arrived;
* ``created``: ``response.created`` arrived (and its id is recorded), no text yet;
* ``uploaded`` (Discord): a chart the model made was uploaded, the answer not finished.

Each time the question ends with exactly one bot message holding the whole answer, no message
empty or left streaming, and the model's create endpoint called once (twice at most when
the kill came before ``response.created``: that request's id was never known).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_events import PlanContext, build_plan
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    BOT_USER_ID,
    JSON,
    event_callback,
    mention_event,
    message_event,
)
from tests.test_cli_e2e import _command
from tests.test_faults_restart import BotProcess, answers, deliver

pytest_plugins = ["tests.slack_fixtures"]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")

ANSWER = "Exactly one message holds this answer, however the bot was stopped on the way."
ALICE, GENERAL = "U0ALICE", "C0GENERAL"
POINTS = ["message", "request", "created"]
CREATED, FIRST_TEXT_SENT = 2, 5
"""Events of a text turn: created, in_progress, item added, part added, first delta, …"""


@dataclass
class Launcher:
    """Starts ``assistant-bot run`` with the given environment on one database."""

    env: dict[str, str]
    cwd: Path
    ready: str
    processes: list[BotProcess]

    async def start(self) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            *_command(),
            "run",
            env=self.env,
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = BotProcess(proc)
        self.processes.append(bot)
        await bot.line(self.ready)
        return bot


def base_env(emulator: OpenAIEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-crash-windows-0123456789",
        OPENAI_BASE_URL=emulator.base_url,
        OPENAI_MAX_RETRIES="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        POLL_INTERVAL="0.05",
        LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
async def processes() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bot in started:
        if bot.proc.returncode is None:
            await bot.kill()


async def stored(db: Path, sql: str) -> list[tuple[Any, ...]]:
    def read() -> list[tuple[Any, ...]]:
        with sqlite3.connect(db) as connection:
            return list(connection.execute(sql))

    return await asyncio.to_thread(read)


CHART = "Here is the chart: [chart.png](sandbox:/mnt/data/chart.png)"
PNG = b"\x89PNG\r\n\x1a\n chart"


def chart_turn() -> Turn:
    return Turn().code("plt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)]).text(CHART)


def turn_for(point: str, gate: asyncio.Event) -> Turn:
    """The model's answer, held where ``point`` needs it until ``gate`` is set."""
    if point == "uploaded":  # held before response.completed, the chart cited and fetched
        events = build_plan(chart_turn(), {"model": "m"}, PlanContext({}, []), background=False)
        return chart_turn().gate(gate, after_events=len(events.events) - 1)
    held_at = {"posted": 0, "message": FIRST_TEXT_SENT, "request": 0, "created": CREATED}[point]
    return Turn().text(ANSWER, deltas=6).gate(gate, after_events=held_at)


class SlackDelivery:
    """Events to the running bot: signed HTTP posts, or Socket Mode envelopes."""

    def __init__(self, slack: SlackEmulator, transport: str) -> None:
        self.slack, self.transport, self.url = slack, transport, ""

    async def started(self, bot: BotProcess) -> None:
        if self.transport == "http":
            url = await bot.line(r"listening on (\S+)")
            self.url = url.replace("0.0.0.0", "127.0.0.1")

    async def __call__(self, event: JSON) -> None:
        if self.transport == "http":
            await deliver(self.slack, self.url, event)
        else:
            await self.slack.wait_ack(await self.slack.socket_send(event_callback(event)))


SLACK_CASES = [
    *(("http", point) for point in ["posted", *POINTS]),
    ("socket", "posted"),
    ("socket", "created"),
]


@pytest.mark.parametrize(("transport", "point"), SLACK_CASES)
async def test_slack_one_message_after_a_sigkill(
    transport: str,
    point: str,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    slack.wait_timeout = emulator.wait_timeout = 60
    env = base_env(emulator, tmp_path)
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
        PORT="0",
    )
    if transport == "socket":
        env["SLACK_APP_TOKEN"] = slack.app_token
    send = SlackDelivery(slack, transport)
    launcher = Launcher(env, tmp_path, r"(running): slack", processes)
    db = tmp_path / "bot.db"
    model = asyncio.Event()
    emulator.script(turn_for(point, model))
    asking = emulator.hold("POST", "/v1/conversations") if point == "message" else None
    streaming = slack.holds["chat.startStream"] = asyncio.Event() if point == "posted" else None

    bot = await launcher.start()
    await send.started(bot)
    # A mention in a channel the bot is in: the answer goes in the message's thread.
    slack.add_channel(GENERAL, "general", {ALICE, BOT_USER_ID})
    said = slack.say(GENERAL, ALICE, "<@U0BOT> how sure are you?")
    asked = message_event(said.text, user=ALICE, channel=GENERAL, ts=said.ts)
    await send(mention_event(asked))
    await send(asked)
    await slack.until(lambda: [m.streaming for m in answers(slack, asked)] == [True])
    if streaming is not None:
        pass  # the stream exists; the bot waits for Slack's answer
    elif asking is not None:
        await emulator.wait_requests(lambda r: r.path == "/v1/conversations")
    elif point == "request":
        await emulator.wait_requests(lambda r: r.path == "/v1/responses")
    else:
        await bot.line(r"job \d+: following (response \S+)")  # logged once it is recorded
    await bot.kill()
    assert "Traceback" not in bot.log

    # While the bot is down the model finishes what it was asked (or was never asked).
    if asking is not None:
        emulator.holds.clear()
        asking.set()
    if streaming is not None:
        slack.holds.clear()
        streaming.set()
    model.set()
    if point == "request":
        emulator.script(Turn().text(ANSWER, deltas=6))  # asked again: its id was never known
    bot = await launcher.start()
    await send.started(bot)
    async with asyncio.timeout(60):
        await slack.until(
            lambda: [(m.shown, m.streaming) for m in answers(slack, asked)] == [(ANSWER, False)]
        )
    creates = len(emulator.response_requests())
    assert creates == (2 if point == "request" else 1)
    assert all(m.shown for m in answers(slack, asked))

    # The thread is the bot's, for this process too: a follow-up needs no mention.
    follow_up = message_event("and why?", user=ALICE, channel=GENERAL, thread_ts=asked["ts"])
    emulator.script(Turn().text("Because it was recorded first."))
    await send(follow_up)
    async with asyncio.timeout(60):
        await slack.until(lambda: len(answers(slack, asked)) == 2)
        await slack.until(lambda: not answers(slack, asked)[1].streaming)
    assert answers(slack, asked)[1].shown == "Because it was recorded first."
    assert await bot.terminate() == 0, bot.log
    assert await stored(db, "SELECT status, open_replies FROM jobs") == [
        ("answered", 0),
        ("answered", 0),
    ]
    assert "Traceback" not in bot.log


@pytest.fixture
async def discord_emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emu:
        emu.wait_timeout = 60  # a fresh interpreter imports discord.py and the SDKs first
        yield emu


@pytest.mark.parametrize("point", [*POINTS, "uploaded"])
async def test_discord_one_message_after_a_sigkill(
    point: str,
    emulator: OpenAIEmulator,
    discord_emu: DiscordEmulator,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    emulator.wait_timeout = 60
    guild = discord_emu.add_guild("Class 101", "general")
    general = guild.channels["general"]
    alice = discord_emu.add_user("alice")
    env = base_env(emulator, tmp_path)
    env.update(
        DISCORD_BOT_TOKEN=discord_emu.bot_token,
        DISCORD_API_URL=discord_emu.api_url,
        DISCORD_GATEWAY_URL=discord_emu.gateway_url,
        DISCORD_CDN_HOSTS=discord_emu.cdn_host,
        DISCORD_GUILD_READY_TIMEOUT="0.05",
    )
    launcher = Launcher(env, tmp_path, r"(running): discord", processes)
    db = tmp_path / "bot.db"
    model = asyncio.Event()
    emulator.script(turn_for(point, model))
    created = discord_emu.holds["create"] = asyncio.Event() if point == "message" else None

    bot = await launcher.start()
    asked = await discord_emu.user_says(alice, general, "how sure are you?", mention=True)
    if created is not None:
        # The first page exists in the channel; its id never reached the bot.
        await discord_emu.wait_for(lambda: discord_emu.replies_to(asked))
    elif point == "request":
        await emulator.wait_requests(lambda r: r.path == "/v1/responses")
    elif point == "uploaded":
        await bot.line(r"job \d+: uploaded (chart.png)")  # logged once it is recorded
    else:
        await bot.line(r"job \d+: following (response \S+)")  # logged once it is recorded
    await bot.kill()
    assert "Traceback" not in bot.log

    if created is not None:
        discord_emu.holds.clear()
        created.set()
    model.set()
    if point == "request":
        emulator.script(Turn().text(ANSWER, deltas=6))
    bot = await launcher.start()
    if point == "uploaded":
        # The text in one message, and the chart once (it was posted before the kill).
        def shown() -> list[tuple[str, list[str]]]:
            return [
                (m["content"].rpartition("\n\n")[2], [a["filename"] for a in m["attachments"]])
                for m in discord_emu.replies_to(asked)
            ]

        expected = [("Here is the chart: **chart.png** (attached)", []), ("", ["chart.png"])]
        async with asyncio.timeout(60):
            await discord_emu.wait_for(lambda: shown() == expected)
    else:
        async with asyncio.timeout(60):
            await discord_emu.wait_for(
                lambda: [m["content"] for m in discord_emu.replies_to(asked)] == [ANSWER]
            )
    assert len(emulator.response_requests()) == (2 if point == "request" else 1)
    assert await bot.terminate() == 0, bot.log
    assert await stored(db, "SELECT status FROM jobs") == [("answered",)]
    assert "Traceback" not in bot.log
    if point != "uploaded":
        assert [m["content"] for m in discord_emu.replies_to(asked)] == [ANSWER]
