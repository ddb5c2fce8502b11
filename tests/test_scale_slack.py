"""Slack at scale: three ``run`` processes in HTTP mode on one PostgreSQL database, with this
test as the load balancer in front of them and as Slack behind them.

200 questions from 20 people, each mentioning the bot in a channel (so Slack sends every one
twice: ``app_mention`` and ``message``), and every event delivered twice, the second time as
Slack's retry (``X-Slack-Retry-Num``) to another process. Each person's fourth question is
held mid-answer by the model; once every person has one held, the process holding the most
is SIGKILLed, the rest of the questions go to the two survivors, and the held answers are let
go. The survivors finish the dead process's answers after its lease (``JOB_LEASE_SECONDS``).

Checked: 200 answers, each one reply message with the complete text, none answered twice
(200 ``responses.create``), each person's answers in the order asked, and no 429 from the
emulator although the three processes together reach the workspace's limits.

Slack's per-minute tiers are scaled to ``WINDOW`` seconds (``tests/scale_bot.py`` explains
why and how); ``chat.postMessage``'s per-channel limit stays Slack's (each channel here gets
four questions).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_events import JSON, last_user_text
from tests.postgres_db import connect, fresh_schema
from tests.scale_processes import BotProcess, clean_env, slack_bot, stop_all
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    DEFAULT_TIERS,
    Message,
    SlackCall,
    Tier,
    event_callback,
    mention_event,
    message_event,
)

WINDOW = 5.0
"""The emulator's per-minute tiers, in seconds; the bots budget per ``WINDOW + 1``."""
LEASE = 2.0
PROCESSES, USERS, QUESTIONS, CHANNELS = 3, 20, 10, 50
HELD = 3
"""Each person's question number ``HELD`` (from 0) is held mid-answer until the kill."""


def scaled_tiers(window: float = WINDOW) -> dict[str, Tier]:
    """Slack's tiers with every per-minute window ``window`` seconds long."""
    return {
        method: Tier(tier.calls, tier.window * window / 60) if tier.per == "team" else tier
        for method, tier in DEFAULT_TIERS.items()
    }


@dataclass
class Question:
    user: str
    number: int
    message: JSON

    @property
    def text(self) -> str:
        return f"{self.user} q{self.number}"

    @property
    def answer(self) -> str:
        return f"You said: {self.text}"

    @property
    def place(self) -> tuple[str, str]:
        return self.message["channel"], self.message["ts"]


def questions() -> dict[str, list[Question]]:
    """Question k of person u goes to channel (10u + k) mod 50: four questions a channel."""
    found: dict[str, list[Question]] = {}
    for u in range(USERS):
        user = f"U{u:02d}PERSON"
        for k in range(QUESTIONS):
            channel = f"C{(u * QUESTIONS + k) % CHANNELS:02d}CLASS"
            text = f"<@U0BOT> {user} q{k}"
            message = message_event(text, user=user, channel=channel)
            found.setdefault(user, []).append(Question(user, k, message))
    return found


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator(tiers=scaled_tiers()) as emulator:
        emulator.wait_timeout = 90
        yield emulator


class Balancer:
    """The load balancer: sends each event to a random process, and Slack's retry of it to
    another; the first delivery of a question is acknowledged before the person's next."""

    def __init__(self, slack: SlackEmulator, rng: random.Random) -> None:
        self.slack, self.rng = slack, rng
        self.urls: dict[str, str] = {}
        self.retries: list[asyncio.Task[tuple[int, str]]] = []
        self.statuses: Counter[int] = Counter()

    async def _post(self, name: str, payload: JSON, retry: bool) -> tuple[int, str]:
        status, body = await self.slack.post_event(
            self.urls[name], payload, retry_num=1 if retry else None
        )
        self.statuses[status] += 1
        return status, body

    async def ask(self, question: Question) -> None:
        mention = event_callback(mention_event(question.message))
        message = event_callback(question.message)
        first, second = self.rng.sample([mention, message], 2)
        for payload, wait in ((first, True), (second, False)):
            to, retry_to = self.rng.sample(sorted(self.urls), 2)
            if wait:
                status, body = await self._post(to, payload, False)
                assert status == 200, (status, body)
            else:
                self.retries.append(asyncio.create_task(self._post(to, payload, False)))
            self.retries.append(asyncio.create_task(self._post(retry_to, payload, True)))

    async def settle(self) -> None:
        await asyncio.gather(*self.retries)


def replies(slack: SlackEmulator, question: Question) -> list[Message]:
    return slack.replies(*question.place)


def answered(slack: SlackEmulator, question: Question) -> bool:
    found = replies(slack, question)
    return len(found) == 1 and found[0].shown == question.answer and not found[0].streaming


def partly_shown(slack: SlackEmulator, question: Question) -> bool:
    """One reply, showing the beginning of the answer (its post and first edit are done)."""
    found = replies(slack, question)
    return len(found) == 1 and found[0].shown.startswith("You said")


def call_span(slack: SlackEmulator) -> dict[str, tuple[int, int]]:
    """For each thread the bot answered in: the indexes of its first and last Web API call."""
    thread_of = {m.ts: m.thread_ts for ms in slack.messages.values() for m in ms if m.bot_id}
    spans: dict[str, tuple[int, int]] = {}
    for index, call in enumerate(slack.calls):
        if call.method in ("chat.postMessage", "chat.startStream"):
            thread = call.args.get("thread_ts")
        elif call.method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            thread = thread_of.get(str(call.args.get("ts")))
        else:
            continue
        if thread:
            first, _ = spans.get(str(thread), (index, index))
            spans[str(thread)] = (first, index)
    return spans


