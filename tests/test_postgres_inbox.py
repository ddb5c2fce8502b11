"""Several bot processes on one PostgreSQL inbox.

Each "process" here is an Engine with its own PostgresStore (its own connection pool and
database sessions), its own OpenAI client and its own worker id, all talking to one database
and to the OpenAI emulator; they share only what real processes share: the database, the
model service and the chat service (``Chat``, a recording stand-in for Slack or Discord).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from app.wiring import build_core
from bot.config import Settings
from bot.engine import Engine
from bot.openai_backend import OpenAIBackend
from bot.types import Attachment, InboundMessage, ReplyLimits
from storage.migrations import load_migrations
from storage.postgres import _THREAD_LOCK, PostgresStore
from storage.records import Job, NewJob
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_events import JSON, default_reply, last_user_text
from tests.postgres_db import connect, fresh_schema

PLATFORM = "chat"


@dataclass(frozen=True)
class Answer:
    user: str
    event_id: str
    text: str
    node: str


class Chat:
    """The chat service every process posts to: messages by ref, the answers in the order
    they were completed, and how many replies each person had in progress at once."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.posts: dict[str, list[str]] = defaultdict(list)  # event id → refs posted
        self.answers: list[Answer] = []
        self.in_progress: Counter[str] = Counter()
        self.most_at_once: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    def text_of(self, event_id: str) -> str:
        return "\n".join(self.messages[ref] for ref in self.posts[event_id])

    def of(self, user: str) -> list[str]:
        return [answer.text for answer in self.answers if answer.user == user]

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, ready: Callable[[], bool], seconds: float = 30) -> None:
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(ready)

    async def wait_answers(self, count: int, seconds: float = 60) -> None:
        await self.wait(lambda: len(self.answers) >= count, seconds)


class ChatReply:
    def __init__(self, chat: Chat, job: Job, node: str) -> None:
        self.chat, self.job, self.node = chat, job, node
        self.budget_key = job.workspace
        chat.in_progress[job.user] += 1
        chat.most_at_once[job.user] = max(chat.most_at_once[job.user], chat.in_progress[job.user])

    async def post(self, text: str) -> str:
        ref = f"msg{next(self.chat._ids)}"
        self.chat.messages[ref] = text
        self.chat.posts[self.job.event_id].append(ref)
        await self.chat.notify()
        return ref

    async def edit(self, ref: str, text: str) -> None:
        self.chat.messages[ref] = text
        await self.chat.notify()

    async def upload(self, filename: str, data: bytes) -> None:
        return None

    def show_steps(self, steps: object, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    def set_buttons(self, buttons: Any) -> None:
        return None  # no buttons here

    async def set_status(self, status: str | None) -> None:
        return None

    async def close(self) -> None:
        self.chat.in_progress[self.job.user] -= 1
        job = self.job
        self.chat.answers.append(
            Answer(job.user, job.event_id, self.chat.text_of(job.event_id), self.node)
        )
        await self.chat.notify()


class ChatPlatform:
    name = PLATFORM
    limits = ReplyLimits(placeholder="…", file_link_note=None)

    def __init__(self, chat: Chat, node: str) -> None:
        self.chat, self.node = chat, node

    def reply_target(self, job: Job) -> ChatReply:
        return ChatReply(self.chat, job, self.node)

    async def download(self, attachment: Attachment) -> bytes:
        raise AssertionError("no attachments in these tests")


class WatchedStore(PostgresStore):
    """Lets a test wait until a heartbeat has looked for expired leases as of a moment."""

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn)
        self.checked_until = 0.0
        self._checked = asyncio.Condition()

    async def release_expired(self, *, before: float) -> list[int]:
        released = await super().release_expired(before=before)
        async with self._checked:
            self.checked_until = max(self.checked_until, before)
            self._checked.notify_all()
        return released

    async def wait_checked(self, moment: float, seconds: float = 10) -> None:
        async with asyncio.timeout(seconds), self._checked:
            await self._checked.wait_for(lambda: self.checked_until > moment)


