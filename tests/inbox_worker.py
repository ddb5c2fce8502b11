"""One bot process for the multi-process inbox test (``tests/test_postgres_processes.py``).

    python -m tests.inbox_worker --name n1 --database-url postgresql://… --openai-url http://…

An Engine on PostgreSQL with a platform that reports every chat operation (post, edit,
close) as a JSON line on stdout. Messages arrive as JSON lines on stdin
(``{"user", "text", "event_id"}``); each is acknowledged on stdout once the inbox accepted or
refused it. End of input stops the engine gracefully; SIGKILL is how the test makes it die.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import sys
from typing import Any

from app.wiring import build_core
from bot.config import Settings
from bot.openai_backend import OpenAIBackend
from bot.types import Attachment, InboundMessage, ReplyLimits
from storage.postgres import PostgresStore
from storage.records import Job

PLATFORM = "chat"


def emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class LineReply:
    def __init__(self, node: str, job: Job, ids: itertools.count[int]) -> None:
        self.node, self.job, self.ids = node, job, ids
        self.budget_key = job.workspace

    async def post(self, text: str) -> str:
        ref = f"{self.node}-{next(self.ids)}"
        emit(op="post", node=self.node, event=self.job.event_id, ref=ref, text=text)
        return ref

    async def edit(self, ref: str, text: str) -> None:
        emit(op="edit", node=self.node, event=self.job.event_id, ref=ref, text=text)

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
        emit(op="close", node=self.node, event=self.job.event_id, user=self.job.user)


class LinePlatform:
    name = PLATFORM
    limits = ReplyLimits(placeholder="…", file_link_note=None)

    def __init__(self, node: str) -> None:
        self.node = node
        self.ids = itertools.count(1)

    def reply_target(self, job: Job) -> LineReply:
        return LineReply(self.node, job, self.ids)

    async def download(self, attachment: Attachment) -> bytes:
        raise RuntimeError("no attachments here")


async def serve(args: argparse.Namespace) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        openai_api_key="sk-test-emulator-key",
        openai_base_url=args.openai_url,
        database_url=args.database_url,
        poll_interval=0.01,
        job_lease_seconds=args.lease,
        assistant_model="gpt-test-mini",
        assistant_tools="",
    )
    store = PostgresStore.from_url(args.database_url)
    await store.open()
    backend = OpenAIBackend.from_settings(settings)
    platforms = [LinePlatform(args.name)]
    engine = build_core(settings=settings, store=store, backend=backend, platforms=platforms).engine
    await engine.start()
    emit(op="ready", node=args.name, worker=engine.worker_id)

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        data = json.loads(line)
        message = InboundMessage(PLATFORM, "W1", "C1", data["user"], data["text"], data["event_id"])
        emit(op="accepted", event=data["event_id"], accepted=await engine.accept(message))
    await engine.stop(grace=10)
    await backend.close()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--openai-url", required=True)
    parser.add_argument("--lease", type=float, default=1.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
