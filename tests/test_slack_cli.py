"""The installed ``assistant-bot run`` with Slack configured, against the Slack and OpenAI
emulators: Socket Mode when SLACK_APP_TOKEN is set, HTTP mode otherwise."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tests.bot_process import bot_command, line_matching
from tests.openai_emulator import OpenAIEmulator
from tests.slack_emulator_events import event_callback, message_event
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, SlackEmulator


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_run_answers_on_slack_and_stops_cleanly(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path, mode: str
) -> None:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-secret-0123456789abcdef",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        LOG_LEVEL="DEBUG",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
        PORT="0",
    )
    if mode == "socket":
        env["SLACK_APP_TOKEN"] = slack.app_token
    process = await asyncio.create_subprocess_exec(
        *bot_command(),
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(60):
            running = r"running: (slack)"
            if mode == "socket":
                await line_matching(process.stderr, running, seen)
                await slack.socket_ready()
            else:
                url = await line_matching(process.stderr, r"listening on (\S+)", seen)
                await line_matching(process.stderr, running, seen)
            event = message_event("hello from the terminal", user=ALICE, channel=ALICE_DM)
            if mode == "socket":
                await slack.wait_ack(await slack.socket_send(event_callback(event)))
            else:
                status, _ = await slack.post_event(
                    url.replace("0.0.0.0", "127.0.0.1"), event_callback(event)
                )
                assert status == 200
            await slack.until(
                lambda: any(
                    m.shown == "You said: hello from the terminal" and not m.streaming
                    for m in slack.replies(ALICE_DM, event["ts"])
                )
            )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = "".join(seen) + err.decode()
    assert process.returncode == 0, log
    for secret in (slack.bot_token, slack.app_token, slack.signing_secret, env["OPENAI_API_KEY"]):
        assert secret not in log and secret.encode() not in out
    assert "Traceback" not in log


async def test_a_sigterm_while_slack_connects_is_a_clean_stop(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path
) -> None:
    """A deploy may stop the bot while it is still connecting: the signal is kept, and the
    bot stops once connected instead of running on."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-secret-0123456789abcdef",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_APP_TOKEN=slack.app_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
    )
    connecting = slack.holds["auth.test"] = asyncio.Event()
    process = await asyncio.create_subprocess_exec(
        *bot_command(), "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(60):
            await slack.wait_for(lambda calls: any(c.method == "auth.test" for c in calls))
        process.send_signal(signal.SIGTERM)
        connecting.set()
        async with asyncio.timeout(60):
            _, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = err.decode()
    assert process.returncode == 0, log
    assert "shutting down" in log and "Traceback" not in log