@dataclass
class Node:
    """One bot process: engine, its own pool and its own OpenAI client."""

    name: str
    engine: Engine
    store: WatchedStore
    backend: OpenAIBackend

    async def say(self, user: str, text: str, event_id: str) -> bool:
        message = InboundMessage(PLATFORM, "W1", "C1", user, text, event_id)
        return await self.engine.accept(message)

    async def stop(self, grace: float = 10) -> None:
        await self.engine.stop(grace=grace)
        await self.backend.close()
        await self.store.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_schema() as url:
        yield url


@pytest.fixture
def chat() -> Chat:
    return Chat()


@pytest.fixture
async def start_node(
    pg_url: str, emulator: OpenAIEmulator, chat: Chat
) -> AsyncIterator[Callable[..., Awaitable[Node]]]:
    nodes: list[Node] = []

    async def start(name: str, **overrides: Any) -> Node:
        values: dict[str, Any] = {
            "openai_api_key": "sk-test-emulator-key",
            "openai_base_url": emulator.base_url,
            "database_url": pg_url,
            "poll_interval": 0.01,
            "openai_max_retries": 2,
            "assistant_model": "gpt-test-mini",
            "assistant_tools": "",
            **overrides,
        }
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        store = WatchedStore(pg_url)
        await store.open()
        client = openai.AsyncOpenAI(
            api_key="sk-test-emulator-key", base_url=emulator.base_url, max_retries=2
        )
        backend = OpenAIBackend(client, poll_interval=settings.poll_interval)
        platforms = [ChatPlatform(chat, name)]
        engine = build_core(
            settings=settings, store=store, backend=backend, platforms=platforms
        ).engine
        node = Node(name, engine, store, backend)
        nodes.append(node)
        await engine.start()
        return node

    yield start
    for node in nodes:
        if node.store.is_open:
            await node.stop(grace=0)


def streamed_echo(body: JSON) -> Turn:
    # A little time between deltas, so that answers overlap as real streamed ones do.
    return default_reply(body).delta_interval(0.001)


def response_creates(emulator: OpenAIEmulator) -> list[int | None]:
    return [r.status for r in emulator.requests if r.method == "POST" and r.path == "/v1/responses"]


async def test_three_processes_answer_each_message_once_in_per_user_order(
    start_node: Callable[..., Awaitable[Node]],
    emulator: OpenAIEmulator,
    chat: Chat,
    pg_url: str,
) -> None:
    emulator.default_reply = streamed_echo
    nodes = [await start_node(name, max_concurrent_runs=8) for name in ("n1", "n2", "n3")]
    users = [f"user{n:02d}" for n in range(20)]
    rng = random.Random(8)

    async def send(user: str) -> None:
        for i in range(10):
            text, event_id = f"{user} asks question {i}", f"Ev-{user}-{i}"
            first, second = rng.sample(nodes, 2)
            # The same event reaches two processes at the same moment (a platform retry).
            accepted = await asyncio.gather(
                first.say(user, text, event_id), second.say(user, text, event_id)
            )
            assert sorted(accepted) == [False, True]

    await asyncio.gather(*(send(user) for user in users))
    await chat.wait_answers(200)
    for node in nodes:
        await node.stop()

    assert len(chat.answers) == 200
    assert len({answer.event_id for answer in chat.answers}) == 200
    for user in users:
        assert chat.of(user) == [f"You said: {user} asks question {i}" for i in range(10)]
        assert chat.most_at_once[user] == 1
    assert all(len(refs) == 1 for refs in chat.posts.values())
    assert len({answer.node for answer in chat.answers}) == 3

    # The model saw one response per message, never one while another of the same
    # conversation was in progress (that would be a 400 conversation_locked).
    assert response_creates(emulator) == [200] * 200
    assert len(emulator.conversations) == 20
    for conversation in emulator.conversations.values():
        asked = [
            item["content"][0]["text"] for item in conversation.items if item["role"] == "user"
        ]
        user = asked[0].split()[0]
        assert asked == [f"{user} asks question {i}" for i in range(10)]

    async with connect(pg_url) as conn:
        rows = await conn.fetch("SELECT status, attempts FROM jobs")
    assert [(row["status"], row["attempts"]) for row in rows] == [("answered", 1)] * 200


