"""Soak: the real ``assistant-bot run`` (Slack on Socket Mode and Discord on the gateway, one
SQLite database) under steady mixed traffic from simulated people, with faults injected at a
steady rate, for a long while. Nothing accepted may be lost, nothing answered twice, and the
process must not grow.

    python bench/soak.py [--seconds 1800] [--users 100] [--rate 0.8] [--model-faults 0.15]
                         [--platform-fault-every 4] [--restart-every 300] [--json]

The Slack, Discord and OpenAI emulators run in this process with the platforms' real rate
limits; the bot runs in its own. People write in Slack DMs, mention the bot in Slack and
Discord channels, write in Discord's assistant channel and DMs, sometimes several messages
at once (a queue). Faults, all the time: the model answers 429 and 500 (retried), is slow to
start, drops the stream or sends an error event (the person gets the text so far and one
sentence), stops short (said so); Slack and Discord answer 429 and 5xx to posts and edits, a
reply is deleted while it is being written, Socket Mode is told to reconnect, the Discord
gateway asks for a resume; with ``--restart-every`` the bot is also SIGKILLed and started
again every so often (Slack redelivers what was not acknowledged). Afterwards every message
is classified from what the people see:

* accepted: the bot persisted it (a job in its inbox);
* answered: the complete answer is shown; failed with notice: the text so far and a ⚠️
  sentence; lost: accepted but neither (target 0); answered twice: more than one reply, or
  the model asked twice for one message with both shown (target 0);
* not accepted: Discord delivered it while the bot was being killed (Discord replays
  nothing to a new session: such a message never reached the inbox, so it is not counted
  as lost);

and the bot's RSS after warm-up and at the end (target: within 10%) and the SQLite growth.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.discord_emulator import DiscordEmulator, User  # noqa: E402
from tests.openai_emulator import OpenAIEmulator, Turn  # noqa: E402
from tests.openai_emulator_events import JSON, last_user_text  # noqa: E402
from tests.slack_emulator import SlackEmulator  # noqa: E402
from tests.slack_emulator_events import (  # noqa: E402
    event_callback,
    mention_event,
    message_event,
)

MODEL_FAULTS = ("429", "500", "slow", "drop", "error", "incomplete")
NOTICE = "⚠️"


@dataclass
class Sent:
    """One message a simulated person sent."""

    platform: str
    where: str  # "dm", "mention", "assistant channel"
    text: str
    event_id: str  # the inbox's key: Slack "channel:ts", Discord the message id
    channel: str
    ts: str = ""  # Slack: the message (and its reply thread)
    message_id: int = 0  # Discord
    delivered: bool = True


@dataclass
class World:
    args: argparse.Namespace
    model: OpenAIEmulator
    slack: SlackEmulator
    discord: DiscordEmulator
    rng: random.Random
    tmp: Path
    sent: list[Sent] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    model_fault: dict[str, str] = field(default_factory=dict)
    slack_pending: int = 0
    restarts: int = 0
    bot: asyncio.subprocess.Process | None = None
    log: Path | None = None
    warmed: dict[str, int] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def answer_to(text: str) -> str:
    words = " ".join(f"w{(len(text) * 7 + n) % 97}" for n in range(24))
    return f"About “{text}”: {words}."


def reply(world: World, body: JSON) -> Turn:
    """The model: an answer derived from the question, with the fault planned for it."""
    text = last_user_text(body.get("input"))
    turn = Turn().text(answer_to(text), deltas=6).delta_interval(0.05)
    fault = world.model_fault.get(text, "")
    if fault == "429":
        turn.http_error(429, retry_after=0.2)
    elif fault == "500":
        turn.http_error(500)
    elif fault == "slow":
        first_token = asyncio.Event()
        asyncio.get_running_loop().call_later(world.rng.uniform(2, 6), first_token.set)
        turn.gate(first_token, after_events=2)
    elif fault == "drop":
        turn.drop_after(7)
    elif fault == "error":
        turn = Turn().text(answer_to(text)[:20]).error_event("server_error", "soak fault")
    elif fault == "incomplete":
        turn.incomplete()
    return turn


# ---- the bot process ----------------------------------------------------------------------


def bot_env(world: World) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    guild = next(iter(world.discord.guilds.values()))
    env.update(
        OPENAI_API_KEY="sk-soak-0123456789abcdef",
        OPENAI_BASE_URL=world.model.base_url,
        OPENAI_MAX_RETRIES="2",
        DATABASE_URL=f"sqlite:///{world.tmp / 'bot.db'}",
        LOG_LEVEL="WARNING",
        POLL_INTERVAL="0.2",
        MAX_CONCURRENT_RUNS="64",
        SHUTDOWN_GRACE="10",
        SLACK_BOT_TOKEN=world.slack.bot_token,
        SLACK_APP_TOKEN=world.slack.app_token,
        SLACK_API_URL=world.slack.api_url,
        DISCORD_BOT_TOKEN=world.discord.bot_token,
        DISCORD_API_URL=world.discord.api_url,
        DISCORD_GATEWAY_URL=world.discord.gateway_url,
        DISCORD_CDN_HOSTS=world.discord.cdn_host,
        DISCORD_GUILD_READY_TIMEOUT="0.05",
        DISCORD_ASSISTANT_CHANNELS=str(guild.channels["ask-ai"]),
    )
    return env


def command() -> list[str]:
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "app.cli"]


async def start_bot(world: World) -> None:
    assert world.log is not None
    with world.log.open("a") as log:
        world.bot = await asyncio.create_subprocess_exec(
            *command(),
            "run",
            env=bot_env(world),
            cwd=world.tmp,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    async with asyncio.timeout(60):
        await world.slack.socket_ready()
        await world.discord.wait_connected()


def rss(world: World) -> int:
    assert world.bot is not None
    return int(psutil.Process(world.bot.pid).memory_info().rss)


def db_bytes(world: World) -> int:
    """The database's size as SQLite counts it (pages in use, the WAL's included)."""
    with contextlib.closing(sqlite3.connect(world.tmp / "bot.db", timeout=5)) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    return int(pages) * int(size)


# ---- people -------------------------------------------------------------------------------


async def slack_deliver(world: World, event: JSON) -> None:
    """As Slack does: send, and send again (retry_attempt) until acknowledged."""
    world.slack_pending += 1
    try:
        for attempt in range(20):
            with contextlib.suppress(TimeoutError):
                await world.slack.socket_ready()
                envelope = await world.slack.socket_send(
                    event_callback(event),
                    retry_attempt=attempt,
                    retry_reason="timeout" if attempt else "",
                )
                await world.slack.wait_ack(envelope)
                return
        raise RuntimeError(f"Slack could not deliver {event['ts']} in 20 attempts")
    finally:
        world.slack_pending -= 1


async def slack_person(world: World, n: int, end: float) -> None:
    rng = random.Random(world.args.seed * 1000 + n)
    user, dm = f"U0SOAK{n:04d}", f"D0SOAK{n:04d}"
    channel = f"C0SOAK{n % 3}"
    in_dm = n % 2 == 0
    count = 0
    while True:
        pause = rng.expovariate(1 / think_time(world))
        await asyncio.sleep(min(pause, max(end - time.monotonic(), 0)))
        if time.monotonic() >= end:
            return
        burst = 3 if rng.random() < 0.1 else 1  # sometimes a queue of messages
        for _ in range(burst):
            count += 1
            text = f"slack {user} message {count}"
            plan(world, text, rng)
            if in_dm:
                event = message_event(text, user=user, channel=dm)
                sent = Sent("slack", "dm", text, f"{dm}:{event['ts']}", dm, ts=event["ts"])
                world.sent.append(sent)
                await slack_deliver(world, event)
            else:
                event = message_event(f"<@U0BOT> {text}", user=user, channel=channel)
                key = f"{channel}:{event['ts']}"
                world.sent.append(Sent("slack", "mention", text, key, channel, ts=event["ts"]))
                # A mention arrives twice: as app_mention and as message.
                await asyncio.gather(
                    slack_deliver(world, mention_event(event)), slack_deliver(world, event)
                )


async def discord_person(world: World, n: int, person: User, end: float) -> None:
    rng = random.Random(world.args.seed * 1000 + 500 + n)
    guild = next(iter(world.discord.guilds.values()))
    where = ("mention", "assistant channel", "dm")[n % 3]
    channel = guild.channels[f"general-{n % 4}"] if where == "mention" else guild.channels["ask-ai"]
    count = 0
    while True:
        pause = rng.expovariate(1 / think_time(world))
        await asyncio.sleep(min(pause, max(end - time.monotonic(), 0)))
        if time.monotonic() >= end:
            return
        burst = 3 if rng.random() < 0.1 else 1
        for _ in range(burst):
            count += 1
            text = f"discord {person.name} message {count}"
            plan(world, text, rng)
            try:
                if where == "dm":
                    message_id = await world.discord.user_dms(person, text)
                    channel_id = world.discord.dm_channel(person)
                else:
                    message_id = await world.discord.user_says(
                        person, channel, text, mention=where == "mention"
                    )
                    channel_id = channel
            except (ConnectionError, TimeoutError):
                continue  # the bot is not connected: Discord would not deliver it either
            world.sent.append(
                Sent(
                    "discord", where, text, str(message_id), str(channel_id), message_id=message_id
                )
            )


def think_time(world: World) -> float:
    """Seconds between one person's messages, for ``--rate`` messages a second in all."""
    return world.args.users / world.args.rate


