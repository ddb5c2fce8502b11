"""Fixtures: a Slack emulator, and a bot wired to it and to the OpenAI emulator over the real
``slack_bolt`` app (Socket Mode or HTTP), so a test reads like a conversation in Slack.

Import the fixtures into a test module: ``from tests.slack_fixtures import *``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import SLACK_LIMITS, SlackService
from bot.engine import Engine
from bot.openai_backend import OpenAIBackend
from bot.types import ReplyLimits
from storage.sqlite import SQLiteStore
from tests.conftest import test_settings
from tests.core_fixtures import open_core
from tests.openai_emulator import OpenAIEmulator
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    JSON,
    Message,
    command_payload,
    event_callback,
    mention_event,
    message_event,
)

__all__ = ["SlackBot", "make_slack_bot", "slack", "slack_bot", "transport"]

ALICE, BOB = "U0ALICE", "U0BOB"
ALICE_DM, BOB_DM = "D0ALICE", "D0BOB"
GENERAL = "C0GENERAL"

# Slack's limits, with edits as often as a test's fast model produces text.
TEST_LIMITS = dataclasses.replace(SLACK_LIMITS, edit_interval=0.02)


@dataclass
class SlackBot:
    """A running bot on Slack; the test speaks as Slack and reads what the channel shows."""

    engine: Engine
    store: SQLiteStore
    backend: OpenAIBackend
    service: SlackService
    slack: SlackEmulator
    transport: str

    async def deliver(self, payload: JSON, *, retry: int = 0, type: str = "events_api") -> Any:
        """One delivery over the bot's transport; returns once Slack would count it acked."""
        if self.transport == "socket":
            reason = "timeout" if retry else ""
            envelope = await self.slack.socket_send(
                payload, type=type, retry_attempt=retry, retry_reason=reason
            )
            return await self.slack.wait_ack(envelope)
        assert self.service.http_url is not None
        if type == "interactive":  # HTTP carries interactive payloads as a form field
            payload = {"payload": json.dumps(payload)}
        status, body = await self.slack.post_event(
            self.service.http_url,
            payload,
            form=type != "events_api",
            retry_num=retry or None,
        )
        assert status == 200, (status, body)
        return body

    async def event(self, event: JSON, *, event_id: str | None = None, retry: int = 0) -> JSON:
        await self.deliver(event_callback(event, event_id=event_id), retry=retry)
        return event

    async def dm(
        self, text: str, *, user: str = ALICE, channel: str = ALICE_DM, **fields: Any
    ) -> JSON:
        return await self.event(message_event(text, user=user, channel=channel, **fields))

    async def mention(self, text: str, *, user: str = ALICE, channel: str = GENERAL) -> JSON:
        """A channel message mentioning the bot: Slack sends it as app_mention and message."""
        message = message_event(f"<@U0BOT> {text}", user=user, channel=channel)
        await self.event(mention_event(message))
        await self.event(message)
        return message

    async def command(self, text: str, *, user: str = ALICE, channel: str = ALICE_DM) -> Any:
        return await self.deliver(
            command_payload(text, user=user, channel=channel), type="slash_commands"
        )

    async def answers(self) -> None:
        await self.engine.wait_idle()

    def thread(self, event: JSON) -> list[Message]:
        return self.slack.replies(event["channel"], event.get("thread_ts") or event["ts"])

    def texts(self, event: JSON) -> list[str]:
        return self.slack.texts(event["channel"], event.get("thread_ts") or event["ts"])

    async def stop(self) -> None:
        await self.service.stop()
        await self.engine.stop(grace=5)
        await self.service.close()
        await self.backend.close()
        await self.store.close()


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    async with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture(params=["socket", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_slack_bot(
    emulator: OpenAIEmulator, slack: SlackEmulator, tmp_path: Path, transport: str
) -> AsyncIterator[Callable[..., Any]]:
    """Start a bot on Slack (the transport is the test's parameter unless given)."""
    bots: list[SlackBot] = []

    async def start(
        *, limits: ReplyLimits = TEST_LIMITS, via: str | None = None, **overrides: Any
    ) -> SlackBot:
        mode = via or transport
        options = {k: overrides.pop(k) for k in list(overrides) if k.endswith("_per_minute")}
        settings = test_settings(
            emulator,
            tmp_path / "bot.db",
            slack_bot_token=slack.bot_token,
            slack_app_token=slack.app_token if mode == "socket" else None,
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.api_url,
            port=0,
            **overrides,
        )
        service = SlackService.from_settings(settings, host="127.0.0.1", limits=limits, **options)
        store, backend, core = await open_core(settings, tmp_path / "bot.db", [service.platform])
        engine = core.engine
        await engine.start()
        await service.start(engine, core.commands)
        bot = SlackBot(engine, store, backend, service, slack, mode)
        bots.append(bot)
        if mode == "socket":
            await slack.socket_ready()
        return bot

    yield start
    for bot in bots:
        if bot.store.is_open:
            await bot.stop()


@pytest.fixture
async def slack_bot(make_slack_bot: Callable[..., Any]) -> SlackBot:
    started: SlackBot = await make_slack_bot()
    return started
