"""Slack's Agent messaging experience end to end: opening the DM (greeting and prompts),
what the person looks at (``app_context_changed``), "summarise this channel" read through
``conversations.history`` with links, refusals, thread titles, and the assistant_view path."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from bot.viewing import FUNCTION_NAME
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import (
    BOT_USER_ID,
    app_context_changed,
    app_home_opened,
    channel_entity,
    message_entity,
    new_ts,
)
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, GENERAL, SlackBot

RANDOM, SECRET = "C0RANDOM", "G0SECRET"


def function_output(emulator: OpenAIEmulator, index: int = 1) -> dict[str, Any]:
    [output] = [
        i
        for i in emulator.response_requests()[index]["input"]
        if i.get("type") == "function_call_output"
    ]
    result: dict[str, Any] = json.loads(output["output"])
    return result


def utc(ts: str) -> str:
    return dt.datetime.fromtimestamp(float(ts), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def greetings(slack: SlackEmulator, dm: str) -> list[str]:
    return [m.shown for m in slack.messages.get(dm, []) if m.bot_id and not m.thread_ts]


async def test_opening_the_dm_greets_once_and_suggests_prompts(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    await slack_bot.event(app_home_opened(ALICE, ALICE_DM))
    await slack.until(lambda: len(slack.suggested) == 1)
    [greeting] = greetings(slack, ALICE_DM)
    assert greeting.startswith("Hi! I'm your AI assistant.") and "/assistant reset" in greeting
    [prompts] = slack.suggested
    # Agent messaging: the prompts belong to the DM; naming a thread would make Slack drop them.
    assert prompts["channel_id"] == ALICE_DM and "thread_ts" not in prompts
    assert slack.dropped_prompts == []
    assert [p["title"] for p in prompts["prompts"]] == [
        "Explain something",
        "Analyse a file",
        "Search the documents",
        "Solve a problem",
    ]
    # Opened again while looking at a channel: new prompts, no second greeting.
    opened = app_home_opened(ALICE, ALICE_DM)
    opened["context"] = {"entities": [channel_entity(GENERAL)]}
    await slack_bot.event(opened)
    await slack.until(lambda: len(slack.suggested) == 2)
    assert slack.suggested[1]["prompts"][0]["title"] == "Summarise this channel"
    assert len(slack.suggested[1]["prompts"]) == 4
    assert len(greetings(slack, ALICE_DM)) == 1
    # The Home tab is not the conversation.
    await slack_bot.event(app_home_opened(BOB, BOB_DM, tab="home"))
    assert await slack_bot.store.claim_greeting("slack", slack.team_id, BOB)


@pytest.mark.parametrize("transport", ["socket"])
async def test_the_greeting_and_prompts_speak_the_persons_language(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    slack.users[BOB] = {"locale": "ko-KR"}
    await slack_bot.event(app_home_opened(BOB, BOB_DM))
    await slack.until(lambda: len(slack.suggested) == 1)
    [greeting] = greetings(slack, BOB_DM)
    assert greeting.startswith("안녕하세요!")
    assert slack.suggested[0]["title"] == "이렇게 물어보세요"
    assert slack.suggested[0]["prompts"][0]["title"] == "설명해 주세요"


@pytest.mark.parametrize("transport", ["socket"])
async def test_admins_write_the_workspaces_prompts_with_history(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    reply = await slack_bot.command(
        "config prompts Weekly plan | Plan my week from my calendar; Release notes"
    )
    assert "Weekly plan" in str(reply)
    await slack_bot.event(app_home_opened(ALICE, ALICE_DM))
    await slack.until(lambda: len(slack.suggested) == 1)
    assert slack.suggested[0]["prompts"] == [
        {"title": "Weekly plan", "message": "Plan my week from my calendar"},
        {"title": "Release notes", "message": "Release notes"},
    ]
    history = str(await slack_bot.command("config history"))
    assert "prompts" in history
    too_many = "; ".join(f"p{n}" for n in range(5))
    assert "at most 4" in str(await slack_bot.command(f"config prompts {too_many}"))


async def test_summarise_this_channel_reads_its_history_and_answers_with_links(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.add_channel(GENERAL, "general", {ALICE, BOB, BOT_USER_ID})
    slack.users[BOB] = {"profile": {"display_name": "bob", "real_name": "Bob Kim"}}
    first = slack.say(GENERAL, BOB, "The release moves to Friday.")
    second = slack.say(GENERAL, ALICE, "I'll write the <https://example.com/notes|notes>.")
    await slack_bot.event(app_home_opened(ALICE, ALICE_DM))
    await slack_bot.event(app_context_changed(ALICE, ALICE_DM, [channel_entity(GENERAL)]))
    await slack.until(
        lambda: any(p["prompts"][0]["title"] == "Summarise this channel" for p in slack.suggested)
    )
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 30}, call_id="c1"),
        Turn().text("The release moves to Friday, and Alice writes the notes."),
    )
    asked = await slack_bot.dm("Summarise this channel")
    await slack_bot.answers()
    [history] = slack.calls_to("conversations.history")
    assert history.args["channel"] == GENERAL
    result = function_output(emulator)
    assert result["channel"] == "#general"
    link = f"https://emulated.slack.com/archives/{GENERAL}/p"
    assert result["messages"] == [
        {
            "author": "bob",  # users.info: the display name
            "time": utc(first.ts),
            "text": "The release moves to Friday.",
            "link": link + first.ts.replace(".", ""),
        },
        {
            "author": "u0alice",  # no display or real name: the handle
            "time": utc(second.ts),
            "text": "I'll write the notes (https://example.com/notes).",
            "link": link + second.ts.replace(".", ""),
        },
    ]
    assert slack_bot.texts(asked) == ["The release moves to Friday, and Alice writes the notes."]
    # Agent messaging: the question started its own thread, titled from it, with a status.
    assert (ALICE_DM, asked["ts"], "Summarise this channel") in slack.titles
    statuses = [s for c, t, s in slack.statuses if (c, t) == (ALICE_DM, asked["ts"])]
    assert statuses[0] == "Thinking…" and statuses[-1] == ""
    first_status = slack.calls_to("assistant.threads.setStatus")[0].args
    assert first_status["loading_messages"] == ["Thinking…"]


@pytest.mark.parametrize("transport", ["socket"])
async def test_this_thread_reads_the_replies_of_the_message_looked_at(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.add_channel(GENERAL, "general", {ALICE, BOB, BOT_USER_ID})
    root = slack.say(GENERAL, BOB, "Incident: the API is down")
    slack.say(GENERAL, ALICE, "Rolled back, it's up again", thread_ts=root.ts)
    slack.say(GENERAL, BOB, "unrelated chatter")
    await slack_bot.event(app_context_changed(ALICE, ALICE_DM, [message_entity(GENERAL, root.ts)]))
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "thread", "limit": 50}),
        Turn().text("The API went down and was rolled back."),
    )
    await slack_bot.dm("what happened in this thread?")
    await slack_bot.answers()
    [replies] = slack.calls_to("conversations.replies")
    assert replies.args["ts"] == root.ts
    texts = [m["text"] for m in function_output(emulator)["messages"]]
    assert texts == ["Incident: the API is down", "Rolled back, it's up again"]
    reply_link = function_output(emulator)["messages"][1]["link"]
    assert reply_link.endswith(f"?thread_ts={root.ts}&cid={GENERAL}")


@pytest.mark.parametrize("transport", ["socket"])
@pytest.mark.parametrize(
    ("channel", "members", "private", "refusal"),
    [
        (RANDOM, {ALICE}, False, "I'm not a member of #random, so I can't read it."),
        (SECRET, {BOT_USER_ID, BOB}, True, "I can't read #secret for you"),
        (SECRET, {BOB}, True, "I'm not a member of <#G0SECRET>, so I can't read it."),
    ],
    ids=["bot-not-in-public", "person-not-in-private", "bot-not-in-private"],
)
async def test_a_channel_that_may_not_be_read_is_refused_politely(
    slack_bot: SlackBot,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    channel: str,
    members: set[str],
    private: bool,
    refusal: str,
) -> None:
    slack.add_channel(channel, channel[2:].lower(), members, private=private)
    slack.say(channel, BOB, "secret plans")
    await slack_bot.event(app_context_changed(ALICE, ALICE_DM, [channel_entity(channel)]))
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 30}),
        Turn().text("I can't read that channel."),
    )
    await slack_bot.dm("summarise this channel")
    await slack_bot.answers()
    output = function_output(emulator)
    assert list(output) == ["refused"] and output["refused"].startswith(refusal)
    assert "secret plans" not in json.dumps(emulator.response_requests())
    assert not slack.calls_to("conversations.history")


@pytest.mark.parametrize("transport", ["socket"])
async def test_without_a_context_the_person_is_told_how_to_give_one(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.add_channel(GENERAL, "general", {ALICE, BOT_USER_ID})
    await slack_bot.event(app_context_changed(ALICE, ALICE_DM, [channel_entity(GENERAL)]))
    await slack_bot.event(app_context_changed(ALICE, ALICE_DM, []))  # now looking at nothing
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 30}),
        Turn().text("Open the channel first."),
    )
    await slack_bot.dm("summarise this channel")
    await slack_bot.answers()
    assert function_output(emulator)["refused"].startswith("I don't know which channel")
    assert not slack.calls_to("conversations.info")


@pytest.mark.parametrize("transport", ["socket"])
async def test_a_mention_in_a_channel_makes_this_channel_that_channel(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.add_channel(GENERAL, "general", {ALICE, BOT_USER_ID})
    slack.say(GENERAL, ALICE, "lunch at noon?")
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 10}),
        Turn().text("People are planning lunch."),
    )
    await slack_bot.mention("summarise this channel")
    await slack_bot.answers()
    assert [m["text"] for m in function_output(emulator)["messages"]] == ["lunch at noon?"]


async def test_assistant_view_threads_keep_prompts_context_and_titles(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    """The older experience (slack-manifest.assistant-view.json): the same features through
    assistant_thread_started and assistant_thread_context_changed."""
    slack.experience = "assistant"
    slack.add_channel(GENERAL, "general", {ALICE, BOT_USER_ID})
    slack.say(GENERAL, ALICE, "standup moved to 10:00")
    root = new_ts()
    thread = {"user_id": ALICE, "channel_id": ALICE_DM, "thread_ts": root, "context": {}}
    await slack_bot.event(
        {"type": "assistant_thread_started", "assistant_thread": thread, "event_ts": new_ts()}
    )
    await slack.until(lambda: len(slack.suggested) == 1)
    assert slack.suggested[0]["prompts"][0]["title"] == "Explain something"
    changed = {**thread, "context": {"channel_id": GENERAL, "team_id": slack.team_id}}
    await slack_bot.event(
        {
            "type": "assistant_thread_context_changed",
            "assistant_thread": changed,
            "event_ts": new_ts(),
        }
    )
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 10}),
        Turn().text("Standup is at 10:00 now."),
        Turn().text("You're welcome."),
    )
    await slack_bot.dm("What's new in this channel?", thread_ts=root)
    await slack_bot.answers()
    assert [m["text"] for m in function_output(emulator)["messages"]] == ["standup moved to 10:00"]
    await slack_bot.dm("thanks", thread_ts=root)
    await slack_bot.answers()
    assert slack.titles == [(ALICE_DM, root, "What's new in this channel?")]
    assert all(t == root for c, t, s in slack.statuses)


@pytest.mark.parametrize("transport", ["socket"])
async def test_greeting_and_context_survive_a_restart(
    make_slack_bot: Any, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.add_channel(GENERAL, "general", {ALICE, BOT_USER_ID})
    slack.say(GENERAL, ALICE, "deploy at five")
    first: SlackBot = await make_slack_bot()
    slack.fail("chat.postMessage")  # the first greeting cannot be shown: greet at the next open
    await first.event(app_home_opened(ALICE, ALICE_DM))
    await slack.until(lambda: len(slack.suggested) == 1)
    assert greetings(slack, ALICE_DM) == []
    await first.event(app_home_opened(ALICE, ALICE_DM))
    await slack.until(lambda: len(greetings(slack, ALICE_DM)) == 1)
    await first.event(app_context_changed(ALICE, ALICE_DM, [channel_entity(GENERAL)]))
    await slack.until(lambda: len(slack.suggested) == 2)
    await first.stop()

    second: SlackBot = await make_slack_bot()
    await second.event(app_home_opened(ALICE, ALICE_DM))
    # A new process sets the prompts again (they are per process) but does not greet again.
    await slack.until(lambda: len(slack.suggested) == 3)
    assert len(greetings(slack, ALICE_DM)) == 1
    assert slack.suggested[2]["prompts"][0]["title"] == "Summarise this channel"
    emulator.script(
        Turn().function_call(FUNCTION_NAME, {"scope": "channel", "limit": 30}),
        Turn().text("A deploy at five."),
    )
    await second.dm("summarise this channel")
    await second.answers()
    assert [m["text"] for m in function_output(emulator)["messages"]] == ["deploy at five"]


@pytest.mark.parametrize("transport", ["socket"])
async def test_each_dm_thread_continues_the_persons_conversation_until_reset(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    one = await slack_bot.dm("remember 42")
    await slack_bot.answers()
    two = await slack_bot.dm("what number?")  # a new top-level message: a thread of its own
    await slack_bot.answers()
    await slack_bot.command("reset")
    three = await slack_bot.dm("and now?")
    await slack_bot.answers()
    conversations = [r["conversation"] for r in emulator.response_requests()]
    assert conversations[0] == conversations[1] != conversations[2]
    for event in (one, two, three):
        assert len(slack_bot.texts(event)) == 1  # each answered in its own thread
    assert [title for _, _, title in slack.titles] == ["remember 42", "what number?", "and now?"]
