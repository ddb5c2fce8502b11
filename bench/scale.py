"""Several-process benchmark: answers per second with 1, 2 and 4 ``run`` processes on one
PostgreSQL database (and 1 on SQLite), Slack HTTP mode, against the emulators.

    python bench/scale.py [--processes 1,2,4] [--messages 400] [--users 200] [--deltas 5]
                          [--no-sqlite] [--limits]

``--messages`` questions from ``--users`` people (DMs) are sent at once, each to a random
process (the load balancer); the model is the OpenAI emulator in a process of its own
(``bench/_model_server.py``), streaming ``--deltas`` deltas with no pause; the Slack emulator
runs here. Slack's rate limits are lifted (a per-workspace limit does not grow with processes,
so it would measure Slack, not the bot); ``--limits`` keeps them, scaled to 5 s as in
``tests/test_scale_slack.py``, and shows they hold with no 429.

Printed per run: answers per second (first question sent to last answer complete), the
scaling against one PostgreSQL process, the time from a question to the first visible reply
and to the complete answer (p50/p95/p99), 429s by method, and where the CPU went. With
``--limits``, keep ``--users`` near 20: each process looks each new person up once
(``users.info``, 100 a minute, cached), which many new people a minute exceed (waited out,
never holding a message); and each person's questions go to their one DM, where
``chat.postMessage`` allows 5 per 5 s (a limit the Slack adapter waits out rather than
budgets, as in one process). Figures only; no assertions. The machine is shared by the bots,
both emulators and PostgreSQL: with fewer cores than processes, the cores are the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.postgres_db import fresh_schema
from tests.scale_processes import BotProcess, clean_env, slack_bot, stop_all
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import event_callback, message_event
from tests.test_scale_slack import scaled_tiers

LIMITS_WINDOW = 5.0


@dataclass
class Result:
    label: str
    processes: int
    per_second: float
    first_reply: list[float]
    complete: list[float]
    rate_limited: dict[str, int]
    cpu: dict[str, float]
    """CPU seconds during the run: the bots, this process (Slack emulator and load), the model
    server, PostgreSQL, anything else on the machine; and ``busy``, the share of all cores."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(
    label: str, database_url: str, processes: int, args: argparse.Namespace, model: Model
) -> Result:
    tiers = scaled_tiers(LIMITS_WINDOW) if args.limits else {}
    async with SlackEmulator(tiers=tiers) as slack:
        slack.wait_timeout = 300
        env = clean_env(
            OPENAI_API_KEY="sk-bench-scale-0123456789abcdef",
            OPENAI_BASE_URL=model.url,
            DATABASE_URL=database_url,
            LOG_LEVEL="INFO",  # each says where it listens
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=slack.signing_secret,
            SLACK_API_URL=slack.api_url,
            PORT="0",
            ASSISTANT_TOOLS="",
            SCALE_SLACK_WINDOW=str(LIMITS_WINDOW + 1 if args.limits else 0.001),
        )
        log_dir = Path(tempfile.mkdtemp(prefix="scale-bench-"))
        bots: list[BotProcess] = []
        try:
            bots = list(
                await asyncio.gather(
                    *(
                        BotProcess.start(f"bot{n}", slack_bot(), env, log_dir)
                        for n in range(processes)
                    )
                )
            )
            urls = []
            for bot in bots:
                found = await bot.line(r"listening on (\S+)")
                urls.append(found.group(1).replace("0.0.0.0", "127.0.0.1"))
            if processes > 1 and "postgresql" in database_url:
                for bot in bots:
                    await bot.line(rf"{processes} processes on this database serve slack")
            rng = random.Random(1)
            messages = [
                message_event(
                    f"question {i}", user=f"U{i % args.users:04d}", channel=f"D{i % args.users:04d}"
                )
                for i in range(args.messages)
            ]
            sent: dict[str, float] = {}

            async def send(message: dict[str, str]) -> None:
                sent[message["ts"]] = time.monotonic()
                status, _ = await slack.post_event(rng.choice(urls), event_callback(message))
                assert status == 200

            groups = {
                "bots": [psutil.Process(b.pid) for b in bots],
                "emulator": [psutil.Process()],
                "model": [psutil.Process(model.pid)],
            }
            before = {name: _cpu(group) for name, group in groups.items()}
            postgres_before = {p.pid: _cpu([p]) for p in _postgres()}
            before_all = _machine_cpu()
            started = time.monotonic()
            await asyncio.gather(*(send(m) for m in messages))

            answer = "".join(f"word{n} " for n in range(args.deltas)).strip()

            def done() -> bool:
                return all(
                    any(
                        r.shown.strip() == answer and not r.streaming
                        for r in slack.replies(m["channel"], m["ts"])
                    )
                    for m in messages
                )

            await slack.until(done)
            finished = time.monotonic()
            all_used = _machine_cpu() - before_all
            cpu = {name: _cpu(group) - before[name] for name, group in groups.items()}
            # PostgreSQL backends come and go: count those alive at the end (an ended one's
            # CPU is missed, so this is a lower bound).
            cpu["postgres"] = sum(
                max(0.0, _cpu([p]) - postgres_before.get(p.pid, 0.0)) for p in _postgres()
            )
            cpu["other"] = max(0.0, all_used - sum(cpu.values()))
            cpu["busy"] = all_used / ((finished - started) * (os.cpu_count() or 1))
        finally:
            await stop_all(bots)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    thread_of = {m.ts: m.thread_ts for ms in slack.messages.values() for m in ms if m.bot_id}
    for call in slack.calls:
        if call.method in ("chat.postMessage", "chat.startStream"):
            thread = str(call.args.get("thread_ts"))
            first.setdefault(thread, call.at)
        elif call.method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            thread = str(thread_of.get(str(call.args.get("ts"))))
        else:
            continue
        last[thread] = call.at
    return Result(
        label,
        processes,
        len(messages) / (finished - started),
        [first[ts] - at for ts, at in sent.items()],
        [last[ts] - at for ts, at in sent.items()],
        dict(Counter(c.method for c in slack.rate_limited)),
        cpu,
    )