async def test_jobs_of_a_dead_process_are_taken_over_after_its_lease(
    start_node: Callable[..., Awaitable[Node]],
    emulator: OpenAIEmulator,
    chat: Chat,
    pg_url: str,
) -> None:
    release = asyncio.Event()

    def reply(body: JSON) -> Turn:
        text = last_user_text(body.get("input"))
        turn = Turn().text(f"You said: {text}", deltas=4)
        # First questions stop mid-answer (after two text deltas) until released.
        return turn.gate(release, after_events=6) if text.endswith("first") else turn

    emulator.default_reply = reply
    doomed = await start_node("doomed", job_lease_seconds=0.5, max_concurrent_runs=3)
    in_flight = ["ann", "ben", "cy"]
    for user in in_flight:
        assert await doomed.say(user, f"{user} first", f"Ev-{user}-1")
        assert await doomed.say(user, f"{user} second", f"Ev-{user}-2")
    # Over the doomed process's capacity: accepted, still queued when it dies.
    assert await doomed.say("dee", "dee first", "Ev-dee-1")

    def partly_answered() -> bool:
        return all(chat.text_of(f"Ev-{user}-1") not in ("", "…") for user in in_flight)

    await chat.wait(partly_answered)
    gated = [r.id for r in emulator.responses.values()]
    assert len(gated) == 3
    await doomed.engine.stop(grace=0)  # dies: its runs stop, its jobs stay running
    await doomed.backend.close()
    await doomed.store.close()

    survivor = await start_node("survivor", job_lease_seconds=0.5)
    # It follows each interrupted response (polling it) instead of starting it again.
    for response_id in gated:
        await emulator.wait_requests(
            lambda r, rid=response_id: r.method == "GET" and r.path == f"/v1/responses/{rid}"
        )
    release.set()
    await chat.wait_answers(7)
    await survivor.stop()

    assert sorted(answer.event_id for answer in chat.answers) == sorted(
        [f"Ev-{user}-{n}" for user in in_flight for n in (1, 2)] + ["Ev-dee-1"]
    )
    assert {answer.node for answer in chat.answers} == {"survivor"}
    for user in in_flight:
        assert chat.of(user) == [f"You said: {user} first", f"You said: {user} second"]
    assert chat.of("dee") == ["You said: dee first"]
    # The survivor edited the message the dead process had started: one message per answer.
    assert all(len(chat.posts[answer.event_id]) == 1 for answer in chat.answers)
    assert response_creates(emulator) == [200] * 7

    async with connect(pg_url) as conn:
        rows = await conn.fetch("SELECT event_id, status, attempts, claimed_by FROM jobs")
    jobs = {row["event_id"]: row for row in rows}
    assert {row["status"] for row in rows} == {"answered"}
    assert {row["claimed_by"] for row in rows} == {survivor.engine.worker_id}
    assert [jobs[f"Ev-{user}-1"]["attempts"] for user in in_flight] == [2, 2, 2]
    assert jobs["Ev-dee-1"]["attempts"] == 1


async def test_a_live_process_keeps_its_jobs_while_others_watch_for_expired_leases(
    start_node: Callable[..., Awaitable[Node]],
    emulator: OpenAIEmulator,
    chat: Chat,
    pg_url: str,
) -> None:
    release = asyncio.Event()
    emulator.script(Turn().text("a long answer", deltas=4).gate(release, after_events=4))
    # Both "processes" share this test's event loop: a lease shorter than a stall of the
    # loop (a loaded machine) would be lost, so this one is not as short as it could be.
    lease = 1.0
    busy = await start_node("busy", job_lease_seconds=lease)
    watcher = await start_node("watcher", job_lease_seconds=lease)
    await watcher.engine.wait_idle()  # its first look at the inbox found nothing to do
    assert await busy.say("ann", "a long question", "Ev-1")
    await emulator.response_started(0)
    claimed_at = time.time()
    # The watcher's heartbeat looks for expired leases for several lease lengths.
    await watcher.store.wait_checked(claimed_at + 2.5 * lease)
    async with connect(pg_url) as conn:
        row = await conn.fetchrow("SELECT status, attempts, claimed_by FROM jobs")
    assert row is not None
    # Either process may claim it (both look at the shared inbox); whoever did keeps it.
    owners = {busy.engine.worker_id: "busy", watcher.engine.worker_id: "watcher"}
    assert row["status"] == "running" and row["attempts"] == 1 and row["claimed_by"] in owners
    release.set()
    await chat.wait_answers(1)
    await busy.stop()
    await watcher.stop()
    assert [(a.text, a.node) for a in chat.answers] == [
        ("a long answer", owners[row["claimed_by"]])
    ]
    assert response_creates(emulator) == [200]


