"""Engine benchmark: per-delta processing time, latency added before a delta is shown, and
500 concurrent conversations in one process (event-loop lag, peak RSS).

    python bench/engine.py [--deltas 200] [--interval 0.01] [--edit-interval 0.5] [--users 500]
                           [--api responses|chat_completions|both]

The model is the OpenAI emulator in a separate process (so its work does not count against
the bot's event loop), streaming ``--deltas`` deltas per answer, ``--interval`` s apart.
Targets: ≤ 50 µs per delta; added latency ≤ edit interval + 10 ms; loop lag p99 ≤ 20 ms;
RSS ≤ 250 MB; the Chat Completions backend within 20% of the Responses one per delta.
Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.wiring import build_core
from bot import chat_stream as chat_stream_module
from bot import feed as feed_module
from bot.config import Settings
from bot.openai_backend import OpenAIBackend
from bot.steps import Steps
from bot.types import Attachment, InboundMessage, ReplyLimits
from storage.records import Job
from storage.sqlite import SQLiteStore


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Timeline:
    """Per reply: when each text delta arrived (and the text length then), when edits landed."""

    arrivals: list[tuple[float, int]] = field(default_factory=list)
    edits: list[tuple[float, int]] = field(default_factory=list)
    text_length: int = 0


class BenchReply:
    def __init__(self, timeline: Timeline, budget_key: str) -> None:
        self.timeline = timeline
        self.budget_key = budget_key

    async def post(self, text: str) -> str:
        self.timeline.edits.append((time.perf_counter(), len(text)))
        return "1"

    async def edit(self, ref: str, text: str) -> None:
        self.timeline.edits.append((time.perf_counter(), len(text)))

    async def upload(self, filename: str, data: bytes) -> None:
        return None

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    def set_buttons(self, buttons: Any) -> None:
        return None  # no buttons here

    async def set_status(self, status: str | None) -> None:
        return None

    async def close(self) -> None:
        return None


class BenchPlatform:
    name = "bench"

    def __init__(self, edit_interval: float) -> None:
        self.limits = ReplyLimits(max_length=None, edit_interval=edit_interval, placeholder="…")
        self.timelines: dict[str, Timeline] = {}

    def reply_target(self, job: Job) -> BenchReply:
        return BenchReply(self.timelines.setdefault(job.user, Timeline()), job.channel)

    async def download(self, attachment: Attachment) -> bytes:
        return b""


@dataclass
class Probe:
    """Where the instrumented feeder reports (one per benchmark run)."""

    per_event_ns: list[int] = field(default_factory=list)
    pending: list[Timeline] = field(default_factory=list)


PROBE = Probe()


def _is_text_delta(event: Any) -> str:
    """The text of a Responses text delta or a Chat Completions content chunk, else ""."""
    if event.get("type") == "response.output_text.delta":
        return str(event["delta"])
    choices = event.get("choices") or ()
    return str((choices[0].get("delta") or {}).get("content") or "") if choices else ""


def instrument_feed() -> None:
    """Time our handling of each stream event (both backends' feeders); note when each text
    delta arrived."""
    for feeder in (feed_module.StreamFeeder, chat_stream_module.ChatFeeder):
        _instrument(feeder)


def _instrument(feeder: Any) -> None:
    original = feeder.feed

    async def timed(self: Any, event: Any) -> None:
        started = time.perf_counter_ns()
        await original(self, event)
        PROBE.per_event_ns.append(time.perf_counter_ns() - started)
        text = _is_text_delta(event)
        if text:
            timeline = self._bench_timeline
            timeline.text_length += len(text)
            timeline.arrivals.append((time.perf_counter(), timeline.text_length))

    feeder.feed = timed
    original_init = feeder.__init__

    def init(self: Any, *args: Any) -> None:
        original_init(self, *args)
        # Jobs start in the order they were accepted: one timeline per reply, by order.
        self._bench_timeline = PROBE.pending.pop(0)

    feeder.__init__ = init


async def loop_lag(samples: list[float], stop: asyncio.Event, tick: float = 0.005) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(tick)
        samples.append(time.perf_counter() - started - tick)


async def run(
    args: argparse.Namespace, base_url: str, users: int, api: str = "responses"
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            openai_api_key="sk-bench",
            openai_base_url=base_url,
            database_url=f"sqlite:///{tmp}/bench.db",
            max_concurrent_runs=max(users, 1),
            model_api=api,
        )
        store = SQLiteStore(f"{tmp}/bench.db")
        await store.open()
        client = openai.AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)
        backend = OpenAIBackend(client)
        platform = BenchPlatform(args.edit_interval)
        platforms = [platform]
        engine = build_core(
            settings=settings, store=store, backend=backend, platforms=platforms
        ).engine
        PROBE.per_event_ns.clear()
        PROBE.pending.clear()
        per_event_ns = PROBE.per_event_ns
        lags: list[float] = []
        stop = asyncio.Event()
        lag_task = asyncio.create_task(loop_lag(lags, stop))
        process = psutil.Process()
        peak_rss = process.memory_info().rss
        await engine.start()
        cpu_before = process.cpu_times()
        started = time.perf_counter()
        for n in range(users):
            user = f"user{n}"
            PROBE.pending.append(platform.timelines.setdefault(user, Timeline()))
            await engine.accept(InboundMessage("bench", "W", "C", user, "go", f"ev{n}"))
        idle = asyncio.create_task(engine.wait_idle())
        while not idle.done():
            await asyncio.wait({idle}, timeout=0.05)
            peak_rss = max(peak_rss, process.memory_info().rss)
        elapsed = time.perf_counter() - started
        cpu_after = process.cpu_times()
        cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        stop.set()
        await lag_task
        await engine.stop()
        await backend.close()
        await store.close()
        jobs_answered = len(platform.timelines)
    added: list[float] = []
    for timeline in platform.timelines.values():
        for arrived, length in timeline.arrivals:
            shown = next((t for t, n in timeline.edits if n >= length and t >= arrived), None)
            if shown is not None:
                added.append(shown - arrived)
    return {
        "users": users,
        "answers": jobs_answered,
        "elapsed_s": elapsed,
        "per_event_us_median": statistics.median(per_event_ns) / 1000,
        "per_event_us_p99": percentile([float(v) for v in per_event_ns], 0.99) / 1000,
        "events": len(per_event_ns),
        "cpu_us_per_event": cpu / max(len(per_event_ns), 1) * 1e6,
        "cpu_us_per_delta": cpu
        / max(sum(len(t.arrivals) for t in platform.timelines.values()), 1)
        * 1e6,
        "added_latency_p50_s": percentile(added, 0.5),
        "added_latency_p99_s": percentile(added, 0.99),
        "added_latency_max_s": max(added) if added else float("nan"),
        "loop_lag_p99_ms": percentile(lags, 0.99) * 1000,
        "loop_lag_max_ms": max(lags) * 1000 if lags else float("nan"),
        "peak_rss_mb": peak_rss / 1e6,
        "edits_per_reply": statistics.mean(len(t.edits) for t in platform.timelines.values()),
    }


def start_model(deltas: int, interval: float) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("_model_server.py")),
            "--deltas",
            str(deltas),
            "--interval",
            str(interval),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def report(title: str, figures: dict[str, Any], edit_interval: float) -> None:
    print(
        f"\n{title}: {figures['users']} conversation(s), {figures['answers']} answered, "
        f"{figures['events']} stream events in {figures['elapsed_s']:.2f} s"
    )
    print(
        f"  (a) engine time per stream event: median {figures['per_event_us_median']:.1f} µs, "
        f"p99 {figures['per_event_us_p99']:.1f} µs   (target ≤ 50 µs); all-in process CPU "
        f"(HTTP, SSE parsing, SQLite, everything) {figures['cpu_us_per_event']:.0f} µs per event, "
        f"{figures['cpu_us_per_delta']:.0f} µs per text delta"
    )
    print(
        f"  (b) delta → shown in an edit: p50 {figures['added_latency_p50_s'] * 1000:.0f} ms, "
        f"p99 {figures['added_latency_p99_s'] * 1000:.0f} ms, "
        f"max {figures['added_latency_max_s'] * 1000:.0f} ms with an edit interval of "
        f"{edit_interval * 1000:.0f} ms (target ≤ interval + 10 ms); "
        f"{figures['edits_per_reply']:.1f} edits per reply"
    )
    print(
        f"  (c) event-loop lag p99 {figures['loop_lag_p99_ms']:.1f} ms "
        f"(max {figures['loop_lag_max_ms']:.1f} ms; target ≤ 20 ms), "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB (target ≤ 250 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.01)
    parser.add_argument("--edit-interval", type=float, default=0.5)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--api", choices=["responses", "chat_completions", "both"], default="both")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    instrument_feed()
    server, base_url = start_model(args.deltas, args.interval)
    apis = ["responses", "chat_completions"] if args.api == "both" else [args.api]
    per_delta: dict[str, float] = {}
    try:
        for api in apis:
            single = asyncio.run(run(args, base_url, 1, api))
            report(f"[{api}] One conversation", single, args.edit_interval)
            many = asyncio.run(run(args, base_url, args.users, api))
            report(f"[{api}] Concurrent conversations", many, args.edit_interval)
            per_delta[api] = many["cpu_us_per_delta"]
        if len(per_delta) == 2:
            ratio = per_delta["chat_completions"] / per_delta["responses"]
            print(
                f"\nChat Completions vs Responses, all-in CPU per text delta at "
                f"{args.users} conversations: {per_delta['chat_completions']:.0f} µs vs "
                f"{per_delta['responses']:.0f} µs ({(ratio - 1) * 100:+.0f}%; target within ±20%)"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
