"""``/healthz``, ``/readyz`` and ``/metrics`` of the installed ``assistant-bot``: on Slack's
HTTP port (``run --only web``), and on ``METRICS_PORT`` beside Socket Mode."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import aiohttp
import pytest

from adapters.health import HealthRoutes
from adapters.http_calls import discord_route, slack_method
from bot.prometheus import PrometheusMetrics
from tests.bot_process import bot_command, line_matching
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator_events import event_callback, message_event
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, SlackEmulator


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', head))
        if head.split("{")[0] == name and found == labels:
            return float(value)
    return 0.0


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, str, str]:
    async with session.get(url) as response:
        return response.status, await response.text(), response.headers["Content-Type"]


@pytest.mark.parametrize("mode", ["web", "metrics-port"])
async def test_health_and_metrics_count_each_answer(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path, mode: str
) -> None:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-secret-0123456789abcdef",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        ASSISTANT_MODEL="gpt-test-mini",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
        PORT="0",
    )
    args = ["run", "--only", "web"]
    if mode == "metrics-port":
        env.update(SLACK_APP_TOKEN=slack.app_token, METRICS_PORT="0")
        args = ["run", "--only", "worker"]
    emulator.script(Turn().text("The first answer."), Turn().text("The second answer."))
    process = await asyncio.create_subprocess_exec(
        *bot_command(), *args, env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(60), aiohttp.ClientSession() as http:
            if mode == "web":
                events = await line_matching(process.stderr, r"listening on (\S+)", seen)
                events = events.replace("0.0.0.0", "127.0.0.1")
                base = events.removesuffix("/slack/events")
            else:
                base = await line_matching(process.stderr, r"metrics on (\S+)", seen)
                base = base.replace("0.0.0.0", "127.0.0.1")
            await line_matching(process.stderr, r"running: (slack)", seen)
            if mode == "metrics-port":
                await slack.socket_ready()

            assert (await _get(http, f"{base}/healthz"))[:2] == (200, "ok\n")
            status, ready, _ = await _get(http, f"{base}/readyz")
            assert (status, ready) == (200, "database up\nslack up\n")
            status, before, content_type = await _get(http, f"{base}/metrics")
            assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
            assert (
                _sample(before, "assistant_answers_total", platform="slack", outcome="completed")
                == 0
            )

            for n, answer in enumerate(["The first answer.", "The second answer."], start=1):
                event = message_event(f"question {n}", user=ALICE, channel=ALICE_DM)
                if mode == "web":
                    status, _ = await slack.post_event(events, event_callback(event))
                    assert status == 200
                else:
                    await slack.wait_ack(await slack.socket_send(event_callback(event)))
                await slack.until(
                    lambda event=event, answer=answer: any(
                        m.shown == answer and not m.streaming
                        for m in slack.replies(ALICE_DM, event["ts"])
                    )
                )
                # The counter rises after the final text is shown; the bot logs the job's end
                # once it is counted.
                await line_matching(process.stderr, r"job \d+: (ended completed)", seen)
                _, text, _ = await _get(http, f"{base}/metrics")
                done = _sample(
                    text, "assistant_answers_total", platform="slack", outcome="completed"
                )
                assert done == n

            assert _sample(text, "assistant_messages_accepted_total", platform="slack") == 2
            assert (
                _sample(
                    text,
                    "assistant_model_requests_total",
                    model="gpt-test-mini",
                    status="completed",
                )
                == 2
            )
            assert (
                _sample(
                    text, "assistant_model_tokens_total", model="gpt-test-mini", direction="output"
                )
                > 0
            )
            assert (
                _sample(
                    text, "assistant_platform_api_calls_total", platform="slack", method="auth.test"
                )
                == 1
            )
            assert _sample(text, "assistant_inbox_depth") == 0
            for histogram in ("queue_wait", "time_to_first_text", "time_to_final_text"):
                count = _sample(text, f"assistant_{histogram}_seconds_count", platform="slack")
                assert count == 2, histogram
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = "".join(seen) + err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log


class _Check:
    def __init__(self, ok: bool) -> None:
        self.ok = ok

    async def __call__(self) -> bool:
        if not self.ok:
            raise ConnectionError("database gone")
        return True


async def test_readyz_names_what_is_down() -> None:
    database, slack = _Check(True), _Check(True)

    async def depth() -> int:
        return 3

    routes = HealthRoutes(
        metrics=PrometheusMetrics(),
        checks={"database": database, "slack": slack},
        inbox_depth=depth,
    )
    response = await routes.readyz(None)  # type: ignore[arg-type]
    assert response.status == 200
    database.ok = False
    response = await routes.readyz(None)  # type: ignore[arg-type]
    assert (response.status, response.text) == (503, "database down\nslack up\n")
    metrics = await routes.metrics(None)  # type: ignore[arg-type]
    assert metrics.body is not None and b"assistant_inbox_depth 3.0" in metrics.body  # type: ignore[operator]


def test_platform_methods_are_named_without_ids_or_tokens() -> None:
    from yarl import URL

    assert slack_method("POST", URL("http://x/api/chat.update")) == "chat.update"
    assert slack_method("GET", URL("https://files.slack.com/files-pri/T1-F1/a.csv")) == "files"
    route = discord_route("PATCH", URL("http://x/api/v10/channels/123/messages/456"))
    assert route == "PATCH /channels/{id}/messages/{id}"
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OmFiYw"
    route = discord_route("POST", URL(f"http://x/api/v10/interactions/99/{token}/callback"))
    assert route == "POST /interactions/{id}/{token}/callback"
    route = discord_route("PATCH", URL(f"http://x/api/v10/webhooks/42/{token}/messages/@original"))
    assert route == "PATCH /webhooks/{id}/{token}/messages/@original"


async def test_discord_worker_serves_metrics_on_metrics_port(
    emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    from tests.discord_emulator import DiscordEmulator

    emulator.script(Turn().text("Hello from the worker."))
    async with DiscordEmulator() as discord:
        discord.wait_timeout = 60
        guild = discord.add_guild("Class 101", "general")
        alice = discord.add_user("alice")
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        env.update(
            OPENAI_API_KEY="sk-test-secret-0123456789abcdef",
            OPENAI_BASE_URL=emulator.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
            DISCORD_BOT_TOKEN=discord.bot_token,
            DISCORD_API_URL=discord.api_url,
            DISCORD_GATEWAY_URL=discord.gateway_url,
            DISCORD_CDN_HOSTS=discord.cdn_host,
            DISCORD_GUILD_READY_TIMEOUT="0.05",
            METRICS_PORT="0",
        )
        process = await asyncio.create_subprocess_exec(
            *bot_command(),
            "run",
            "--only",
            "worker",
            env=env,
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        seen: list[str] = []
        try:
            async with asyncio.timeout(60), aiohttp.ClientSession() as http:
                base = await line_matching(process.stderr, r"metrics on (\S+)", seen)
                base = base.replace("0.0.0.0", "127.0.0.1")
                await line_matching(process.stderr, r"running: (discord)", seen)
                status, ready, _ = await _get(http, f"{base}/readyz")
                assert (status, ready) == (200, "database up\ndiscord up\n")
                asked = await discord.user_says(
                    alice, guild.channels["general"], "hi", mention=True
                )
                await discord.wait_for(lambda: discord.pages(asked) == ["Hello from the worker."])
                await line_matching(process.stderr, r"job \d+: (ended completed)", seen)
                _, text, _ = await _get(http, f"{base}/metrics")
                assert (
                    _sample(
                        text, "assistant_answers_total", platform="discord", outcome="completed"
                    )
                    == 1
                )
                calls = [
                    line
                    for line in text.splitlines()
                    if line.startswith("assistant_platform_api_calls_total{")
                    and 'platform="discord"' in line
                ]
                assert any('method="POST /channels/{id}/messages"' in line for line in calls), calls
                assert discord.bot_token not in text
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=60)
        log = "".join(seen) + err.decode()
        assert process.returncode == 0, log
        assert "Traceback" not in log


async def test_platform_calls_and_429s_are_counted_by_method() -> None:
    from aiohttp import web

    from adapters.http_calls import call_tracer

    async def limited(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429)

    async def fine(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/chat.update", limited)
    app.router.add_post("/api/chat.postMessage", fine)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    metrics = PrometheusMetrics()
    try:
        trace = call_tracer(metrics, "slack", slack_method)
        async with aiohttp.ClientSession(trace_configs=[trace]) as session:
            for method in ("chat.update", "chat.postMessage", "chat.postMessage"):
                async with session.post(f"http://127.0.0.1:{port}/api/{method}") as response:
                    await response.read()
    finally:
        await runner.cleanup()
    text = metrics.render().decode()
    calls, limited_total = (
        "assistant_platform_api_calls_total",
        "assistant_platform_api_rate_limited_total",
    )
    assert _sample(text, calls, platform="slack", method="chat.update") == 1
    assert _sample(text, calls, platform="slack", method="chat.postMessage") == 2
    assert _sample(text, limited_total, platform="slack", method="chat.update") == 1
    assert _sample(text, limited_total, platform="slack", method="chat.postMessage") == 0
