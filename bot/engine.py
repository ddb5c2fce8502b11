"""The run engine: takes inbox jobs in per-thread order and turns each into one answer."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from bot.backoff import Backoff
from bot.errors import RunError
from bot.mcp_expiry import ApprovalExpiry
from bot.privacy import sweep_retention
from bot.turn import Turn
from bot.turn_deps import TurnDeps
from bot.types import InboundMessage, Platform
from bot.viewing import ConversationReader, reading_function
from storage.records import Job, thread_key

log = logging.getLogger(__name__)

_DISPATCH_BACKOFF = Backoff(first=1.0, cap=30.0)
"""Between tries to take jobs from an inbox that failed to answer."""

RECOVERY_INTERVAL = 60.0
"""Seconds between looks for replies that finished jobs left open (Slack streams)."""


def new_worker_id() -> str:
    """This process's name in the inbox's leases (host, pid, and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class _Running:
    """One job being answered: its task, and its turn once the job's platform is known."""

    task: asyncio.Task[None]
    thread_key: str
    turn: Turn | None = None


class Engine:
    """Schedules inbox jobs: each becomes a ``Turn`` built from ``deps``."""

    def __init__(
        self, *, deps: TurnDeps, platforms: Mapping[str, Platform], worker_id: str
    ) -> None:
        self.deps = deps
        # What the adapters use of the core, besides accepting messages.
        self.store = deps.store
        self.settings = deps.settings
        self.functions = deps.functions
        self.budgets = deps.budgets
        self.metrics = deps.metrics
        self.platforms = dict(platforms)
        self.worker_id = worker_id
        self.readers: dict[str, ConversationReader] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._running: dict[int, _Running] = {}
        """Job id → its work, from the moment it is claimed until its task is done."""
        self._lost: set[int] = set()
        self._dispatcher: asyncio.Task[None] | None = None
        self._janitor: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._closing = False
        self.approvals = ApprovalExpiry(self.store, self.platforms, deps.languages)
        """Expires MCP tool calls nobody approved in time (``bot.mcp_expiry``)."""
        self._expiry: asyncio.Task[None] | None = None

    def add_reader(self, platform: str, reader: ConversationReader) -> None:
        """A platform that can read what a person looks at: the model gets a function for it."""
        self.readers[platform] = reader
        self.functions.replace(reading_function(self.store, self.readers))

    # Intake.

    async def accept(self, message: InboundMessage) -> bool:
        """Persist the message in the inbox; ``False`` if this event was accepted before."""
        job = await self.store.accept(message.to_new_job())
        if job is None:
            log.info("duplicate event %s/%s ignored", message.platform, message.event_id)
            return False
        self.metrics.message_accepted(message.platform)
        self._idle.clear()
        self._wake.set()
        return True

    def queued(self) -> None:
        """A job was put in the inbox another way (a click that continues an answer)."""
        self._idle.clear()
        self._wake.set()

    async def retry_last_failed(self, platform: str, workspace: str, user: str) -> bool:
        failed = await self.store.jobs(
            thread_key=thread_key(platform, workspace, user), statuses=["failed"]
        )
        if not failed:
            return False
        # Asked again: the tries before do not count against it (MAX_ATTEMPTS).
        await self.store.requeue_job(failed[-1].id, reset_attempts=True)
        self._idle.clear()
        self._wake.set()
        return True

    async def stop_answer(self, platform: str, workspace: str, user: str) -> bool:
        """Stop the person's answer in progress (``stop``); False if there is none."""
        turn = self._turn_of(thread_key(platform, workspace, user))
        if turn is None:
            return False
        await turn.stop()
        return True

    def _turn_of(self, key: str) -> Turn | None:
        """The thread's turn in progress (the latest, if one is still finishing)."""
        turns = [r.turn for r in self._running.values() if r.thread_key == key and r.turn]
        return turns[-1] if turns else None

    async def user_status(self, platform: str, workspace: str, user: str) -> tuple[bool, int]:
        """(an answer in progress, how many messages wait behind it)."""
        jobs = await self.store.jobs(
            thread_key=thread_key(platform, workspace, user), statuses=["queued", "running"]
        )
        return any(j.status == "running" for j in jobs), sum(j.status == "queued" for j in jobs)

    async def language_for(self, platform: str, workspace: str, locale: str = "") -> str:
        """For adapters: see ``Languages.language_for``."""
        return await self.deps.languages.language_for(platform, workspace, locale)

    async def language_of(self, message: InboundMessage) -> str:
        return await self.deps.languages.language_of(message)

    async def reset(self, platform: str, workspace: str, user: str) -> int:
        return await self.store.archive_threads(platform, workspace, user)

    # Lifecycle.

    async def start(self) -> None:
        # Alone on the database, every running job was left by a process that is gone; shared,
        # only those whose lease ran out (the heartbeat keeps live workers' leases fresh).
        before = float("inf") if not self.store.shared else time.time()
        for job_id in await self.store.release_expired(before=before):
            log.info("job %d was in flight at the last stop; taking it up again", job_id)
        self._dispatcher = asyncio.create_task(self._dispatch(), name="engine-dispatcher")
        self._janitor = asyncio.create_task(self._heartbeat(), name="engine-heartbeat")
        self._recovery = asyncio.create_task(self._recover(), name="engine-recovery")
        self._expiry = asyncio.create_task(self.approvals.run(), name="engine-mcp-expiry")

    async def _recover(self) -> None:
        """Close what finished jobs left open, at start and every minute after: a task of its
        own, since a platform that makes it wait (429s) must never delay the heartbeat."""
        while True:
            try:
                await self.close_open_replies()
            except Exception:
                log.exception("closing replies left open failed; trying again")
            await asyncio.sleep(RECOVERY_INTERVAL)

    async def _heartbeat(self) -> None:
        """Keep our leases (and stop answers whose lease another worker took over), take over
        jobs of dead workers, look for work other processes queued, forget old event ids."""
        lease = self.settings.job_lease_seconds
        retention = self.settings.event_retention_days * 86_400
        last_purge = 0.0
        while True:
            try:
                held = set(await self.store.renew_leases(self.worker_id, lease))
                for job_id, running in list(self._running.items()):
                    turn = running.turn
                    if turn is None or job_id in held:
                        continue
                    if turn.claimed_at < time.time() - lease / 3:
                        log.error(
                            "job %d: lease lost (this process stalled); stopping it so "
                            "the worker that took it over answers alone",
                            job_id,
                        )
                        self._lost.add(job_id)
                        running.task.cancel()
                released = await self.store.release_expired(before=time.time())
                if released:
                    log.warning("took over jobs %s whose worker stopped answering", released)
                if released or self.store.shared:
                    self._wake.set()  # other processes' accepts don't wake this one
                if time.time() - last_purge > 3600:
                    last_purge = time.time()
                    purged = await self.store.purge_events(time.time() - retention)
                    if purged:
                        log.info("forgot %d inbound event ids past the retention", purged)
                    await sweep_retention(self.store, self.deps.backends.responses)
            except Exception:
                log.exception("heartbeat failed; trying again")
            await asyncio.sleep(lease / 3)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking jobs; give running answers ``grace`` seconds, then leave them to the
        next start (they stay ``running`` in the inbox and are resumed)."""
        self._closing = True
        self._wake.set()
        for background in (self._janitor, self._recovery, self._expiry):
            if background is not None:
                background.cancel()
                await asyncio.gather(background, return_exceptions=True)
        if self._dispatcher is not None:
            await self._dispatcher
        if self._running:
            tasks = {r.task for r in self._running.values()}
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self.store.shared and grace > 0:
            # Graceful stop: others take our unfinished jobs now, not after the lease.
            handed = await self.store.release_worker(self.worker_id)
            if handed:
                log.info("handed jobs %s back to the queue", handed)

    async def close_open_replies(self) -> None:
        """Close the messages that finished jobs left open (a Slack stream whose closing call
        failed, or was cut off by a crash after the job was marked done). Jobs still queued or
        running close theirs when their worker takes the reply up."""
        for job in await self.store.jobs_with_open_replies(["answered", "failed"]):
            platform = self.platforms.get(job.platform)
            if platform is None:
                continue
            target = platform.reply_target(job)
            try:
                await target.close()
            except Exception as exc:
                log.warning("job %d: could not close its reply yet (%s)", job.id, exc)
                continue
            still_open = target.open_refs()
            await self.store.save_reply_state(job.id, {**job.reply_state, "open": still_open})
            if not still_open:
                log.info("job %d: closed the reply it had left open", job.id)

    async def wait_idle(self) -> None:
        """Wait until nothing is queued or running (the console waits here at end of input)."""
        await self._idle.wait()

    async def _dispatch(self) -> None:
        failures = 0
        while not self._closing:
            self._wake.clear()
            jobs: list[Job] = []
            free = self.settings.max_concurrent_runs - len(self._running)
            if free > 0:
                try:
                    jobs = await self.store.claim_runnable(
                        free,
                        worker=self.worker_id,
                        lease=self.settings.job_lease_seconds,
                        platforms=tuple(self.platforms),
                    )
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("could not take jobs from the inbox; trying again")
                    await asyncio.sleep(_DISPATCH_BACKOFF.delay(failures))
                    self._wake.set()
                    continue
            for job in jobs:
                self.metrics.queue_wait(job.platform, time.time() - job.created_at)
                task = asyncio.create_task(self._run_job(job), name=f"job-{job.id}")
                self._running[job.id] = _Running(task, job.thread_key)
                task.add_done_callback(partial(self._job_done, job.id))
            if not jobs and not self._running and not self._wake.is_set():
                self._idle.set()
            await self._wake.wait()

    def _job_done(self, job_id: int, _: asyncio.Task[None]) -> None:
        self._running.pop(job_id, None)
        self._wake.set()

    # One job.

    async def _run_job(self, job: Job) -> None:
        platform = self.platforms.get(job.platform)
        if platform is None:
            log.error("job %d is for platform %r, which is not running", job.id, job.platform)
            await self.store.finish_job(job.id, "failed", "platform not configured")
            return
        turn = Turn(self.deps, platform, job)
        turn.approvals_waiting = self.approvals.wake
        self._running[job.id].turn = turn
        try:
            await turn.run()
        except asyncio.CancelledError:
            await turn.abandon()
            if job.id in self._lost:
                self._lost.discard(job.id)
                return  # another worker owns the job now
            raise
        except RunError as exc:
            await turn.fail(exc)
        except Exception:
            log.exception("job %d failed unexpectedly", job.id)
            await turn.fail(RunError("unexpected error"))
        finally:
            self._running[job.id].turn = None  # done: nothing left to stop
