"""Faults around a Slack answer, end to end (real slack_bolt/slack_sdk, the Slack and OpenAI
emulators): the model slow to start, failing or cut off mid-stream; Slack answering 429 and
5xx to posts, edits and uploads, a message deleted while it was being written, a file that
cannot be downloaded, a Socket Mode connection that drops. The person always ends up with
the complete answer, or the part there was and one clear sentence."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import UPLOAD_URL, SlackEmulator
from tests.slack_emulator_blocks import buttons_of
from tests.slack_emulator_events import JSON, Message, new_ts
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE_DM, BOB, GENERAL, TEST_LIMITS, SlackBot

PNG = b"\x89PNG\r\n\x1a\n chart"
DROPPED = "⚠️ The connection to the AI service dropped before the answer was finished."


def delete(slack: SlackEmulator, message: Message) -> None:
    """The person (or an admin) deletes the bot's message while it is being written."""
    slack.messages[message.channel].remove(message)


def bot_texts(bot: SlackBot, event: JSON) -> list[str]:
    return [m.shown for m in bot.thread(event) if not m.files]


@pytest.mark.parametrize("transport", ["socket"])
async def test_slow_first_token_keeps_the_thinking_status_until_the_text(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    first_token = asyncio.Event()
    emulator.script(Turn().text("Worth the wait.").gate(first_token, after_events=2))
    root = new_ts()
    event = await slack_bot.dm("think hard", thread_ts=root)
    response = await emulator.response_started(0)
    await emulator.wait_events(response.id, 2)
    await slack.until(lambda: bool(slack.statuses))
    # While the model says nothing, the thread shows that the bot is at work ...
    assert slack.statuses[-1] == (ALICE_DM, root, "Thinking…")
    assert all(m.shown in ("", "…") for m in slack_bot.thread(event))
    first_token.set()
    await slack_bot.answers()
    # ... and the status is cleared once the answer is there.
    assert bot_texts(slack_bot, event) == ["Worth the wait."]
    assert slack.statuses[-1] == (ALICE_DM, root, "")


@pytest.mark.parametrize("native", [True, False], ids=["stream", "update"])
@pytest.mark.parametrize("transport", ["http"])
async def test_a_stream_cut_mid_answer_keeps_the_text_and_says_so_once(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, native: bool
) -> None:
    bot: SlackBot = await make_slack_bot(slack_native_streaming=native)
    emulator.script(Turn().text("The first half of an answer and", deltas=4).drop_after(7))
    event = await bot.dm("a long question")
    await bot.answers()
    [text] = bot_texts(bot, event)
    assert text.startswith("The first half")
    assert text.endswith(DROPPED) and text.count("⚠️") == 1
    assert [j.status for j in await bot.store.jobs()] == ["failed"]


@pytest.mark.parametrize("transport", ["socket"])
async def test_429_and_5xx_on_posts_edits_and_uploads_still_end_with_the_complete_answer(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    # One progress edit at most: the final text meets a 500 and is sent again.
    limits = dataclasses.replace(TEST_LIMITS, edit_interval=60)
    bot: SlackBot = await make_slack_bot(slack_native_streaming=False, limits=limits)
    slack.fail("chat.postMessage", status=429, retry_after=1)
    slack.fail("chat.update", status=500, error="internal_error", times=2)
    slack.fail("files.getUploadURLExternal", status=503, error="service_unavailable")
    slack.fail("files.completeUploadExternal", status=429, retry_after=1)
    text = "Here is the chart you asked for: [chart.png](sandbox:/mnt/data/chart.png)"
    emulator.script(
        Turn()
        .code("plt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)])
        .text(text, deltas=3)
    )
    event = await bot.dm("plot it")
    await bot.answers()
    [answer] = bot_texts(bot, event)
    assert answer.endswith("Here is the chart you asked for: **chart.png** (attached)")
    assert "⚠️" not in answer
    [upload] = slack.uploads.values()
    assert upload.data == PNG
    failed = sorted((c.method, c.status) for c in slack.calls if not c.ok)
    assert failed == [
        ("chat.postMessage", 429),
        ("chat.update", 500),
        ("chat.update", 500),
        ("files.completeUploadExternal", 429),
        ("files.getUploadURLExternal", 503),
    ]
    assert slack.calls_to("chat.update")[-1].ok
    assert [j.status for j in await bot.store.jobs()] == ["answered"]


@pytest.mark.parametrize("native", [True, False], ids=["stream", "update"])
@pytest.mark.parametrize("transport", ["socket"])
async def test_a_reply_deleted_while_written_continues_in_a_new_message(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    native: bool,
) -> None:
    bot: SlackBot = await make_slack_bot(slack_native_streaming=native)
    rest = asyncio.Event()
    answer = "The beginning, and then the end of the answer."
    emulator.script(Turn().text(answer, deltas=4).gate(rest, after_events=6))
    event = await bot.dm("question")
    await slack.until(lambda: any(m.shown.startswith("The") for m in bot.thread(event)))
    [written] = bot.thread(event)
    delete(slack, written)
    rest.set()
    await bot.answers()
    assert bot_texts(bot, event) == [answer]
    [reply] = bot.thread(event)  # the new message has the answer's rating buttons
    assert [b["type"] for b in buttons_of(reply)] == ["feedback_buttons"]
    assert [j.status for j in await bot.store.jobs()] == ["answered"]


@pytest.mark.parametrize("transport", ["socket"])
async def test_a_file_that_cannot_be_downloaded_is_named_and_the_rest_answered(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    gone = slack.host_file("notes.csv", b"a,b\n1,2\n")
    slack._files.clear()  # deleted from Slack between the message and the download
    emulator.script(Turn().text("I answered what you wrote."))
    event = await slack_bot.dm("read this", files=[gone])
    await slack_bot.answers()
    [text] = bot_texts(slack_bot, event)
    assert "I couldn't download notes.csv; please send it again." in text
    assert text.endswith("I answered what you wrote.")
    assert len(slack.file_requests) == 1


@pytest.mark.parametrize("transport", ["http"])
async def test_in_a_shared_channel_one_persons_stalled_answer_neither_blocks_nor_leaks(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    stalled = asyncio.Event()
    emulator.script(Turn().text("Alice's private answer.").gate(stalled, after_events=2))
    alice = await slack_bot.mention("my grades are 90 and 70")
    await emulator.response_started(0)
    bob = await slack_bot.mention("what did Alice say?", user=BOB)
    await slack.until(lambda: bot_texts(slack_bot, bob) == ["You said: what did Alice say?"])
    # Bob's stop is his own (his answer may still be closing): Alice's answer goes on.
    await slack_bot.command("stop", user=BOB, channel=GENERAL)
    stalled.set()
    await slack_bot.answers()
    assert bot_texts(slack_bot, alice) == ["Alice's private answer."]
    first, second = emulator.response_requests()
    assert first["conversation"] != second["conversation"]
    assert "grades" not in json.dumps(second)


@pytest.mark.parametrize("transport", ["socket"])
async def test_a_socket_mode_connection_cut_mid_answer_loses_and_repeats_nothing(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    rest = asyncio.Event()
    emulator.script(
        Turn().text("Answered across a reconnect.", deltas=4).gate(rest, after_events=6)
    )
    first = await slack_bot.dm("first")
    await slack.until(lambda: any(m.shown.startswith("Ans") for m in slack_bot.thread(first)))
    # The connection drops without Slack's "disconnect" message.
    [connection] = [ws for ws in slack.connections if not ws.closed]
    await connection.close()
    rest.set()
    await slack.until(lambda: len(slack.calls_to("apps.connections.open")) == 2)
    await slack.socket_ready()
    # Slack delivers the first message again (its ack may not have arrived), then a new one.
    await slack_bot.event(first, retry=1)
    second = await slack_bot.dm("second")
    await slack_bot.answers()
    assert bot_texts(slack_bot, first) == ["Answered across a reconnect."]
    assert bot_texts(slack_bot, second) == ["You said: second"]
    assert len(emulator.response_requests()) == 2


@pytest.mark.parametrize("transport", ["http"])
async def test_a_stream_slack_would_not_stop_is_stopped_by_recovery(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.fail("chat.stopStream", times=3, status=500)  # every try of the closing call
    emulator.script(Turn().text("Complete, then closed."))
    event = await slack_bot.dm("hello")
    await slack_bot.answers()
    # The answer is whole, and it counts as answered; the stream is still open, and the
    # job's record says so.
    [message] = slack_bot.thread(event)
    assert (message.shown, message.streaming) == ("Complete, then closed.", True)
    [job] = await slack_bot.store.jobs()
    assert job.status == "answered" and job.reply_state["open"] == [message.ts]

    await slack_bot.engine.close_open_replies()  # what the recovery task runs every minute
    assert (message.shown, message.streaming) == ("Complete, then closed.", False)
    [job] = await slack_bot.store.jobs()
    assert job.reply_state["open"] == []
    assert await slack_bot.store.jobs_with_open_replies(["answered", "failed"]) == []
    await slack_bot.engine.close_open_replies()
    assert len(slack.calls_to("chat.stopStream")) == 4  # nothing left to close


@pytest.mark.parametrize("drop", [True, False], ids=["connection-dropped", "refused"])
@pytest.mark.parametrize("transport", ["socket"])
async def test_a_failing_assistant_status_still_yields_the_full_answer(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator, drop: bool
) -> None:
    # The status is optional: every try fails, and the answer does not notice.
    slack.fail("assistant.threads.setStatus", times=20, status=500, drop=drop)
    emulator.script(Turn().text("The whole answer, without a status.", deltas=3))
    event = await slack_bot.dm("a question")
    await slack_bot.answers()
    assert bot_texts(slack_bot, event) == ["The whole answer, without a status."]
    assert [j.status for j in await slack_bot.store.jobs()] == ["answered"]
    tried = slack.calls_to("assistant.threads.setStatus")
    assert tried and not any(c.ok for c in tried)
    assert slack.statuses == []


@pytest.mark.parametrize("where", ["upload URL", "files.completeUploadExternal"])
@pytest.mark.parametrize("transport", ["http"])
async def test_an_upload_that_fails_is_named_and_the_text_answer_still_arrives(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator, where: str
) -> None:
    if where == "upload URL":
        slack.fail(UPLOAD_URL, status=403, error="upload refused")
    else:
        slack.fail("files.completeUploadExternal", error="not_allowed_token_type")
    emulator.script(
        Turn()
        .code("plt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)])
        .text("Here is your chart: [chart.png](sandbox:/mnt/data/chart.png)", deltas=2)
    )
    event = await slack_bot.dm("plot it")
    await slack_bot.answers()
    [text] = bot_texts(slack_bot, event)
    assert "Here is your chart: **chart.png**" in text
    assert text.endswith("I couldn't upload chart.png.")
    assert not [m for m in slack_bot.thread(event) if m.files]
    assert [j.status for j in await slack_bot.store.jobs()] == ["answered"]


@pytest.mark.parametrize("transport", ["socket", "http"])
async def test_stopping_the_service_under_a_reply_call_lets_the_answer_finish(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    # Shutdown stops receiving first, then gives answers the engine's grace: a Slack call in
    # flight at that moment must still get its answer (closing the Web API session under it
    # failed the whole answer, though its text was complete).
    closing = slack.holds["chat.stopStream"] = asyncio.Event()
    emulator.script(Turn().text("Finished before the process goes."))
    event = await slack_bot.dm("one last question")
    await slack.wait_for(lambda calls: any(c.method == "chat.stopStream" for c in calls))
    await slack_bot.service.stop()
    closing.set()
    await slack_bot.engine.stop(grace=5)
    assert bot_texts(slack_bot, event) == ["Finished before the process goes."]
    [job] = await slack_bot.store.jobs()
    assert job.status == "answered"