async def test_database_of_an_older_version_upgrades(pg_url: str) -> None:
    old = PostgresStore(pg_url, target_version=1)
    await old.open()
    try:
        assert await old.schema_version() == 1
        accepted = await old.accept(NewJob("slack", "T1", "C1", "u1", "E1", {"text": "hi"}))
        thread = await old.create_thread("slack", "T1", "u1", "", "conv_1")
        assert accepted
    finally:
        await old.close()

    upgraded = PostgresStore.from_url(pg_url)
    await upgraded.open()
    try:
        latest = len(load_migrations())
        assert await upgraded.schema_version() == latest >= 3
        kept = await upgraded.get_job(accepted.id)
        assert kept and kept.payload == {"text": "hi"} and kept.status == "queued"
        assert await upgraded.accept(NewJob("slack", "T1", "C1", "u1", "E1", {})) is None
        [claimed] = await upgraded.claim_runnable(5, worker="w", lease=60)
        assert claimed.id == accepted.id
        assert await upgraded.get_thread("slack", "T1", "u1", "") == thread
    finally:
        await upgraded.close()
    async with connect(pg_url) as conn:
        versions = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
        types = dict(
            await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'jobs'"
            )
        )
    assert [row[0] for row in versions] == list(range(1, latest + 1))
    assert types["lease_until"] == types["created_at"] == "double precision"
    assert types["id"] == "bigint"


async def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    stores = [PostgresStore(pg_url) for _ in range(4)]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        versions = [await store.schema_version() for store in stores]
    finally:
        await asyncio.gather(*(store.close() for store in stores))
    assert versions == [len(load_migrations())] * 4
    async with connect(pg_url) as conn:
        rows = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
    assert [row[0] for row in rows] == list(range(1, versions[0] + 1))


@pytest.fixture
async def stores(pg_url: str) -> AsyncIterator[list[PostgresStore]]:
    """Four processes' stores on one database."""
    opened = [PostgresStore(pg_url, max_size=4) for _ in range(4)]
    for store in opened:
        await store.open()
    yield opened
    await asyncio.gather(*(store.close() for store in opened))


async def test_same_event_delivered_to_every_process_is_accepted_once(
    stores: list[PostgresStore],
) -> None:
    for n in range(20):
        new = NewJob("slack", "T1", "C1", f"u{n % 3}", f"Ev{n}", {"n": n})
        accepted = await asyncio.gather(*(store.accept(new) for store in stores))
        assert len([job for job in accepted if job is not None]) == 1
        seen = await asyncio.gather(*(s.remember_event("slack", f"Other{n}") for s in stores))
        assert sorted(seen) == [False, False, False, True]
    assert len(await stores[0].jobs()) == 20


