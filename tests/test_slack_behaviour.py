"""More of the Slack adapter end to end: what it ignores, assistant threads, commands,
reconnects, long answers, errors, limits and fallbacks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage.records import NewJob
from storage.sqlite import SQLiteStore
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    BOT_USER_ID,
    TEAM_ID,
    event_callback,
    message_event,
    new_ts,
)
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, GENERAL, TEST_LIMITS, SlackBot


async def test_edits_deletions_joins_and_bots_are_ignored(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    original = message_event("hello", user=ALICE, channel=ALICE_DM)
    ignored = [
        message_event(
            "",
            user=ALICE,
            channel=ALICE_DM,
            subtype="message_changed",
            message={**original, "text": "hello!"},
        ),
        message_event(
            "", user=ALICE, channel=ALICE_DM, subtype="message_deleted", deleted_ts=original["ts"]
        ),
        message_event("<@U0ALICE> has joined", user=ALICE, channel=GENERAL, subtype="channel_join"),
        message_event("beep", user="U0OTHERBOT", channel=ALICE_DM, bot_id="B0OTHER"),
        message_event("my own words", user=BOT_USER_ID, channel=ALICE_DM, bot_id="B0BOT"),
        {
            "type": "reaction_added",
            "user": ALICE,
            "reaction": "eyes",
            "item": {"type": "message", "channel": ALICE_DM, "ts": original["ts"]},
            "event_ts": new_ts(),
        },
    ]
    for event in ignored:
        await slack_bot.event(event)
    await slack_bot.answers()
    assert emulator.response_requests() == []
    assert await slack_bot.store.jobs() == []
    assert not slack.messages
    assert slack.ack_errors == []


async def test_assistant_thread_gets_prompts_and_a_status_while_working(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.experience = "assistant"  # slack-manifest.assistant-view.json
    root = new_ts()
    await slack_bot.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": ALICE,
                "channel_id": ALICE_DM,
                "thread_ts": root,
                "context": {},
            },
            "event_ts": new_ts(),
        }
    )
    await slack.until(lambda: bool(slack.suggested))
    assert slack.suggested[0]["channel_id"] == ALICE_DM
    assert slack.suggested[0]["thread_ts"] == root  # assistant messaging: per thread
    # The default prompts follow the assistant's tools (code interpreter, file search).
    assert [p["title"] for p in slack.suggested[0]["prompts"]] == [
        "Explain something",
        "Analyse a file",
        "Search the documents",
        "Solve a problem",
    ]
    emulator.script(Turn().code("print(6 * 7)", logs="42\n").text("It is 42."))
    event = await slack_bot.dm("what is 6 x 7?", thread_ts=root)
    await slack_bot.answers()
    statuses = [s for c, t, s in slack.statuses if (c, t) == (ALICE_DM, root)]
    assert statuses[0] == "Thinking…" and "Running code…" in statuses and statuses[-1] == ""
    [text] = slack_bot.texts(event)
    assert text.startswith("```python\nprint(6 * 7)\n```") and text.endswith("It is 42.")
    assert "```text\n42\n```" in text


def command_text(reply: Any) -> str:
    if isinstance(reply, dict):
        return str(reply["text"])
    return str(json.loads(reply)["text"]) if reply.startswith("{") else str(reply)


async def test_slash_command_runs_the_shared_commands(
    slack_bot: SlackBot, emulator: OpenAIEmulator
) -> None:
    first = await slack_bot.dm("remember 42")
    await slack_bot.answers()
    # HTTP answers an ack's text as the plain response body; Socket Mode as the ack payload.
    reply = await slack_bot.command("reset")
    assert command_text(reply).startswith("Started a new conversation")
    assert "reset" in command_text(await slack_bot.command(""))  # the help text
    await slack_bot.dm("what number?")
    await slack_bot.answers()
    one, two = emulator.response_requests()
    assert one["conversation"] != two["conversation"]
    assert slack_bot.texts(first) == ["You said: remember 42"]


@pytest.mark.parametrize("transport", ["socket"])
async def test_socket_mode_reconnects_when_slack_asks(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    await slack.socket_refresh()
    await slack.until(lambda: len(slack.calls_to("apps.connections.open")) == 2)
    await slack.until(lambda: sum(not ws.closed for ws in slack.connections) == 1)
    event = await slack_bot.dm("still there?")
    await slack_bot.answers()
    assert slack_bot.texts(event) == ["You said: still there?"]


@pytest.mark.parametrize("transport", ["http"])
async def test_url_verification_is_answered_when_signed(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    url = slack_bot.service.http_url
    assert url is not None
    challenge = {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    status, body = await slack.post_event(url, challenge)
    assert status == 200 and challenge["challenge"] in body
    status, _ = await slack.post_event(url, challenge, secret="wrong")
    assert status == 401


@pytest.mark.parametrize("native", [True, False], ids=["stream", "update"])
async def test_a_long_answer_continues_in_further_thread_replies(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, native: bool
) -> None:
    limits = dataclasses.replace(TEST_LIMITS, max_length=300)
    bot: SlackBot = await make_slack_bot(limits=limits, slack_native_streaming=native)
    code = "\n".join(f"x{n} = {n} * {n}" for n in range(40))
    answer = "Here is the code:\n\n```python\n" + code + "\n```\n\nThat is all."
    emulator.script(Turn().text(answer, deltas=25).delta_interval(0.005))
    event = await bot.dm("write forty lines")
    await bot.answers()
    pages = bot.texts(event)
    assert len(pages) >= 3 and all(len(page) <= 300 for page in pages)
    assert all(page.count("```") % 2 == 0 for page in pages)
    body = "".join(pages).replace("```\n```python\n", "").replace("\n```python\n", "\n")
    for n in range(40):
        assert f"x{n} = {n} * {n}" in body
    assert pages[-1].endswith("That is all.")
    assert not any(m.streaming for m in bot.thread(event))


async def test_a_model_error_shows_one_friendly_sentence(
    slack_bot: SlackBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(Turn().text("Partial answer").error_event("server_error", "kaboom internals"))
    event = await slack_bot.dm("question")
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text.startswith("Partial answer")
    assert text.endswith("⚠️ The AI model ran into an error while answering. Please try again.")
    assert "kaboom" not in text and "Traceback" not in text


async def test_oversize_and_unsupported_files_get_a_clear_notice(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot(max_file_mb=0.001)
    big = slack.host_file("huge.csv", b"x" * 5_000)
    odd = slack.host_file("setup.exe", b"MZ", "application/octet-stream")
    emulator.script(Turn().text("Answered the words."))
    event = await bot.dm("look at these", files=[big, odd])
    await bot.answers()
    [text] = bot.texts(event)
    assert "huge.csv" in text and "0.001 MB" in text
    assert "setup.exe" in text and ".exe" in text
    assert text.endswith("Answered the words.")
    assert slack.file_requests == []  # neither was downloaded


async def test_refused_streaming_falls_back_to_post_and_update(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.streaming_error = "feature_not_enabled"
    emulator.script(
        Turn().text("one two three four", deltas=4).delta_interval(0.02), Turn().text("again")
    )
    first = await slack_bot.dm("hello")
    await slack_bot.answers()
    second = await slack_bot.dm("hello again", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    assert slack_bot.texts(first) == ["one two three four"]
    assert slack_bot.texts(second) == ["again"]
    assert len(slack.calls_to("chat.startStream")) == 1  # not asked again for a while
    posts = slack.calls_to("chat.postMessage")
    assert [p.args["thread_ts"] for p in posts] == [first["ts"], second["ts"]]
    # Markdown goes as Markdown: markdown_text, or (with the rating buttons under the final
    # text) a markdown block, never as mrkdwn text alone.
    assert all(
        ("markdown_text" in c.args and "text" not in c.args)
        or c.args["blocks"][0]["type"] == "markdown"
        for c in posts + slack.calls_to("chat.update")
    )


async def test_a_delivery_seen_before_a_restart_is_not_answered_again(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    payload = event_callback(message_event("once", user=ALICE, channel=ALICE_DM))
    first: SlackBot = await make_slack_bot()
    await first.deliver(payload)
    await first.answers()
    await first.stop()
    second: SlackBot = await make_slack_bot()
    await second.deliver(payload, retry=3)
    await second.answers()
    assert len(emulator.response_requests()) == 1
    assert len(slack.calls_to("chat.startStream")) == 1
    assert payload["team_id"] == TEAM_ID


@pytest.mark.parametrize("transport", ["socket"])
async def test_a_job_stored_by_the_first_version_is_answered_in_its_thread(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    tmp_path: Path,
) -> None:
    # A channel mention accepted by the first Slack version (its payload, reply_to a plain
    # dict with an assistant flag of its own rule), still queued when the bot is upgraded.
    ts = new_ts()
    stored = SQLiteStore(str(tmp_path / "bot.db"))
    await stored.open()
    payload = {
        "platform": "slack",
        "workspace": TEAM_ID,
        "channel": GENERAL,
        "user": ALICE,
        "text": "what is 2 + 2?",
        "event_id": f"{GENERAL}:{ts}",
        "attachments": [],
        "reply_to": {
            "channel": GENERAL,
            "thread_ts": ts,
            "recipient_team": TEAM_ID,
            "dm": False,
            "assistant": False,
        },
        "user_name": "",
    }
    await stored.accept(NewJob("slack", TEAM_ID, GENERAL, ALICE, f"{GENERAL}:{ts}", payload))
    await stored.close()
    emulator.script(Turn().text("Four."))
    bot: SlackBot = await make_slack_bot()
    await bot.answers()
    assert slack.texts(GENERAL, ts) == ["Four."]
    [start] = slack.calls_to("chat.startStream")
    assert (start.args["recipient_team_id"], start.args["recipient_user_id"]) == (TEAM_ID, ALICE)
    assert [j.status for j in await bot.store.jobs()] == ["answered"]
