"""Store benchmark: the inbox's hot path on SQLite (and PostgreSQL with ``--postgres URL``).

    python bench/store.py [--messages 2000] [--users 200] [--batch 20] [--postgres URL]

(a) ``accept``: an inbound message persisted, the step every platform acknowledgement waits
for (per call, p50/p99, one at a time); (b) ``claim_runnable`` + ``finish_job`` in batches of
``--batch`` until the inbox is empty (jobs per second); (c) a profile read and a thread read,
the lookups of every turn. PostgreSQL runs in a fresh schema, dropped afterwards. Figures are
printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ports import Store
from storage import store_from_url
from storage.records import NewJob


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(calls: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    samples = []
    for n in range(calls):
        started = time.perf_counter()
        await call(n)
        samples.append(time.perf_counter() - started)
    return samples


async def run(title: str, url: str, args: argparse.Namespace) -> None:
    store: Store = store_from_url(url)
    await store.open()
    try:
        accepts = await timed(
            args.messages,
            lambda n: store.accept(
                NewJob("bench", "W", "C", f"u{n % args.users}", f"ev{n}", {"text": "hi"})
            ),
        )
        started = time.perf_counter()
        done = 0
        while True:
            claimed = await store.claim_runnable(args.batch, worker="bench", lease=60)
            if not claimed:
                break
            for job in claimed:
                await store.finish_job(job.id, "answered")
            done += len(claimed)
        drained = time.perf_counter() - started
        thread = await store.create_thread("bench", "W", "u0", "", "conv_1")
        lookups = await timed(
            args.messages,
            lambda n: asyncio.gather(
                store.get_profile("bench", "W", "C"),
                store.get_thread("bench", "W", thread.user, ""),
            ),
        )
    finally:
        await store.close()
    print(f"\n{title}: {args.messages} messages from {args.users} people")
    print(
        f"  (a) accept: p50 {percentile(accepts, 0.5) * 1e6:.0f} µs, "
        f"p99 {percentile(accepts, 0.99) * 1e6:.0f} µs, "
        f"mean {statistics.mean(accepts) * 1e6:.0f} µs"
    )
    print(f"  (b) claim + finish: {done} jobs in {drained:.2f} s, {done / drained:.0f} jobs/s")
    print(f"  (c) profile + thread lookup: p50 {percentile(lookups, 0.5) * 1e6:.0f} µs")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--postgres", help="postgresql://… to bench PostgreSQL as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await run("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if args.postgres:
        import asyncpg

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(args.postgres)
        await conn.execute(f"CREATE SCHEMA {schema}")
        try:
            sep = "&" if "?" in args.postgres else "?"
            await run("PostgreSQL", f"{args.postgres}{sep}search_path={schema}", args)
        finally:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