def plan(world: World, text: str, rng: random.Random) -> None:
    if rng.random() < world.args.model_faults:
        fault = rng.choice(MODEL_FAULTS)
        world.model_fault[text] = fault
        world.faults[f"model {fault}"] += 1


# ---- faults ---------------------------------------------------------------------------------


async def platform_faults(world: World, end: float) -> None:
    rng = random.Random(world.args.seed + 7)
    while time.monotonic() < end:
        await asyncio.sleep(world.args.platform_fault_every)
        kind = rng.choice(
            [
                "slack 429 update",
                "slack 500 update",
                "slack 429 post",
                "slack 429 append",
                "slack deleted",
                "slack reconnect",
                "discord 429 edit",
                "discord 429 create",
                "discord deleted",
                "discord resume",
            ]
        )
        if await inject(world, kind, rng):
            world.faults[kind] += 1


async def inject(world: World, kind: str, rng: random.Random) -> bool:
    slack, discord = world.slack, world.discord
    if kind == "slack 429 update":
        slack.fail("chat.update", status=429, retry_after=1)
    elif kind == "slack 500 update":
        slack.fail("chat.update", status=500, error="internal_error")
    elif kind == "slack 429 post":
        slack.fail("chat.postMessage", status=429, retry_after=1)
    elif kind == "slack 429 append":
        slack.fail("chat.appendStream", status=429, retry_after=1)
    elif kind == "slack reconnect":
        await slack.socket_refresh()
    elif kind == "discord 429 edit":
        discord.fail_next("edit", retry_after=0.5, via=False)
    elif kind == "discord 429 create":
        discord.fail_next("create", retry_after=0.5, via=True)
    elif kind == "discord resume":
        await discord.gateway.reconnect()
    elif kind == "slack deleted":
        return delete_a_slack_reply_in_progress(world, rng)
    elif kind == "discord deleted":
        return delete_a_discord_reply_in_progress(world, rng)
    return True


