"""Discord benchmark: N students ask at once in one channel; every answer streams.

    python bench/discord_concurrency.py [--replies 20] [--deltas 30] [--interval 0.1]
                                        [--limit 5] [--window 5]
                                        [--chars N] [--chunk 25] [--first-token 0.3]

The scenarios of issue 16, with the model of the side-by-side comparison (300 ms to the first
token, then 25 characters every 25 ms): one long answer (4,500 characters, 3 messages), and
ten students at once in one channel:

    python bench/discord_concurrency.py --replies 1 --chars 4500 --interval 0.025
    python bench/discord_concurrency.py --replies 10 --chars 1000 --interval 0.025

The real discord.py client talks to the Discord emulator, whose channel bucket allows
``--limit`` message creates+edits per ``--window`` seconds (Discord: 5 per 5 s), and the
OpenAI emulator streams each answer as ``--deltas`` deltas ``--interval`` s apart (or, with
``--chars``, that many characters in ``--chunk``-character deltas after ``--first-token`` s). Both
emulators run in this process. Printed: 429s received (target 0), edits per reply, time
from the question to the first visible message, and the delay from each answer's last model
delta (and from its completion) to the final text in the channel. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.discord import DiscordService, discord_limits
from app.wiring import build_core
from bench._timing import TimedOpenAIEmulator, lateness, paced_turn, prose
from bot.config import Settings
from bot.openai_backend import OpenAIBackend
from storage.sqlite import SQLiteStore
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import Turn


def answer_text(i: int, args: argparse.Namespace) -> str:
    if args.chars:
        return prose(args.chars, f"student {i}")
    words = [f"Step {n} of the worked answer for student {i}." for n in range(args.deltas)]
    return " ".join(words)


def summary(values: list[float], unit: str = "") -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"min {ordered[0]:.2f}{unit}  p50 {p50:.2f}{unit}  p90 {p90:.2f}{unit}  "
        f"max {ordered[-1]:.2f}{unit}"
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    model = TimedOpenAIEmulator()
    async with model, DiscordEmulator(rate_limit=(args.limit, args.window)) as discord_emu:
        with tempfile.TemporaryDirectory(prefix="discord-bench-") as tmp:
            return await _run(args, model, discord_emu, tmp)


async def _run(
    args: argparse.Namespace, model: TimedOpenAIEmulator, discord_emu: DiscordEmulator, tmp: str
) -> dict[str, Any]:
    discord_emu.wait_timeout = 600
    guild = discord_emu.add_guild("Class 101", "general")
    channel = guild.channels["general"]
    students = [discord_emu.add_user(f"student{i}") for i in range(args.replies)]

    def reply(body: dict[str, Any]) -> Turn:
        question = body["input"][0]["content"][0]["text"]
        text = answer_text(int(question.split()[-1]), args)
        if args.chars:
            return paced_turn(
                text, first_token=args.first_token, chunk=args.chunk, interval=args.interval
            )
        return Turn().text(text, deltas=args.deltas).delta_interval(args.interval)

    model.default_reply = reply
    values: dict[str, Any] = {
        "openai_api_key": "sk-bench",
        "openai_base_url": model.base_url,
        "database_url": f"sqlite:///{tmp}/bench.db",
        "max_concurrent_runs": args.replies,
        "discord_bot_token": discord_emu.bot_token,
        "discord_api_url": discord_emu.api_url,
        "discord_gateway_url": discord_emu.gateway_url,
        "discord_cdn_hosts": discord_emu.cdn_host,
        "discord_guild_ready_timeout": 0.05,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    store = SQLiteStore(f"{tmp}/bench.db")
    await store.open()
    backend = OpenAIBackend(
        openai.AsyncOpenAI(api_key="sk-bench", base_url=model.base_url, max_retries=0)
    )
    service = DiscordService.from_settings(settings, limits=discord_limits(args.limit, args.window))
    core = build_core(settings=settings, store=store, backend=backend, platforms=[service.platform])
    engine = core.engine
    await engine.start()
    await service.start(engine, core.commands)
    started = time.monotonic()
    ids = await asyncio.gather(
        *[
            discord_emu.user_says(s, channel, f"question {i}", mention=True)
            for i, s in enumerate(students)
        ]
    )
    await discord_emu.wait_for(lambda: all(discord_emu.replies_to(m) for m in ids))
    await engine.wait_idle()
    elapsed = time.monotonic() - started
    await service.stop()
    await engine.stop(grace=5)
    await service.close()
    await backend.close()
    await store.close()
    return measure(args, model, discord_emu, ids, started, elapsed)


def measure(
    args: argparse.Namespace,
    model: TimedOpenAIEmulator,
    emu: DiscordEmulator,
    asked: list[int],
    started: float,
    elapsed: float,
) -> dict[str, Any]:
    by_question = {
        r.request["input"][0]["content"][0]["text"]: r.id for r in model.responses.values()
    }
    edits: list[float] = []
    first_shown: list[float] = []
    delays: list[float] = []
    after_completed: list[float] = []
    complete = 0
    for i, message_id in enumerate(asked):
        writes = [emu.written[int(m["id"])] for m in emu.replies_to(message_id)]
        edits.append(float(sum(len(w) - 1 for w in writes)))
        if " ".join(emu.pages(message_id)).split() == answer_text(i, args).split():
            complete += 1
        if not writes:
            continue
        first_shown.append(min(w[0] for w in writes) - started)
        final_write = max(w[-1] for w in writes)
        response_id = by_question.get(f"question {i}", "")
        if response_id in model.last_delta and response_id in model.completed:
            delays.append(final_write - model.last_delta[response_id])
            after_completed.append(final_write - model.completed[response_id])
    marked = {m: at for at, kind, m, _ in emu.reaction_log if kind == "add"}
    return {
        "marked": [marked[m] - started for m in asked if m in marked],
        "replies": len(asked),
        "complete": complete,
        "429s": len(emu.rate_limited()),
        "429 kinds": sorted({c.kind for c in emu.rate_limited()}),
        "creates": len(emu.calls_of("create")),
        "edits": edits,
        "first_shown": first_shown,
        "delays": delays,
        "after_completed": after_completed,
        "elapsed": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--deltas", type=int, default=30)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--window", type=float, default=5.0)
    parser.add_argument("--chars", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--first-token", type=float, default=0.3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args))
    chunks = -(-args.chars // args.chunk) if args.chars else args.deltas
    stream = chunks * args.interval + (args.first_token if args.chars else 0.0)
    kinds = ", ".join(result["429 kinds"])
    print(
        f"{result['replies']} concurrent replies in one channel; channel bucket "
        f"{args.limit} per {args.window:g} s; each answer streams for {stream:.1f} s"
    )
    print(f"complete final text:   {result['complete']}/{result['replies']}")
    print(f"429s received:         {result['429s']} (target 0) {kinds}")
    print(f"messages created:      {result['creates']}")
    print(f"edits per reply:       {summary(result['edits'])}")
    print(f"question→first shown:  {summary(result['first_shown'], ' s')}")
    print(f"last delta→final text: {summary(result['delays'], ' s')}")
    print(f"per-answer lateness:   {lateness(result['delays'])}")
    print(f"completed→final text:  {summary(result['after_completed'], ' s')}")
    marked = result["marked"]
    print(f"questions marked ⏳:    {len(marked)}/{result['replies']}")
    print(f"question→marked:       {summary(marked, ' s')}")
    print(f"wall time:             {result['elapsed']:.1f} s")


if __name__ == "__main__":
    main()
