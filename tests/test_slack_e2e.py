"""End to end on Slack: the real slack_bolt app (Socket Mode and HTTP) and slack_sdk client
against the Slack emulator, the real OpenAI client against the OpenAI emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import TEAM_ID, Tier, event_callback, message_event
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, GENERAL, SlackBot

ANSWER = "Subtract 11 from both sides, then divide by 3: **x = 1**."
PNG = b"\x89PNG\r\n\x1a\n fake chart bytes"


def shown(slack: SlackEmulator) -> list[str]:
    return [m.shown for ms in slack.messages.values() for m in ms if m.bot_id]


async def test_dm_answer_streams_into_a_thread(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    emulator.script(Turn().text(ANSWER, deltas=8).delta_interval(0.02))
    event = await slack_bot.dm("Solve 3x + 11 = 14")
    await slack_bot.answers()
    [reply] = slack_bot.thread(event)
    assert reply.shown == ANSWER and not reply.streaming
    growing = [text for text in dict.fromkeys(reply.history) if text]
    assert len(growing) >= 3 and all(ANSWER.startswith(text) for text in growing)
    methods = [c.method for c in slack.calls if c.method.startswith("chat.")]
    assert methods[0] == "chat.startStream" and methods[-1] == "chat.stopStream"
    assert set(methods[1:-1]) == {"chat.appendStream"}
    assert slack.calls_to("chat.startStream")[0].args["thread_ts"] == event["ts"]
    [request] = emulator.response_requests()
    assert request["input"] == [
        {"role": "user", "content": [{"type": "input_text", "text": "Solve 3x + 11 = 14"}]}
    ]
    assert slack.rate_limited == [] and slack.ack_errors == []
    [job] = await slack_bot.store.jobs()
    assert (job.status, job.workspace, job.user) == ("answered", TEAM_ID, ALICE)


async def test_mention_is_answered_once_in_the_thread_and_followups_there_too(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    emulator.script(Turn().text("2 + 2 = 4."), Turn().text("3 + 3 = 6."))
    message = await slack_bot.mention("what is 2 + 2?")  # app_mention and message, both
    await slack_bot.answers()
    assert slack_bot.texts(message) == ["2 + 2 = 4."]
    start = slack.calls_to("chat.startStream")[0].args
    assert (start["channel"], start["thread_ts"]) == (GENERAL, message["ts"])
    assert (start["recipient_team_id"], start["recipient_user_id"]) == (TEAM_ID, ALICE)
    [request] = emulator.response_requests()
    assert request["input"][0]["content"][0]["text"] == "what is 2 + 2?"

    # In the bot's thread no mention is needed; elsewhere in the channel the bot stays quiet.
    await slack_bot.event(
        message_event("and 3 + 3?", user=ALICE, channel=GENERAL, thread_ts=message["ts"])
    )
    await slack_bot.event(message_event("lunch anyone?", user="U0BOB", channel=GENERAL))
    await slack_bot.answers()
    assert slack_bot.texts(message) == ["2 + 2 = 4.", "3 + 3 = 6."]
    assert len(emulator.response_requests()) == 2
    assert len(slack.messages[GENERAL]) == 2


async def test_a_retried_delivery_is_answered_once(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    event = message_event("hello there", user=ALICE, channel=ALICE_DM)
    payload = event_callback(event)
    for retry in range(4):  # the first delivery and Slack's three retries
        await slack_bot.deliver(payload, retry=retry)
    await slack_bot.answers()
    assert slack_bot.texts(event) == ["You said: hello there"]
    assert len(emulator.response_requests()) == 1
    assert len(await slack_bot.store.jobs()) == 1
    assert slack.ack_errors == []


async def test_two_quick_messages_get_two_answers_in_order(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    release = asyncio.Event()
    emulator.script(
        Turn().text("first answer").gate(release, after_events=3), Turn().text("second answer")
    )
    first = await slack_bot.dm("question one")
    await emulator.response_started(0)
    second = await slack_bot.dm("question two")
    assert len(emulator.response_requests()) == 1  # one run per thread at a time
    release.set()
    await slack_bot.answers()
    assert slack_bot.texts(first) == ["first answer"]
    assert slack_bot.texts(second) == ["second answer"]
    [one, two] = emulator.response_requests()
    assert one["conversation"] == two["conversation"]
    chat = [c for c in slack.calls if c.method.startswith("chat.")]
    first_done = max(
        i
        for i, c in enumerate(chat)
        if c.args.get("thread_ts") == first["ts"]
        or c.args.get("ts") == slack_bot.thread(first)[0].ts
    )
    second_started = min(i for i, c in enumerate(chat) if c.args.get("thread_ts") == second["ts"])
    assert first_done < second_started


async def test_an_attached_csv_joins_the_users_thread(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    data = b"name,age,grade\nKim,15,A\nLee,16,B\n"
    file = slack.host_file("mydata.csv", data, "text/csv")
    emulator.script(Turn().text("Loaded 2 rows."), Turn().text("Kim is 15."))
    event = await slack_bot.dm("here is my data", files=[file])
    await slack_bot.answers()
    await slack_bot.dm("how old is Kim?")
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text.endswith("Loaded 2 rows.")
    [uploaded] = emulator.files.values()
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == (
        "mydata.csv",
        data,
        "user_data",
    )
    for request in emulator.response_requests():  # the file stays in the thread's container
        assert request["tools"][0]["container"]["file_ids"] == [uploaded.id]
    assert "mydata.csv" in emulator.response_requests()[0]["input"][0]["content"][0]["text"]
    [fetch] = slack.file_requests
    assert fetch.authorization == f"Bearer {slack.bot_token}"


async def test_a_generated_chart_is_uploaded_into_the_thread(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    emulator.script(
        Turn()
        .code("import matplotlib\nplt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)])
        .text("Here is the chart: [chart.png](sandbox:/mnt/data/chart.png)")
    )
    event = await slack_bot.dm("plot my grades")
    await slack_bot.answers()
    [upload] = slack.uploads.values()
    assert (upload.filename, upload.data, upload.authorization) == ("chart.png", PNG, None)
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == (ALICE_DM, event["ts"])
    [file_message] = [m for m in slack_bot.thread(event) if m.files]
    assert file_message.files[0]["name"] == "chart.png"
    [text] = slack_bot.texts(event)
    assert "```python\nimport matplotlib\nplt.savefig('/mnt/data/chart.png')\n```" in text
    assert text.endswith("Here is the chart: **chart.png** (attached)")
    assert "sandbox:" not in text


@pytest.mark.parametrize("transport", ["http"])
async def test_forged_or_stale_signatures_get_401_and_no_reply(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    url = slack_bot.service.http_url
    assert url is not None
    event = message_event("hello", user=ALICE, channel=ALICE_DM)
    forged = await slack.post_event(url, event_callback(event), secret="not-the-signing-secret")
    stale = await slack.post_event(url, event_callback(event), timestamp=int(time.time()) - 600)
    assert forged[0] == 401 and stale[0] == 401
    await slack_bot.answers()
    assert await slack_bot.store.jobs() == []
    assert [c for c in slack.calls if c.method.startswith("chat.")] == []
    assert emulator.response_requests() == []
    # The same event, correctly signed, is answered.
    assert (await slack.post_event(url, event_callback(event)))[0] == 200
    await slack_bot.answers()
    assert slack_bot.texts(event) == ["You said: hello"]


@pytest.mark.parametrize("native", [True, False], ids=["stream", "update"])
async def test_rate_limited_edits_still_end_with_the_complete_text(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    native: bool,
) -> None:
    bot: SlackBot = await make_slack_bot(slack_native_streaming=native)
    if native:
        slack.fail("chat.appendStream", status=429, times=2, retry_after=1)
    else:  # a tier far below what the bot assumes: Slack's own limiter answers 429
        slack.limiter.tiers["chat.update"] = Tier(3, 1.0)
    text = " ".join(f"word{n}" for n in range(60))
    emulator.script(Turn().text(text, deltas=30).delta_interval(0.01))
    event = await bot.dm("write sixty words")
    await bot.answers()
    assert bot.texts(event) == [text]
    assert slack.rate_limited, "the emulator should have answered 429"
    edit = "chat.appendStream" if native else "chat.update"
    assert all(c.method == edit for c in slack.rate_limited)
    assert [j.status for j in await bot.store.jobs()] == ["answered"]


async def test_a_file_on_a_foreign_host_is_refused_and_gets_no_token(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    foreign = slack.host_file("payroll.csv", b"name,salary\n", foreign=True)
    bounced = slack.host_redirect("bounce.csv", slack.foreign_url + "collect/bounce.csv")
    emulator.script(Turn().text("I read your message."))
    event = await slack_bot.dm("summarise these", files=[foreign, bounced])
    await slack_bot.answers()
    # Nothing was fetched from the foreign link, nor from where the redirect pointed.
    assert slack.foreign_requests == []
    [text] = slack_bot.texts(event)
    assert "payroll.csv" in text and "this Slack workspace's files" in text
    host = urlsplit(slack.foreign_url).hostname
    assert f"I didn't open bounce.csv: its download was sent on to another site ({host})" in text
    assert emulator.files == {}
    assert text.endswith("I read your message.")
    [request] = emulator.response_requests()
    assert request["input"][0]["content"][0]["text"].startswith("summarise these")
    assert slack.bot_token not in repr(slack.foreign_requests)
