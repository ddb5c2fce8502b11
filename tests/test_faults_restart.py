"""Crash and restart with the real process: ``assistant-bot run`` on Slack (HTTP mode) against
the Slack and OpenAI emulators in this process, SIGKILLed in the middle of a streamed answer,
a polled background run and a queue of three messages, then started again on the same SQLite
database while Slack redelivers every event. Each accepted message ends with exactly one
complete answer; nothing is answered twice. SIGTERM (a deploy) finishes what it can within
SHUTDOWN_GRACE and leaves the rest to the next start."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from storage.records import Profile
from storage.sqlite import SQLiteStore
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_events import JSON, last_user_text
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    TEAM_ID,
    Message,
    event_callback,
    mention_event,
    message_event,
)
from tests.test_cli_e2e import _command

pytest_plugins = ["tests.slack_fixtures"]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")

ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
ALICE_DM, CAROL_DM, GENERAL = "D0ALICE", "D0CAROL", "C0GENERAL"
STORY = "Once upon a time a bot was stopped mid-sentence, started again, and finished the story."
REPORT = "The long report is complete: every figure checked twice."


class BotProcess:
    """``assistant-bot run``; its log lines are read as they come."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            async with self._changed:
                self.lines.append(line.decode(errors="replace"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def line(self, pattern: str, seconds: float = 60) -> str:
        """The first group of the first log line matching ``pattern`` (waiting for it)."""

        def found() -> str | None:
            for line in self.lines:
                match = re.search(pattern, line)
                if match:
                    return match.group(1)
            return None

        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: found() is not None or self._reader.done())
        result = found()
        if result is None:
            raise AssertionError(f"the bot exited without logging {pattern!r}:\n{self.log}")
        return result

    async def kill(self) -> None:
        self.proc.kill()
        await self.proc.wait()
        await self._reader

    async def terminate(self, seconds: float = 60) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(seconds):
            code = await self.proc.wait()
            await self._reader
        return code


@pytest.fixture
async def start_bot(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start ``assistant-bot run`` in Slack's HTTP mode; returns (process, events URL)."""
    processes: list[BotProcess] = []

    async def start(**settings: str) -> tuple[BotProcess, str]:
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        env.update(
            OPENAI_API_KEY="sk-test-restart-0123456789abcdef",
            OPENAI_BASE_URL=emulator.base_url,
            OPENAI_MAX_RETRIES="1",
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=slack.signing_secret,
            SLACK_API_URL=slack.api_url,
            POLL_INTERVAL="0.05",
            PORT="0",
            LOG_LEVEL="INFO",
            **settings,
        )
        proc = await asyncio.create_subprocess_exec(
            *_command(),
            "run",
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = BotProcess(proc)
        processes.append(bot)
        url = await bot.line(r"listening on (\S+)")
        await bot.line(r"(running): slack")
        return bot, url.replace("0.0.0.0", "127.0.0.1")

    yield start
    for bot in processes:
        if bot.proc.returncode is None:
            await bot.kill()


async def deliver(slack: SlackEmulator, url: str, event: JSON, *, retry: int = 0) -> None:
    """One signed delivery; 200 means the bot persisted the message before answering."""
    status, body = await slack.post_event(url, event_callback(event), retry_num=retry or None)
    assert status == 200, (status, body)


def answers(slack: SlackEmulator, event: JSON) -> list[Message]:
    return slack.replies(event["channel"], event.get("thread_ts") or event["ts"])


def shows(slack: SlackEmulator, event: JSON, text: str) -> bool:
    return [(m.shown, m.streaming) for m in answers(slack, event)] == [(text, False)]


async def stored_jobs(path: Path) -> list[Any]:
    store = SQLiteStore(str(path))
    await store.open()
    try:
        return await store.jobs()
    finally:
        await store.close()


async def test_sigkill_mid_answers_then_restart_answers_each_message_once(
    start_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path
) -> None:
    # General runs its answers in the background, polled (the seed's create_and_poll).
    store = SQLiteStore(str(tmp_path / "bot.db"))
    await store.open()
    await store.save_profile(Profile("slack", TEAM_ID, GENERAL, run_mode="poll"))
    await store.close()
    held = {"story": asyncio.Event(), "report": asyncio.Event(), "first": asyncio.Event()}

    def reply(body: JSON) -> Turn:
        text = last_user_text(body.get("input"))
        if text == "tell me a story":
            return Turn().text(STORY, deltas=8).gate(held["story"], after_events=8)
        if text == "write the long report":
            return Turn().text(REPORT, deltas=6).gate(held["report"], after_events=7)
        turn = Turn().text(f"You said: {text}", deltas=4)
        return turn.gate(held["first"], after_events=6) if text == "first" else turn

    emulator.default_reply = reply
    bot, url = await start_bot()
    story = message_event("tell me a story", user=ALICE, channel=ALICE_DM)
    report = message_event("<@U0BOT> write the long report", user=BOB, channel=GENERAL)
    queue = [message_event(t, user=CAROL, channel=CAROL_DM) for t in ("first", "second", "third")]
    await deliver(slack, url, story)
    await deliver(slack, url, mention_event(report))
    await deliver(slack, url, report)
    for event in queue:
        await deliver(slack, url, event)

    # Mid-answer: part of each shown, the background run polled, Carol's two others queued.
    def partly(event: JSON) -> bool:
        return any(m.shown not in ("", "…") for m in answers(slack, event))

    await slack.until(lambda: partly(story) and partly(report) and partly(queue[0]))
    polled = [r for r in emulator.requests if r.method == "GET" and "/responses/" in r.path]
    assert polled, "the background run is being polled"
    await bot.kill()
    assert "Traceback" not in bot.log

    # The model finishes on its side while the bot is down; the bot starts again and Slack
    # redelivers everything (as it does for deliveries it counts as unacknowledged).
    for gate in held.values():
        gate.set()
    bot, url = await start_bot()
    for event in (story, mention_event(report), report, *queue):
        await deliver(slack, url, event, retry=1)
    async with asyncio.timeout(30):
        await slack.until(
            lambda: (
                shows(slack, story, STORY)
                and shows(slack, report, REPORT)
                and all(shows(slack, e, f"You said: {e['text']}") for e in queue)
            )
        )
    assert await bot.terminate() == 0, bot.log

    jobs = await stored_jobs(tmp_path / "bot.db")
    assert [(j.user, j.status) for j in jobs] == [
        (ALICE, "answered"),
        (BOB, "answered"),
        (CAROL, "answered"),
        (CAROL, "answered"),
        (CAROL, "answered"),
    ]
    # One response per message: the interrupted ones were followed, not started again.
    asked = [last_user_text(r["input"]) for r in emulator.response_requests()]
    assert asked == ["tell me a story", "write the long report", "first", "second", "third"]
    # Carol's queue was answered in order, each once, in its own thread.
    finished = [answers(slack, e)[0].history[-1] for e in queue]
    assert finished == ["You said: first", "You said: second", "You said: third"]
    assert "Traceback" not in bot.log


async def test_sigterm_finishes_in_flight_answers_within_the_grace_or_hands_them_over(
    start_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path
) -> None:
    quick, slow = asyncio.Event(), asyncio.Event()

    def reply(body: JSON) -> Turn:
        text = last_user_text(body.get("input"))
        gate = quick if text == "quick one" else slow
        return Turn().text(f"You said: {text}", deltas=4).gate(gate, after_events=6)

    emulator.default_reply = reply
    grace = 1.5
    bot, url = await start_bot(SHUTDOWN_GRACE=str(grace))
    asked = [
        message_event("quick one", user=ALICE, channel=ALICE_DM),
        message_event("slow one", user=CAROL, channel=CAROL_DM),
    ]
    for event in asked:
        await deliver(slack, url, event)
    await slack.until(
        lambda: all(any(m.shown not in ("", "…") for m in answers(slack, e)) for e in asked)
    )

    began = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    await bot.line(r"(shutting down)")
    quick.set()  # this one finishes within the grace; the slow one does not
    assert await bot.terminate() == 0, bot.log
    assert time.monotonic() - began < grace + 5, "SIGTERM is bounded by SHUTDOWN_GRACE"
    assert shows(slack, asked[0], "You said: quick one")
    assert not shows(slack, asked[1], "You said: slow one")

    # The next start finishes the slow one, in the same message.
    slow.set()
    bot, url = await start_bot()
    async with asyncio.timeout(30):
        await slack.until(lambda: shows(slack, asked[1], "You said: slow one"))
    assert await bot.terminate() == 0, bot.log
    statuses = [j.status for j in await stored_jobs(tmp_path / "bot.db")]
    assert statuses == ["answered", "answered"], bot.log
    assert len(emulator.response_requests()) == 2