def delete_a_slack_reply_in_progress(world: World, rng: random.Random) -> bool:
    """Someone deletes the bot's reply while it is still being written. Checked and deleted
    without yielding, so a reply already complete is never the one deleted."""
    by_thread = {(s.channel, s.ts): s for s in world.sent if s.platform == "slack"}
    candidates = []
    for channel, messages in world.slack.messages.items():
        for message in messages:
            sent = by_thread.get((channel, message.thread_ts or ""))
            if (
                sent is not None
                and message.bot_id
                and not message.files
                and answer_to(sent.text) not in message.shown
                and NOTICE not in message.shown
            ):
                candidates.append((channel, message))
    if not candidates:
        return False
    channel, message = rng.choice(candidates)
    world.slack.messages[channel].remove(message)
    return True


def delete_a_discord_reply_in_progress(world: World, rng: random.Random) -> bool:
    by_id = {s.message_id: s for s in world.sent if s.platform == "discord"}
    candidates = []
    for message in world.discord.bot_messages():
        asked = int(message.get("message_reference", {}).get("message_id") or 0)
        sent = by_id.get(asked)
        if (
            sent is not None
            and answer_to(sent.text) not in message["content"]
            and NOTICE not in message["content"]
        ):
            candidates.append(message)
    if not candidates:
        return False
    del world.discord.messages[int(rng.choice(candidates)["id"])]
    return True


async def restarts(world: World, end: float) -> None:
    every = world.args.restart_every
    while every > 0 and time.monotonic() + every < end:
        await asyncio.sleep(every)
        assert world.bot is not None
        world.bot.kill()
        await world.bot.wait()
        world.restarts += 1
        await start_bot(world)
        world.spawn(sample_after_warm_up(world))


