"""End to end on Discord with a Chat Completions model server: the real discord.py client
against the Discord emulator, the real OpenAI client against ``/v1/chat/completions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.test_discord_admin import say

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

CHAT = {"model_api": "chat_completions"}
QUESTION = "Solve 3x + 11 = 14, showing every step" + " please" * 100  # ~190 tokens


async def test_a_thread_kept_by_the_bot_across_turns_functions_and_a_restart(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot(**CHAT)
    emulator.script(
        Turn().text("x = 1.", deltas=4),
        Turn().function_call("calculate", {"expression": "3*1+11"}, call_id="call_d1"),
        Turn().text("3·1 + 11 = 14, so x = 1 checks out."),
    )
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, QUESTION)
    assert await bot.answer(asked) == ["x = 1."]
    asked = await discord_emu.user_says(
        classroom.alice, classroom.ask_ai, "Check it with the calculator"
    )
    assert await bot.answer(asked) == ["3·1 + 11 = 14, so x = 1 checks out."]
    one, two, three = emulator.chat_requests()
    assert [m["content"] for m in one["messages"]] == ["You are a math tutor.", QUESTION]
    assert [m["content"] for m in two["messages"]] == [
        "You are a math tutor.",
        QUESTION,
        "x = 1.",
        "Check it with the calculator",
    ]
    assert three["messages"][-1]["tool_call_id"] == "call_d1"
    await bot.stop()

    again: DiscordBot = await make_discord_bot(chat_history_tokens=200, **CHAT)
    emulator.script(Turn().text("Still x = 1."))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "Remind me?")
    assert await again.answer(asked) == ["Still x = 1."]
    four = emulator.chat_requests()[3]
    assert four["messages"][0] == {"role": "system", "content": "You are a math tutor."}
    assert [m["role"] for m in four["messages"][1:]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert four["messages"][1]["content"] == "Check it with the calculator"
    # Another person has a thread of their own.
    emulator.script(Turn().text("Hi Bob."))
    asked = await discord_emu.user_says(classroom.bob, classroom.ask_ai, "hello")
    assert await again.answer(asked) == ["Hi Bob."]
    assert len(emulator.chat_requests()[4]["messages"]) == 2


async def test_hosted_tools_are_refused_in_one_sentence(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    await make_discord_bot()
    teacher, ask_ai = classroom.teacher, classroom.ask_ai
    switched = await say(discord_emu, "config api", teacher, ask_ai, api="chat_completions")
    assert "now uses the chat_completions API" in switched
    refused = await say(
        discord_emu, "config tools", teacher, ask_ai, state="on", tool="code_interpreter"
    )
    assert refused.startswith("code_interpreter cannot be turned on here")
    shown = await say(discord_emu, "config show", teacher, ask_ai)
    assert "backend: chat_completions" in shown and "(server setting)" in shown
    emulator.script(Turn().text("Local answer."))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "hi")
    assert await discord_emu.wait_for(lambda: discord_emu.replies_to(asked))
    await discord_emu.wait_for(lambda: "Local answer." in discord_emu.pages(asked))
    assert len(emulator.chat_requests()) == 1 and not emulator.response_requests()


async def test_a_long_answer_grows_by_edits_and_continues_past_the_limit(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot(**CHAT)
    text = " ".join(f"Step {i}: we look at the data and note what changes." for i in range(80))
    assert 4000 < len(text) < 6000
    emulator.script(Turn().text(text, deltas=24).delta_interval(0.02))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "explain slowly")
    pages = await bot.answer(asked)
    assert len(pages) == 3 and all(len(page) <= 2000 for page in pages)
    assert " ".join(page.strip() for page in pages) == text
    first = discord_emu.contents(int(discord_emu.replies_to(asked)[0]["id"]))
    assert len(first) >= 3, f"the first page was not edited while streaming: {first}"
    # The whole answer is what the thread keeps.
    emulator.script(Turn().text("ok"))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "thanks")
    await bot.answer(asked)
    assert emulator.chat_requests()[1]["messages"][2] == {"role": "assistant", "content": text}
