"""Real bot processes on one PostgreSQL inbox: three ``tests.inbox_worker`` processes start
together (and migrate once), every message is delivered to two of them at the same moment,
and one is SIGKILLed in the middle of its answers; the others finish them after its lease.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_events import JSON, last_user_text
from tests.postgres_db import connect, fresh_schema

ROOT = Path(__file__).resolve().parent.parent
LEASE = 1.0


class Chat:
    """What the chat service received from every process, from their stdout lines."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.posts: dict[str, list[str]] = defaultdict(list)  # event → refs
        self.closes: list[tuple[str, str, str]] = []  # (node, event, user)
        self.changed = asyncio.Condition()

    def apply(self, line: dict[str, Any]) -> None:
        if line["op"] == "post":
            self.posts[line["event"]].append(line["ref"])
        if line["op"] in ("post", "edit"):
            self.messages[line["ref"]] = line["text"]
        if line["op"] == "close":
            self.closes.append((line["node"], line["event"], line["user"]))

    def text_of(self, event: str) -> str:
        return "\n".join(self.messages[ref] for ref in self.posts[event])

    def started_by(self, event: str) -> str:
        return self.posts[event][0].rsplit("-", 1)[0] if self.posts[event] else ""

    async def wait(self, ready: Callable[[], bool], seconds: float = 60) -> None:
        async with asyncio.timeout(seconds), self.changed:
            await self.changed.wait_for(ready)


class Worker:
    """A bot process; its stdout feeds the chat and acknowledges accepted messages."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, chat: Chat) -> None:
        self.name, self.proc, self.chat = name, proc, chat
        self.ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.acks: dict[str, asyncio.Future[bool]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            data = json.loads(line)
            if data["op"] == "ready":
                self.ready.set_result(data["worker"])
            elif data["op"] == "accepted":
                self.acks.pop(data["event"]).set_result(data["accepted"])
            else:
                async with self.chat.changed:
                    self.chat.apply(data)
                    self.chat.changed.notify_all()

    async def say(self, user: str, text: str, event_id: str) -> bool:
        assert self.proc.stdin is not None
        self.acks[event_id] = asyncio.get_running_loop().create_future()
        line = {"user": user, "text": text, "event_id": event_id}
        self.proc.stdin.write(json.dumps(line).encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.acks[event_id]

    async def finish(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = await self.proc.wait()
        await self.reader
        return code


@pytest.fixture
async def spawn(
    emulator: OpenAIEmulator, tmp_path: Path
) -> AsyncIterator[Callable[[str, str, Chat], Any]]:
    workers: list[Worker] = []

    async def start(name: str, url: str, chat: Chat) -> Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.inbox_worker",
            "--name",
            name,
            "--database-url",
            url,
            "--openai-url",
            emulator.base_url,
            "--lease",
            str(LEASE),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=(tmp_path / f"{name}.log").open("w"),
        )
        worker = Worker(name, proc, chat)
        workers.append(worker)
        async with asyncio.timeout(60):
            await worker.ready
        return worker

    yield start
    for worker in workers:
        if worker.proc.returncode is None:
            worker.proc.kill()
            await worker.proc.wait()
        worker.reader.cancel()


async def test_three_processes_one_killed_mid_answer(
    spawn: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    release = asyncio.Event()

    def reply(body: JSON) -> Turn:
        text = last_user_text(body.get("input"))
        turn = Turn().text(f"You said: {text}", deltas=4)
        return turn.gate(release, after_events=6) if text.endswith("first") else turn

    emulator.default_reply = reply
    chat = Chat()
    users = [f"user{n}" for n in range(6)]
    rng = random.Random(11)
    async with fresh_schema() as url:
        workers: list[Worker] = await asyncio.gather(*(spawn(f"p{n}", url, chat) for n in range(3)))

        async def deliver(user: str, which: str, to: list[Worker]) -> None:
            event = f"Ev-{user}-{which}"
            accepted = await asyncio.gather(*(w.say(user, f"{user} {which}", event) for w in to))
            assert sorted(accepted) == [False, True]

        # Every first question is being answered (and stopped mid-answer) somewhere.
        await asyncio.gather(*(deliver(u, "first", rng.sample(workers, 2)) for u in users))
        await chat.wait(lambda: all(chat.text_of(f"Ev-{u}-first") not in ("", "…") for u in users))
        started = Counter(chat.started_by(f"Ev-{u}-first") for u in users)
        victim = max(workers, key=lambda w: started[w.name])
        victim.proc.kill()
        await victim.proc.wait()
        survivors = [w for w in workers if w is not victim]
        # The load balancer now sends everything to the survivors.
        await asyncio.gather(*(deliver(u, "second", survivors) for u in users))
        release.set()
        await chat.wait(lambda: len({event for _, event, _ in chat.closes}) == 12)
        assert [await w.finish() for w in survivors] == [0, 0]

        async with connect(url) as conn:
            rows = await conn.fetch("SELECT event_id, status, attempts FROM jobs")
            versions = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
        migrations = [row[0] for row in versions]

    assert started[victim.name] >= 1
    assert migrations == list(range(1, len(migrations) + 1))
    assert len(chat.closes) == 12
    assert {node for node, _, _ in chat.closes} <= {w.name for w in survivors}
    for user in users:
        events = [event for _, event, who in chat.closes if who == user]
        assert events == [f"Ev-{user}-first", f"Ev-{user}-second"]
        for which in ("first", "second"):
            event = f"Ev-{user}-{which}"
            assert len(chat.posts[event]) == 1, "one message per answer, edited in place"
            assert chat.text_of(event) == f"You said: {user} {which}"
    attempts = {row["event_id"]: (row["status"], row["attempts"]) for row in rows}
    for user in users:
        taken_over = chat.started_by(f"Ev-{user}-first") == victim.name
        assert attempts[f"Ev-{user}-first"] == ("answered", 2 if taken_over else 1)
        assert attempts[f"Ev-{user}-second"] == ("answered", 1)
    creates = [
        r.status for r in emulator.requests if r.method == "POST" and r.path == "/v1/responses"
    ]
    assert creates == [200] * 12