def busiest(calls: list[SlackCall], methods: tuple[str, ...], window: float) -> int:
    """The most calls of ``methods`` in any ``window`` seconds."""
    stamps = sorted(c.at for c in calls if c.method in methods)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_three_http_processes_share_one_inbox_and_the_workspace_limits(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path
) -> None:
    release = asyncio.Event()

    def reply(body: JSON) -> Turn:
        text = last_user_text(body.get("input"))
        turn = Turn().text(f"You said: {text}", deltas=3)
        return turn.gate(release, after_events=5) if text.endswith(f" q{HELD}") else turn

    emulator.default_reply = reply
    asked = questions()
    everyone = [q for qs in asked.values() for q in qs]
    rng = random.Random(20)
    balancer = Balancer(slack, rng)
    processes: list[BotProcess] = []
    async with fresh_schema() as url:
        try:
            env = clean_env(
                OPENAI_API_KEY="sk-test-scale-0123456789abcdef",
                OPENAI_BASE_URL=emulator.base_url,
                DATABASE_URL=url,
                LOG_LEVEL="INFO",
                SLACK_BOT_TOKEN=slack.bot_token,
                SLACK_SIGNING_SECRET=slack.signing_secret,
                SLACK_API_URL=slack.api_url,
                PORT="0",
                JOB_LEASE_SECONDS=str(LEASE),
                SCALE_SLACK_WINDOW=str(WINDOW + 1),
            )
            processes = list(
                await asyncio.gather(
                    *(
                        BotProcess.start(f"bot{n}", slack_bot(), env, tmp_path)
                        for n in range(PROCESSES)
                    )
                )
            )
            for process in processes:
                url_line = await process.line(r"listening on (\S+)")
                balancer.urls[process.name] = url_line.group(1).replace("0.0.0.0", "127.0.0.1")
            for process in processes:  # each admits a third of the quotas from now on
                await process.line(rf"{PROCESSES} processes on this database serve slack")

            # Everyone asks questions 0..4; each person's question 3 stays held mid-answer.
            async def ask(user: str, numbers: range) -> None:
                for k in numbers:
                    await balancer.ask(asked[user][k])

            await asyncio.gather(*(ask(user, range(HELD + 2)) for user in asked))
            held = [asked[user][HELD] for user in asked]
            await slack.until(lambda: all(partly_shown(slack, q) for q in held))
            await balancer.settle()  # every delivery so far (retries too) was answered

            # Kill the process holding the most answers; the rest goes to the survivors.
            async with connect(url) as conn:
                running = await conn.fetch(
                    "SELECT event_id, claimed_by FROM jobs WHERE status = 'running'"
                )
            holder = {row["event_id"]: int(row["claimed_by"].split(":")[1]) for row in running}
            assert len(holder) == USERS
            victim = max(processes, key=lambda p: sum(pid == p.pid for pid in holder.values()))
            victim_jobs = {event for event, pid in holder.items() if pid == victim.pid}
            await victim.kill()
            survivors = [p for p in processes if p is not victim]
            for name in list(balancer.urls):
                if name == victim.name:
                    del balancer.urls[name]
            await asyncio.gather(*(ask(user, range(HELD + 2, QUESTIONS)) for user in asked))
            release.set()
            await slack.until(lambda: all(answered(slack, q) for q in everyone))
            await balancer.settle()
            codes = [await p.stop() for p in survivors]
            async with connect(url) as conn:
                jobs = await conn.fetch("SELECT event_id, status, attempts, claimed_by FROM jobs")
        finally:
            for task in balancer.retries:
                task.cancel()
            await asyncio.gather(*balancer.retries, return_exceptions=True)
            await stop_all(processes)

    assert codes == [0, 0], "\n".join(p.log for p in survivors)
    for process in survivors:
        assert "Traceback" not in process.log, process.log
    assert set(balancer.statuses) == {200}
    # One answer per question, complete, in one reply message.
    assert [q for q in everyone if not answered(slack, q)] == []
    assert len(jobs) == USERS * QUESTIONS
    assert {row["status"] for row in jobs} == {"answered"}
    creates = [
        r.status for r in emulator.requests if r.method == "POST" and r.path == "/v1/responses"
    ]
    assert creates == [200] * (USERS * QUESTIONS), "a question was answered twice"
    # The dead process's held answers were finished by the others, after its lease.
    by_event = {row["event_id"]: row for row in jobs}
    assert victim_jobs
    for event in victim_jobs:
        assert by_event[event]["attempts"] == 2
        assert int(by_event[event]["claimed_by"].split(":")[1]) != victim.pid
    # Each person's answers in the order asked: one ends before the next begins.
    spans = call_span(slack)
    for user, qs in asked.items():
        order = [spans[q.message["ts"]] for q in qs]
        for (_, last), (first, _) in itertools.pairwise(order):
            assert last < first, f"{user}'s answers overlap"
    # Never over the workspace's limits, though the processes together reached them.
    assert slack.rate_limited == []
    assert busiest(slack.calls, ("chat.update",), WINDOW) >= 40  # the tier is 50
    assert re.search(r"took over jobs \[", "".join(p.log for p in survivors))