async def sample_after_warm_up(world: World) -> None:
    """RSS and database size once the (latest) process has warmed up: the baseline the end
    is compared with. A restart starts a new baseline."""
    restarts = world.restarts
    await asyncio.sleep(min(world.args.seconds * 0.2, 120.0))
    if restarts == world.restarts and world.bot is not None and world.bot.returncode is None:
        world.warmed.update(rss=rss(world), db=db_bytes(world), sent=len(world.sent))


# ---- the verdict -----------------------------------------------------------------------------


def jobs(world: World) -> dict[tuple[str, str], str]:
    with contextlib.closing(sqlite3.connect(world.tmp / "bot.db")) as db:
        rows = db.execute("SELECT platform, event_id, status FROM jobs").fetchall()
    return {(platform, event_id): status for platform, event_id, status in rows}


def unfinished(world: World) -> int:
    with contextlib.closing(sqlite3.connect(world.tmp / "bot.db", timeout=5)) as db:
        row = db.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')")
        return int(row.fetchone()[0])


def shown(world: World, sent: Sent) -> list[str]:
    """The texts of the bot's replies to that message, oldest first."""
    if sent.platform == "slack":
        return world.slack.texts(sent.channel, sent.ts)
    return world.discord.pages(sent.message_id)


def asked(world: World) -> Counter[str]:
    """How many times the model was asked about each message (and accepted the request)."""
    counts: Counter[str] = Counter()
    for request in world.model.requests:
        if request.method == "POST" and request.path == "/v1/responses" and request.status == 200:
            counts[last_user_text((request.json or {}).get("input"))] += 1
    return counts


def verdict(world: World) -> dict[str, Any]:
    inbox = jobs(world)
    model_asks = asked(world)
    counts: Counter[str] = Counter()
    problems: list[str] = []
    for sent in world.sent:
        counts["sent"] += 1
        status = inbox.get((sent.platform, sent.event_id))
        if status is None:
            counts["not accepted"] += 1
            if sent.platform == "slack":
                problems.append(f"acknowledged but not in the inbox: {sent.text}")
            continue
        counts["accepted"] += 1
        texts = shown(world, sent)
        joined = "\n".join(texts)
        complete = answer_to(sent.text) in joined
        notice = NOTICE in joined
        replies = [t for t in texts if t.strip() not in ("", "…")]
        if len(replies) > 1 or joined.count(NOTICE) > 1:
            counts["answered twice"] += 1
            problems.append(f"twice: {sent.text}: {texts}")
        if complete and (not notice or world.model_fault.get(sent.text) == "incomplete"):
            counts["answered"] += 1
        elif notice:
            counts["failed with notice"] += 1
        else:
            counts["lost"] += 1
            problems.append(f"lost ({status}): {sent.text}: {texts}")
        if model_asks[sent.text] > 1:
            counts["model asked again"] += 1
    for key in ("answered twice", "lost", "not accepted", "model asked again"):
        counts.setdefault(key, 0)
    return {"counts": dict(counts), "problems": problems[:20]}


