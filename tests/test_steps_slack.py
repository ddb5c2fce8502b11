"""An answer's steps on Slack, end to end: task cards (``task_update`` chunks) on a native
stream, a context block above the answer where the message is posted and updated instead."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from tests.chat_commands import command_text
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_hosted import WebSearch
from tests.openai_emulator_mcp import McpCall
from tests.openai_emulator_steps import FailedCode, Reasoning
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import JSON, Message, Tier
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, TEST_LIMITS, SlackBot
from tests.steps_script import ANSWER, PEP, PY, WITH_SUMMARIES, WITH_WEB_SEARCH, code_and_web


@pytest.fixture
async def slack_bot(make_slack_bot: Callable[..., Any]) -> SlackBot:
    """The bot with web search on and reasoning summaries asked for, as the step scripts
    search the web and reason."""
    started: SlackBot = await make_slack_bot(**WITH_SUMMARIES)
    return started


def reply_of(slack: SlackEmulator) -> Message:
    [reply] = [m for ms in slack.messages.values() for m in ms if m.bot_id]
    return reply


def task_statuses(message: Message, title: str) -> list[str]:
    statuses = [
        c["status"]
        for c in message.chunks
        if c["type"] == "task_update" and c["title"].startswith(title)
    ]
    return list(dict.fromkeys(statuses))


async def until(slack: SlackEmulator, ready: Callable[[], Any]) -> None:
    await slack.until(lambda: bool(ready()))


async def test_native_stream_shows_code_and_web_steps_as_task_cards(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    code_running, searching = asyncio.Event(), asyncio.Event()
    emulator.script(code_and_web(code_running, searching))
    event = await slack_bot.dm("What is 2 + 2, and when did Python 3.14 come out?")
    await until(slack, lambda: slack.messages and task_statuses(reply_of(slack), "Run Python code"))
    reply = reply_of(slack)
    assert task_statuses(reply, "Run Python code") == ["in_progress"]
    code_running.set()
    web = "Search the web"
    await until(slack, lambda: task_statuses(reply, web))
    assert task_statuses(reply, web) == ["in_progress"]
    assert task_statuses(reply, "Run Python code") == ["in_progress", "complete"]
    searching.set()
    await slack_bot.answers()

    [reply] = slack_bot.thread(event)
    assert not reply.streaming
    assert slack.calls_to("chat.startStream")[0].args["task_display_mode"] == "timeline"
    assert task_statuses(reply, web) == ["in_progress", "complete"]
    [code] = [c for c in reply.tasks.values() if c["title"] == "Run Python code"]
    assert code["output"] == "4"  # what the code printed
    [card] = [c for c in reply.tasks.values() if c["title"].startswith(web)]
    assert card["title"] == "Search the web: python 3.14 release date"
    assert card["sources"] == [
        {"type": "url", "url": PY, "text": "www.python.org"},
        {"type": "url", "url": PEP, "text": "PEP 745 – Python 3.14 Release Schedule"},
    ]
    assert ANSWER in reply.shown and "```python\nprint(2 + 2)\n```" in reply.shown
    # The cards went with the stream's own calls: one stream, stopped once, never replaced.
    assert len(slack.calls_to("chat.startStream")) == len(slack.calls_to("chat.stopStream")) == 1
    assert slack.calls_to("chat.update") == []


async def test_without_native_streaming_a_context_block_shows_the_steps(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot(
        slack_native_streaming=False, assistant_tools=WITH_WEB_SEARCH
    )
    code_running, searching = asyncio.Event(), asyncio.Event()
    emulator.script(code_and_web(code_running, searching))
    event = await bot.dm("What is 2 + 2, and when did Python 3.14 come out?")

    def context() -> str:
        if not slack.messages:
            return ""
        blocks = reply_of(slack).blocks or []
        return next((b["elements"][0]["text"] for b in blocks if b["type"] == "context"), "")

    await until(slack, lambda: "⏳ Run Python code" in context())
    code_running.set()
    await until(slack, lambda: "⏳ Search the web" in context())
    assert "✅ Run Python code" in context()
    searching.set()
    await bot.answers()

    [reply] = bot.thread(event)
    assert slack.calls_to("chat.startStream") == []
    assert reply.blocks is not None
    context_block, markdown, rating = reply.blocks  # the answer's thumbs up/down last
    assert rating["type"] == "context_actions"
    assert context_block["elements"][0]["text"] == (
        "✅ Run Python code · ✅ Search the web: python 3.14 release date: "
        f"<{PY}|www.python.org>, <{PEP}|PEP 745 – Python 3.14 Release Schedule>"
    )
    assert markdown["type"] == "markdown" and ANSWER in markdown["text"]
    assert ANSWER in reply.shown


async def test_a_failed_tool_call_shows_as_an_error(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}  # an admin adds the docs server the model calls
    added = command_text(
        await slack_bot.command("mcp add docs https://docs.example/mcp approval=never")
    )
    assert added.startswith("MCP server docs added"), added
    failure = {"type": "http_error", "code": 502, "message": "Bad Gateway"}
    emulator.script(
        Turn()
        .code("print(2 + 2)")
        .item(FailedCode("import missing_module"))
        .item(McpCall("docs", "search", {"q": "x"}, output="3 pages found"))
        .item(McpCall("docs", "lookup", {"q": "x"}, error=failure))
        .text("The second run failed, and the docs server did not answer.")
    )
    event = await slack_bot.dm("Try it")
    await slack_bot.answers()
    [reply] = slack_bot.thread(event)
    assert [(c["title"], c["status"]) for c in reply.tasks.values()] == [
        ("Run Python code", "complete"),
        ("Run Python code", "error"),
        ("Use search", "complete"),
        ("Use lookup", "error"),
    ]
    [search] = [c for c in reply.tasks.values() if c["title"] == "Use search"]
    assert search["output"] == "3 pages found"


async def test_a_reasoning_summary_is_a_card_never_the_answer(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    summary = "**Checking the arithmetic**\n\nAdding two and two gives four."
    emulator.script(Turn().item(Reasoning([summary])).text("It is 4."))
    event = await slack_bot.dm("2 + 2?")
    await slack_bot.answers()
    [reply] = slack_bot.thread(event)
    assert reply.shown == "It is 4."
    assert all("arithmetic" not in text and "Adding" not in text for text in reply.history)
    [card] = reply.tasks.values()
    assert card["title"] == "Checking the arithmetic" and card["status"] == "complete"
    assert card["details"] == "Adding two and two gives four."
    [request] = [r.json for r in emulator.requests if r.path == "/v1/responses"]
    assert request["reasoning"] == {"summary": "auto"}


async def test_without_summaries_asked_for_reasoning_shows_no_step(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot()  # ASSISTANT_REASONING_SUMMARY=off, the default
    emulator.script(Turn().item(Reasoning(["**Checking**\n\nTwo and two."])).text("It is 4."))
    event = await bot.dm("2 + 2?")
    await bot.answers()
    [reply] = bot.thread(event)
    assert reply.shown == "It is 4."
    assert reply.tasks == {}
    [request] = [r.json for r in emulator.requests if r.path == "/v1/responses"]
    assert "reasoning" not in request


async def test_the_emulator_refuses_malformed_chunks(slack: SlackEmulator) -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    started = await client.chat_startStream(channel="D0ALICE", thread_ts="1.000001")
    bad: list[JSON] = [
        {"type": "task_update", "id": "t1", "title": "x", "status": "done"},
        {"type": "task_update", "id": "t1", "status": "complete"},
        {"type": "task_update", "id": "t1", "title": "x", "status": "complete", "sources": [{}]},
        {"type": "plan_update"},
        {"type": "paragraph", "text": "x"},
    ]
    for chunk in bad:
        try:
            await client.chat_appendStream(channel="D0ALICE", ts=started["ts"], chunks=[chunk])
        except SlackApiError as exc:
            assert exc.response["error"] == "invalid_arguments"
            assert exc.response["response_metadata"]["messages"][0].startswith("[ERROR] chunks[0]")
        else:
            raise AssertionError(f"accepted {chunk}")
    good = {"type": "task_update", "id": "t1", "title": "x", "status": "pending"}
    await client.chat_appendStream(channel="D0ALICE", ts=started["ts"], chunks=[good])
    [message] = slack.messages["D0ALICE"]
    assert message.tasks == {"t1": good}


async def test_a_final_rerouted_as_a_new_message_keeps_its_steps(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    # No chat.update left this minute: the final text replaces the placeholder by a new
    # message (chat.postMessage), which carries the steps in its context block.
    limits = dataclasses.replace(TEST_LIMITS, calls_per_window=1, window=60.0, final_patience=0.2)
    slack.limiter.tiers["chat.update"] = Tier(1, 60.0)
    bot: SlackBot = await make_slack_bot(
        limits=limits, slack_native_streaming=False, assistant_tools=WITH_WEB_SEARCH
    )
    emulator.script(Turn().text("Warm-up."), Turn().item(WebSearch("q", [PY])).text(ANSWER))
    await bot.dm("warm up")  # spends the minute's chat.update
    await bot.answers()
    event = await bot.dm("when?")
    async with asyncio.timeout(10):
        await bot.answers()
    [message] = bot.thread(event)
    assert message.shown.startswith(ANSWER) and message.blocks is not None
    assert message.blocks[0]["elements"][0]["text"] == (
        f"✅ Search the web: q: <{PY}|www.python.org>"
    )
    assert len(slack.calls_to("chat.update")) == 1
