"""Slack benchmark: N people in one workspace ask at once; every answer streams.

    python bench/slack_concurrency.py [--replies 50] [--deltas 40] [--interval 0.1]
                                      [--transport socket|http] [--no-native]
                                      [--bursts 1] [--gap 2] [--mention]
                                      [--chars N] [--chunk 25] [--first-token 0.3]

The burst on the fallback path (issue 16): three bursts of 10 mentions 2 s apart, native
streaming off, the model of the side-by-side comparison (300 ms to the first token, then 25
characters every 25 ms):

    python bench/slack_concurrency.py --no-native --mention --replies 10 --bursts 3 --gap 2 \
        --chars 2000 --chunk 25 --interval 0.025 --first-token 0.3

The real slack_bolt app (Socket Mode or HTTP) and slack_sdk client talk to the Slack
emulator, whose rate-limit tiers are Slack's documented minimums enforced as strict sliding
windows (chat.update 50/min per workspace, chat.startStream and chat.stopStream 20/min,
chat.appendStream 100/min, assistant.threads.setStatus 50/min, chat.postMessage 5 per 5 s per
channel). Each person writes in their own assistant thread (a DM), and the OpenAI emulator
streams each answer as ``--deltas`` deltas ``--interval`` s apart (or, with ``--chars``, that
many characters in ``--chunk``-character deltas after ``--first-token`` s). ``--bursts`` sends
the ``--replies`` questions that many times, ``--gap`` s apart; ``--mention`` asks by mentions
in channels (a thread reply each) instead of in assistant threads. Both emulators run in this
process. Printed: 429s received (target 0), edits per reply, and the delay from each answer's
last model delta to its final text (target ≤ 2 s; ≤ 10 s in the burst). Figures only.
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

from adapters.slack import SLACK_LIMITS, SlackService
from app.wiring import build_core
from bench._timing import TimedOpenAIEmulator, lateness, paced_turn, prose
from bot.config import Settings
from bot.openai_backend import OpenAIBackend
from storage.sqlite import SQLiteStore
from tests.openai_emulator import Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import event_callback, mention_event, message_event, new_ts

EDITS = ("chat.update", "chat.appendStream")
FINISHING = ("chat.update", "chat.appendStream", "chat.stopStream", "chat.postMessage")


def person(i: int, mention: bool = False) -> tuple[str, str]:
    return f"U{i:04d}", f"{'C' if mention else 'D'}{i:04d}"


def answer_text(args: argparse.Namespace) -> str:
    if args.chars:
        return prose(args.chars, "everyone")
    return "".join(f"word{n} " for n in range(args.deltas))


def summary(values: list[float], unit: str = "") -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"mean {statistics.mean(values):.2f}{unit}, median {statistics.median(values):.2f}{unit},"
        f" p95 {p95:.2f}{unit}, max {max(values):.2f}{unit}"
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    model = TimedOpenAIEmulator()
    answer = answer_text(args)
    if args.chars:
        model.default_reply = lambda body: paced_turn(
            answer, first_token=args.first_token, chunk=args.chunk, interval=args.interval
        )
    else:
        words = [f"word{n} " for n in range(args.deltas)]
        model.default_reply = lambda body: (
            Turn().text(answer, deltas=list(words)).delta_interval(args.interval)
        )
    async with model, SlackEmulator() as slack:
        with tempfile.TemporaryDirectory(prefix="slack-bench-") as tmp:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                openai_api_key="sk-bench",
                openai_base_url=model.base_url,
                database_url=f"sqlite:///{tmp}/bench.db",
                max_concurrent_runs=args.replies * args.bursts + 8,
                slack_bot_token=slack.bot_token,
                slack_app_token=slack.app_token if args.transport == "socket" else None,
                slack_signing_secret=slack.signing_secret,
                slack_api_url=slack.api_url,
                slack_native_streaming=args.native,
                port=0,
            )
            store = SQLiteStore(f"{tmp}/bench.db")
            await store.open()
            client = openai.AsyncOpenAI(api_key="sk-bench", base_url=model.base_url)
            backend = OpenAIBackend(client)
            service = SlackService.from_settings(settings, host="127.0.0.1")
            core = build_core(
                settings=settings, store=store, backend=backend, platforms=[service.platform]
            )
            engine = core.engine
            await engine.start()
            await service.start(engine, core.commands)
            try:
                started = time.monotonic()
                for burst in range(args.bursts):
                    if burst:
                        await asyncio.sleep(args.gap)  # the scenario's spacing, not a wait
                    first = burst * args.replies
                    await asyncio.gather(
                        *(ask(i, slack, service, args) for i in range(first, first + args.replies))
                    )
                await engine.wait_idle()
                wall = time.monotonic() - started
            finally:
                await service.stop()
                await engine.stop(grace=5)
                await backend.close()
                await store.close()
            return measure(args, model, slack, wall)


async def ask(
    i: int, slack: SlackEmulator, service: SlackService, args: argparse.Namespace
) -> None:
    user, channel = person(i, args.mention)
    if args.mention:
        message = message_event(f"<@U0BOT> question {i}", user=user, channel=channel)
        payload = event_callback(mention_event(message))
    else:
        payload = event_callback(
            message_event(f"question {i}", user=user, channel=channel, thread_ts=new_ts())
        )
    if args.transport == "socket":
        await slack.wait_ack(await slack.socket_send(payload))
    else:
        assert service.http_url is not None
        status, body = await slack.post_event(service.http_url, payload)
        assert status == 200, body


def measure(
    args: argparse.Namespace, model: TimedOpenAIEmulator, slack: SlackEmulator, wall: float
) -> dict[str, Any]:
    by_channel: dict[str, str] = {}
    for response in model.responses.values():
        text = response.request["input"][0]["content"][0]["text"]
        by_channel[person(int(text.split()[-1]), args.mention)[1]] = response.id
    delays, after_done = [], []
    edits: dict[str, list[int]] = {"stream": [], "update": []}
    complete = 0
    answer = answer_text(args)
    for i in range(args.replies * args.bursts):
        channel = person(i, args.mention)[1]
        calls = [c for c in slack.calls if c.ok and c.args.get("channel") == channel]
        native = any(c.method == "chat.startStream" for c in calls)
        edits["stream" if native else "update"].append(sum(c.method in EDITS for c in calls))
        final = max(c.at for c in calls if c.method in FINISHING)
        delays.append(final - model.last_delta[by_channel[channel]])
        after_done.append(final - model.completed[by_channel[channel]])
        shown = [m.shown for m in slack.messages.get(channel, []) if m.bot_id]
        complete += shown == [answer]
    return {
        "wall": wall,
        "rate_limited": len(slack.rate_limited),
        "by_method": sorted({c.method for c in slack.rate_limited}),
        "edits": edits,
        "delays": delays,
        "after_done": after_done,
        "complete": complete,
        "statuses": len(slack.statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--deltas", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--transport", choices=["socket", "http"], default="socket")
    parser.add_argument("--no-native", dest="native", action="store_false")
    parser.add_argument("--bursts", type=int, default=1)
    parser.add_argument("--gap", type=float, default=2.0)
    parser.add_argument("--mention", action="store_true")
    parser.add_argument("--chars", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--first-token", type=float, default=0.3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args))
    limits = SLACK_LIMITS
    total = args.replies * args.bursts
    shape = (
        f"{args.chars} chars, {args.chunk} every {args.interval}s after {args.first_token}s"
        if args.chars
        else f"{args.deltas} deltas {args.interval}s apart"
    )
    bursts = f" x {args.bursts} bursts {args.gap:g}s apart" if args.bursts > 1 else ""
    print(
        f"{args.replies} concurrent replies{bursts} in one workspace over {args.transport} "
        f"({'native streaming' if args.native else 'post + chat.update'}, "
        f"{'mentions in channels' if args.mention else 'assistant threads'}); each answer "
        f"{shape}; edit budget {limits.calls_per_window} per "
        f"{limits.window:.0f}s per workspace, edit interval {limits.edit_interval}s"
    )
    print(f"wall time                  {result['wall']:.1f}s")
    print(f"complete final texts       {result['complete']}/{total}")
    print(f"429s received              {result['rate_limited']} {result['by_method'] or ''}")
    for kind, label in (("stream", "native stream"), ("update", "post + chat.update")):
        counts = result["edits"][kind]
        print(f"{label:<18} replies {len(counts):>3}; edits per reply: {summary(counts)}")
    print(f"last delta → final edit    {summary(result['delays'], 's')}")
    on_time = sum(d <= 10.0 for d in result["delays"])
    print(f"per-answer lateness        {lateness(result['delays'])}; {on_time}/{total} ≤ 10 s")
    print(f"  of which after completed {summary(result['after_done'], 's')}")
    print(f"assistant statuses shown   {result['statuses']}")


if __name__ == "__main__":
    main()