# ---- the run -------------------------------------------------------------------------------


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        async with OpenAIEmulator() as model, SlackEmulator() as slack, DiscordEmulator() as dc:
            model.wait_timeout = slack.wait_timeout = dc.wait_timeout = 30.0
            dc.add_guild("Soak", "general-0", "general-1", "general-2", "general-3", "ask-ai")
            world = World(args, model, slack, dc, rng, Path(tmp))
            world.log = world.tmp / "bot.log"
            model.default_reply = lambda body: reply(world, body)
            slack_people = args.users // 2
            discord_people = [dc.add_user(f"p{n}") for n in range(args.users - slack_people)]
            started = time.monotonic()
            await start_bot(world)
            ready = {"rss": rss(world), "db": db_bytes(world)}
            end = time.monotonic() + args.seconds
            warmed = world.warmed

            tasks = [
                *(asyncio.create_task(slack_person(world, n, end)) for n in range(slack_people)),
                *(
                    asyncio.create_task(discord_person(world, n, p, end))
                    for n, p in enumerate(discord_people)
                ),
                asyncio.create_task(platform_faults(world, end)),
                asyncio.create_task(restarts(world, end)),
                asyncio.create_task(sample_after_warm_up(world)),
            ]
            await asyncio.gather(*tasks)
            # Drain: what was delivered reaches the inbox, and everything accepted is
            # answered, before the verdict.
            drained = time.monotonic()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    while len(jobs(world)) < len(world.sent):  # noqa: ASYNC110
                        await asyncio.sleep(0.2)
            async with asyncio.timeout(args.drain):
                # The inbox is in the bot's process: its database is polled.
                while world.slack_pending or unfinished(world):  # noqa: ASYNC110
                    await asyncio.sleep(0.5)
            drain_seconds = time.monotonic() - drained
            final = {"rss": rss(world), "db": db_bytes(world)}
            assert world.bot is not None
            world.bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(world.bot.wait(), 60)
            result = verdict(world)
            log = world.log.read_text(errors="replace")
    counts = result["counts"]
    return {
        "seconds": args.seconds,
        "users": args.users,
        "wall": round(time.monotonic() - started, 1),
        "drain": round(drain_seconds, 1),
        "counts": counts,
        "faults": dict(world.faults),
        "restarts": world.restarts,
        "rss_mb": {
            "ready": round(ready["rss"] / 2**20, 1),
            "after_warm_up": round(warmed.get("rss", ready["rss"]) / 2**20, 1),
            "end": round(final["rss"] / 2**20, 1),
        },
        "rss_growth": round(final["rss"] / max(warmed.get("rss", ready["rss"]), 1) - 1, 3),
        "sqlite_bytes": {
            "ready": ready["db"],
            "after_warm_up": warmed.get("db", ready["db"]),
            "end": final["db"],
        },
        "sqlite_bytes_per_message": round(
            (final["db"] - warmed.get("db", ready["db"]))
            / max(counts.get("accepted", 0) - warmed.get("sent", 0), 1)
        ),
        "exit_code": code,
        "tracebacks": log.count("Traceback"),
        "errors": logged_trouble(log),
        "problems": result["problems"],
    }


def logged_trouble(log: str) -> list[str]:
    """Each kind of error, and of warning that came with a traceback, in the bot's log."""
    lines = log.splitlines()
    found = Counter(
        line.split(": ", 1)[-1][:100]
        for i, line in enumerate(lines)
        if " ERROR " in line
        or (" WARNING " in line and i + 1 < len(lines) and lines[i + 1].startswith("Traceback"))
    )
    return [f"{n} × {line}" for line, n in found.most_common(10)]


def report(result: dict[str, Any]) -> None:
    counts = result["counts"]
    print(
        f"soak: {result['seconds']} s of traffic from {result['users']} people on Slack and"
        f" Discord, {result['restarts']} SIGKILL restarts; wall {result['wall']} s"
        f" (drained in {result['drain']} s)"
    )
    for key in (
        "sent",
        "accepted",
        "answered",
        "failed with notice",
        "lost",
        "answered twice",
        "not accepted",
        "model asked again",
    ):
        print(f"  {key:<22}{counts.get(key, 0)}")
    faults = ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items()))
    print(f"  faults injected       {sum(result['faults'].values())}: {faults}")
    rss_mb = result["rss_mb"]
    print(
        f"  RSS (MB)              ready {rss_mb['ready']}, after warm-up"
        f" {rss_mb['after_warm_up']}, end {rss_mb['end']} ({result['rss_growth']:+.1%})"
    )
    db = result["sqlite_bytes"]
    print(
        f"  SQLite (bytes)        ready {db['ready']}, after warm-up {db['after_warm_up']},"
        f" end {db['end']} (~{result['sqlite_bytes_per_message']} per message)"
    )
    print(f"  exit code {result['exit_code']}, tracebacks in the bot's log {result['tracebacks']}:")
    for problem in result["problems"]:
        print(f"  ! {problem}")
    for line in result["errors"]:
        print(f"  log: {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1800.0, help="traffic duration")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rate", type=float, default=0.8, help="messages a second, in all")
    parser.add_argument("--model-faults", type=float, default=0.15, help="share of questions")
    parser.add_argument("--platform-fault-every", type=float, default=4.0, help="seconds")
    parser.add_argument(
        "--restart-every",
        type=float,
        default=0.0,
        help="SIGKILL and restart every so many"
        " seconds (0: never; RSS is then compared over the whole run)",
    )
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to finish at most")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(soak(args))
    report(result)
    if args.json:
        print(json.dumps(result))
    counts = result["counts"]
    return 0 if counts["lost"] == 0 and counts["answered twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
