"""End to end on Slack (Socket Mode and HTTP) with a Chat Completions model server: the real
slack_bolt app and slack_sdk client against the Slack emulator, the real OpenAI client
against the emulator's ``/v1/chat/completions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, SlackBot
from tests.test_slack_commands import command_text

CHAT = {"model_api": "chat_completions"}
QUESTION = "Solve 3x + 11 = 14, showing every step" + " please" * 100  # ~190 tokens


def contents(request: dict[str, Any]) -> list[Any]:
    return [m.get("content") for m in request["messages"]]


async def test_a_thread_kept_by_the_bot_across_turns_functions_and_a_restart(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot(**CHAT)
    emulator.script(
        Turn().text("x = 1.", deltas=4),
        Turn().function_call("calculate", {"expression": "3*1+11"}, call_id="call_s1"),
        Turn().text("3·1 + 11 = 14, so x = 1 checks out."),
    )
    first = await bot.dm(QUESTION)
    await bot.answers()
    second = await bot.dm("Check it with the calculator")
    await bot.answers()
    assert bot.texts(first) == ["x = 1."]
    assert bot.texts(second) == ["3·1 + 11 = 14, so x = 1 checks out."]
    one, two, three = emulator.chat_requests()
    assert contents(one) == ["You are a math tutor.", QUESTION]
    assert contents(two) == [
        "You are a math tutor.",
        QUESTION,
        "x = 1.",
        "Check it with the calculator",
    ]
    assert three["messages"][-1]["role"] == "tool"
    assert three["messages"][-1]["tool_call_id"] == "call_s1"
    assert "14" in three["messages"][-1]["content"]
    await bot.stop()

    again: SlackBot = await make_slack_bot(chat_history_tokens=200, **CHAT)
    emulator.script(Turn().text("Still x = 1."))
    third = await again.dm("Remind me of the answer?")
    await again.answers()
    assert again.texts(third) == ["Still x = 1."]
    four = emulator.chat_requests()[3]
    # Survived the restart, trimmed to the small budget: the newest exchange only.
    assert four["messages"][0] == {"role": "system", "content": "You are a math tutor."}
    assert [m["role"] for m in four["messages"][1:]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert four["messages"][1]["content"] == "Check it with the calculator"
    assert slack.ack_errors == []


async def test_hosted_tools_are_refused_in_one_sentence(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot(**CHAT)
    slack.users[ALICE] = {"is_admin": True}
    reply = command_text(await bot.command("config tools on file_search"))
    assert reply.startswith("file_search cannot be turned on here")
    assert reply.count(".") <= 2
    shown = command_text(await bot.command("config show"))
    assert "backend: chat_completions" in shown
    emulator.script(Turn().text("Hi!"))
    event = await bot.dm("hello")
    await bot.answers()
    assert bot.texts(event) == ["Hi!"]
    [request] = emulator.chat_requests()
    assert all(t["type"] == "function" for t in request["tools"])