async def test_concurrent_claimers_never_run_two_jobs_of_one_thread(
    stores: list[PostgresStore],
) -> None:
    threads = [f"slack:T1:u{n}" for n in range(12)]
    ids: dict[str, list[int]] = defaultdict(list)
    for n in range(8):
        for key in threads:
            new = NewJob("slack", "T1", "C1", key, f"Ev-{key}-{n}", {}, thread_key=key)
            job = await stores[0].accept(new)
            assert job
            ids[key].append(job.id)
    total = sum(len(v) for v in ids.values())
    rng = random.Random(3)
    running: dict[str, int] = {}
    claims: dict[str, list[int]] = defaultdict(list)
    answered: set[int] = set()
    failed_once: set[int] = set()
    progress = asyncio.Condition()
    finished = [0]  # jobs worked on so far: a claimer that found nothing waits for a change

    async def work(job: Job, store: PostgresStore) -> None:
        await store.get_job(job.id)  # a round trip while the job runs
        assert running.pop(job.thread_key) == job.id
        if job.id not in failed_once and rng.random() < 0.2:
            # Fails, and the person asks again (/retry): the job is queued again at once.
            failed_once.add(job.id)
            await store.finish_job(job.id, "failed", "model error")
            await store.requeue_job(job.id)
        else:
            await store.finish_job(job.id, "answered")
            answered.add(job.id)
        async with progress:
            finished[0] += 1
            progress.notify_all()

    async def worker(name: str, store: PostgresStore) -> None:
        while len(answered) < total:
            seen = finished[0]
            claimed = await store.claim_runnable(3, worker=name, lease=60)
            for job in claimed:
                assert job.thread_key not in running, f"{job.thread_key} runs twice"
                running[job.thread_key] = job.id
                claims[job.thread_key].append(job.id)
            await asyncio.gather(*(work(job, store) for job in claimed))
            if not claimed:
                async with progress:
                    await progress.wait_for(lambda seen=seen: finished[0] != seen)

    async with asyncio.timeout(60):
        await asyncio.gather(*(worker(f"w{n}", s) for n, s in enumerate(stores * 2)))

    assert len(answered) == total
    for key in threads:
        firsts = [job_id for n, job_id in enumerate(claims[key]) if job_id not in claims[key][:n]]
        assert firsts == ids[key], "a thread's jobs were first claimed out of order"
    jobs = await stores[0].jobs()
    assert {job.status for job in jobs} == {"answered"}
    assert {job.id: job.attempts for job in jobs} == {
        job.id: 2 if job.id in failed_once else 1 for job in jobs
    }


async def test_a_thread_being_claimed_elsewhere_is_skipped_not_claimed_twice(
    stores: list[PostgresStore], pg_url: str
) -> None:
    """The moment SKIP LOCKED alone gets wrong: another process is between deciding and
    committing for a thread (it holds the thread's claim lock). Its decision may rest on an
    older snapshot (say, before a /retry queued an earlier job), so this claimer must not
    decide for that thread at the same time, whatever rows it finds unlocked."""
    mine, other = stores[0], stores[1]
    first = await mine.accept(NewJob("slack", "T1", "C1", "ann", "E1", {}))
    second = await mine.accept(NewJob("slack", "T1", "C1", "ann", "E2", {}))
    bob = await mine.accept(NewJob("slack", "T1", "C1", "bob", "E3", {}))
    assert first and second and bob
    await mine.claim_runnable(1, worker="w1", lease=60)
    await mine.finish_job(first.id, "failed", "model error")
    async with connect(pg_url) as claimer, claimer.transaction():
        held = await claimer.fetchval(
            "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _THREAD_LOCK, first.thread_key
        )
        assert held
        await mine.requeue_job(first.id)
        assert [job.id for job in await other.claim_runnable(5, worker="w2", lease=60)] == [bob.id]
    [again] = await other.claim_runnable(5, worker="w2", lease=60)
    assert again.id == first.id and again.attempts == 2
    assert await other.claim_runnable(5, worker="w2", lease=60) == []


async def test_expired_jobs_are_released_once_among_processes(
    stores: list[PostgresStore],
) -> None:
    for n in range(30):
        await stores[0].accept(NewJob("slack", "T1", "C1", f"u{n}", f"Ev{n}", {}))
    claimed = await stores[0].claim_runnable(30, worker="dead", lease=0.0)
    assert len(claimed) == 30
    released = await asyncio.gather(
        *(store.release_expired(before=time.time() + 1) for store in stores)
    )
    everything = [job_id for batch in released for job_id in batch]
    assert sorted(everything) == sorted(job.id for job in claimed)
    assert await stores[1].renew_leases("dead", 60) == []
