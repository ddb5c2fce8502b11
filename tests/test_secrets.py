"""Secrets never leave where they belong: a realistic session on Slack and Discord at once
(one engine, as ``assistant-bot run`` wires it), with model errors, 429s, a file download,
an upload, slash commands and a forged request, logged at DEBUG through the bot's own
redaction; then every captured log line and every request any emulator received is
scanned for the OpenAI key, the bot tokens, the Slack app token and signing secret, and
the Discord interaction tokens. A token may only travel where it authenticates: Slack's
token to Slack (API and file host), Discord's to Discord, an interaction token in the path
of its own callback and follow-ups, the OpenAI key to OpenAI."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from adapters.discord import DiscordService
from adapters.slack import SlackService
from bot.engine import Engine
from bot.logs import RedactSecrets
from tests.conftest import test_settings
from tests.core_fixtures import open_core
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import event_callback, message_event

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom

pytest_plugins = ["tests.discord_fixtures", "tests.slack_fixtures"]

OPENAI_KEY = "sk-test-secrets-scan-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n chart"


def test_discord_interaction_tokens_in_urls_are_redacted() -> None:
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZg.x-_Yz"
    record = logging.LogRecord(
        "discord.webhook.async_",
        logging.DEBUG,
        __file__,
        1,
        "Webhook ID %s with %s %s has returned status code %s",
        ("42", "POST", f"https://discord.com/api/v10/webhooks/42/{token}?wait=1", 200),
        None,
    )
    RedactSecrets([]).filter(record)
    assert token not in record.getMessage()
    assert "/webhooks/42/[redacted]?wait=1" in record.getMessage()
    callback = f"POST https://discord.com/api/v10/interactions/77/{token}/callback"
    record = logging.LogRecord("discord.http", logging.DEBUG, __file__, 1, callback, (), None)
    RedactSecrets([]).filter(record)
    assert record.getMessage().endswith("/interactions/77/[redacted]/callback")
    # discord.py also logs every gateway event at DEBUG, an interaction with its token.
    event = {"t": "INTERACTION_CREATE", "d": {"id": "77", "type": 2, "token": token}}
    record = logging.LogRecord(
        "discord.gateway",
        logging.DEBUG,
        __file__,
        1,
        "For Shard ID %s: WebSocket Event: %s",
        (None, event),
        None,
    )
    RedactSecrets([]).filter(record)
    assert token not in record.getMessage() and "'token': '[redacted]'" in record.getMessage()


async def test_a_session_on_slack_and_discord_leaks_no_secret(
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    discord_emu: DiscordEmulator,
    classroom: Classroom,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.discord_fixtures import TEST_LIMITS as DISCORD_LIMITS
    from tests.slack_fixtures import TEST_LIMITS as SLACK_LIMITS

    settings = test_settings(
        emulator,
        tmp_path / "bot.db",
        openai_api_key=OPENAI_KEY,
        log_level="DEBUG",
        slack_bot_token=slack.bot_token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.api_url,
        port=0,
        discord_bot_token=discord_emu.bot_token,
        discord_api_url=discord_emu.api_url,
        discord_gateway_url=discord_emu.gateway_url,
        discord_cdn_hosts=discord_emu.cdn_host,
        discord_guild_ready_timeout=0.05,
    )
    # What setup_logging does for the process, on the handler this test reads.
    caplog.handler.addFilter(RedactSecrets(settings.secrets()))
    caplog.set_level(logging.DEBUG)
    slack_service = SlackService.from_settings(settings, host="127.0.0.1", limits=SLACK_LIMITS)
    discord_service = DiscordService.from_settings(settings, limits=DISCORD_LIMITS)
    store, backend, core = await open_core(
        settings, tmp_path / "bot.db", [slack_service.platform, discord_service.platform]
    )
    engine = core.engine
    await engine.start()
    await slack_service.start(engine, core.commands)
    await discord_service.start(engine, core.commands)
    try:
        await _session(engine, emulator, slack, slack_service, discord_emu, classroom)
    finally:
        await slack_service.stop()
        await discord_service.stop()
        await engine.stop(grace=5)
        await slack_service.close()
        await discord_service.close()
        await backend.close()
        await store.close()

    secrets = [*settings.secrets(), *(i.token for i in discord_emu.interactions.values())]
    assert len(settings.secrets()) == 4 and len(discord_emu.interactions) == 2
    leaks = [
        f"{where}: …{text[max(0, text.index(secret) - 80) : text.index(secret)]}[{secret[:6]}…]"
        for where, text in _everything_captured(caplog, emulator, slack, discord_emu)
        for secret in secrets
        if secret in text
    ]
    assert leaks == [], "\n".join(leaks)
    assert len(caplog.records) > 100, "DEBUG logging of the session was captured"


async def _session(
    engine: Engine,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    slack_service: SlackService,
    discord_emu: DiscordEmulator,
    classroom: Classroom,
) -> None:
    from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM

    url = slack_service.http_url
    assert url is not None
    emulator.script(
        Turn().text("hello").http_error(429, retry_after=0.01).http_error(500),
        Turn()
        .text("Loaded your data.")
        .code("plt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)]),
        Turn().text("Half an answer").error_event("server_error", "boom"),
        Turn().text("A Discord answer that is cut", deltas=4).drop_after(7),
        Turn().text("Answer to the slash command."),
    )
    slack.fail("chat.appendStream", status=429, retry_after=1)
    forged = message_event("let me in", user=BOB, channel=BOB_DM)
    status, _ = await slack.post_event(url, event_callback(forged), secret="guessed-secret")
    assert status == 401
    for event in (
        message_event("hi", user=ALICE, channel=ALICE_DM),
        message_event(
            "my data",
            user=ALICE,
            channel=ALICE_DM,
            files=[slack.host_file("grades.csv", b"name,grade\nKim,A\n")],
        ),
        message_event("and now?", user=ALICE, channel=ALICE_DM),
    ):
        status, _ = await slack.post_event(url, event_callback(event))
        assert status == 200
        await engine.wait_idle()
    status, _ = await slack.post_event(
        url,
        {
            "command": "/assistant",
            "text": "help",
            "user_id": ALICE,
            "team_id": slack.team_id,
            "channel_id": ALICE_DM,
            "trigger_id": "trig.1",
            "response_url": "https://x.invalid/r",
        },
        form=True,
    )
    assert status == 200

    discord_emu.fail_next("edit", times=1, via=False)
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "q", mention=True)
    await discord_emu.wait_for(lambda: discord_emu.pages(asked))
    await engine.wait_idle()
    interaction = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "ask", question="what now?"
    )
    await discord_emu.wait_for(lambda: interaction.followed_up)
    await engine.wait_idle()
    helped = await discord_emu.slash(classroom.bob, classroom.general, "assistant", "help")
    await discord_emu.wait_for(lambda: helped.callback)


def _everything_captured(
    caplog: pytest.LogCaptureFixture,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    discord_emu: DiscordEmulator,
) -> list[tuple[str, str]]:
    """(where, text) for every log line and every request body, header and URL that may not
    carry a secret."""
    found: list[tuple[str, str]] = []
    for record in caplog.records:
        found.append((f"log {record.name}", record.getMessage() + (record.exc_text or "")))
    found.append(("log text", caplog.text))
    for request in emulator.requests:
        headers = {k: v for k, v in request.headers.items() if k != "authorization"}
        sent = [request.path, request.query, request.json, request.form, headers]
        found.append((f"OpenAI {request.method} {request.path}", json.dumps(sent, default=str)))
    for call in slack.calls:
        found.append((f"Slack {call.method}", json.dumps(call.args, default=str)))
    for upload in slack.uploads.values():
        found.append(("Slack upload", repr(upload.data) + str(upload.authorization)))
    for request in slack.foreign_requests:
        found.append(("a foreign host", repr(request)))
    for call in discord_emu.calls:
        headers = {k: v for k, v in call.headers.items() if k != "authorization"}
        sent: list[Any] = [call.query, call.json, headers, [u.__dict__ for u in call.uploads]]
        if call.kind not in ("callback", "followup", "followup_edit"):
            sent.append(call.path)  # an interaction token belongs in its own paths only
        found.append((f"Discord {call.kind}", json.dumps(sent, default=str)))
    for message in [*slack.messages.values()]:
        found.append(("Slack messages", repr(message)))
    found.append(("Discord messages", json.dumps(discord_emu.messages, default=str)))
    return found