@dataclass
class Model:
    url: str
    pid: int


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # ended meanwhile (a PostgreSQL backend)
            continue
        total += times.user + times.system
    return total


def _postgres() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postg")]


def _machine_cpu() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.system + getattr(times, "nice", 0.0))


def report(result: Result, base: float | None) -> None:
    scaling = f"{result.per_second / base:4.2f}x" if base else "  -  "
    print(
        f"{result.label:<22} {result.per_second:8.1f}/s  {scaling}   "
        f"first reply p50 {statistics.median(result.first_reply):5.2f}s "
        f"p95 {percentile(result.first_reply, 95):5.2f}s "
        f"p99 {percentile(result.first_reply, 99):5.2f}s   "
        f"complete p95 {percentile(result.complete, 95):5.2f}s "
        f"p99 {percentile(result.complete, 99):5.2f}s   429s {result.rate_limited or 0}\n"
        f"{'':<22} CPU s: bots {result.cpu['bots']:.1f}, Slack emulator + load "
        f"{result.cpu['emulator']:.1f}, model {result.cpu['model']:.1f}, PostgreSQL "
        f"{result.cpu['postgres']:.1f}, other work on the machine {result.cpu['other']:.1f}; "
        f"cores busy {result.cpu['busy']:.0%}",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    model = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("_model_server.py")),
        "--deltas",
        str(args.deltas),
        "--interval",
        "0",
        stdout=asyncio.subprocess.PIPE,
        env=clean_env(),
    )
    try:
        assert model.stdout is not None
        served = Model((await model.stdout.readline()).decode().strip(), model.pid)
        print(
            f"{os.cpu_count()} CPUs; {args.messages} questions from {args.users} people; "
            f"Slack limits {'scaled to 5 s' if args.limits else 'lifted'}",
            flush=True,
        )
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                result = await run("SQLite, 1 process", f"sqlite:///{tmp}/bot.db", 1, args, served)
                report(result, None)
        base: float | None = None
        for count in args.processes:
            label = f"PostgreSQL, {count} process{'es' * (count > 1)}"
            async with fresh_schema() as url:
                result = await run(label, url, count, args, served)
            report(result, base)
            base = base or (result.per_second if count == 1 else None)
    finally:
        model.terminate()
        await model.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", type=lambda s: [int(n) for n in s.split(",")], default=[1, 2, 4]
    )
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--deltas", type=int, default=5)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--limits", action="store_true")
    asyncio.run(main(parser.parse_args()))
