"""``/assistant`` slash commands end to end: synced at start, ``reset``, ``help``, and
``ask`` answered as a deferred interaction whose follow-up grows by edits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator_payloads import EPHEMERAL, LOADING
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]


async def test_commands_are_synced_at_start(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator
) -> None:
    assistant = discord_emu.commands["assistant"]
    subcommands = {o["name"]: o for o in assistant["options"]}
    assert set(subcommands) == {
        "ask",
        "help",
        "reset",
        "retry",
        "status",
        "stop",
        "usage",
        "quota",
        "export",
        "forget",
    }
    assert all(o["type"] == 1 for o in subcommands.values())
    [question] = subcommands["ask"]["options"]
    assert (question["name"], question["type"], question["required"]) == ("question", 3, True)
    [sync] = discord_emu.calls_of("sync")
    assert sync.method == "PUT" and sync.status == 200


async def test_reset_starts_a_new_conversation_for_the_next_message(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    first = await discord_emu.user_says(
        classroom.alice, classroom.general, "remember 42", mention=True
    )
    await discord_bot.answer(first)
    reset = await discord_emu.slash(classroom.alice, classroom.general, "assistant", "reset")
    await discord_emu.wait_for(lambda: reset.callback)
    assert reset.callback is not None and reset.callback["type"] == 4
    assert reset.callback["data"]["flags"] & EPHEMERAL
    assert "new conversation" in reset.callback["data"]["content"]
    second = await discord_emu.user_says(
        classroom.alice, classroom.general, "what number?", mention=True
    )
    await discord_bot.answer(second)
    before, after = emulator.response_requests()
    assert before["conversation"] != after["conversation"]


async def test_help_is_shown_only_to_the_person_asking(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    helped = await discord_emu.slash(classroom.bob, classroom.general, "assistant", "help")
    await discord_emu.wait_for(lambda: helped.callback)
    assert helped.callback is not None
    data = helped.callback["data"]
    assert data["flags"] & EPHEMERAL and "/assistant reset" in data["content"]
    assert await discord_bot.store.jobs() == []


async def test_help_follows_the_persons_discord_language(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    from bot.locales.ko import MESSAGES

    helped = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "help", locale="ko"
    )
    await discord_emu.wait_for(lambda: helped.callback)
    assert helped.callback is not None
    expected = MESSAGES["help"].format(p="/assistant ")
    assert helped.callback["data"]["content"] == expected


async def test_ask_is_deferred_then_streamed_into_the_follow_up(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    answer = "Mitochondria are the powerhouse of the cell: they make ATP."
    emulator.script(Turn().text(answer, deltas=6).delta_interval(0.05))
    asked = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "ask", question="What do mitochondria do?"
    )
    await discord_emu.wait_for(lambda: asked.followed_up)
    await discord_bot.engine.wait_idle()
    assert asked.callback is not None and asked.callback["type"] == 5
    # The first page replaces "thinking…" by editing @original (the same message if posted
    # again after a crash), and it grows by further edits.
    kinds = [c.kind for c in discord_emu.calls if c.kind in ("callback", "followup_edit")]
    assert kinds[0] == "callback" and "followup_edit" in kinds
    assert discord_emu.calls_of("followup_edit")[0].params["message"] == "@original"
    assert not discord_emu.calls_of("followup")
    original = discord_emu.messages[asked.original_id or 0]
    assert original["content"] == answer and not original["flags"] & LOADING
    shown = discord_emu.contents(asked.original_id or 0)
    assert shown[0] == "" and shown[-1] == answer
    assert len(shown) >= 4, f"the follow-up was not edited while streaming: {shown}"
    assert all(answer.startswith(text) for text in shown)
    assert discord_emu.calls_of("followup_edit")
    [request] = emulator.response_requests()
    assert request["input"][0]["content"][0]["text"] == "What do mitochondria do?"
    [job] = await discord_bot.store.jobs()
    assert job.event_id == str(asked.id) and job.user == str(classroom.bob.id)
    assert job.status == "answered"


async def test_long_ask_continues_in_further_follow_ups(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    answer = " ".join(f"Sentence {i} of a long explanation." for i in range(80))
    emulator.script(Turn().text(answer, deltas=5))
    asked = await discord_emu.slash(
        classroom.alice, classroom.general, "assistant", "ask", question="explain at length"
    )
    await discord_emu.wait_for(lambda: asked.followed_up)
    await discord_bot.engine.wait_idle()
    pages = [discord_emu.messages[m]["content"] for m in asked.message_ids]
    assert len(pages) == 2 and all(len(page) <= 2000 for page in pages)
    assert " ".join(page.strip() for page in pages) == answer


async def test_commands_in_a_server_the_bot_does_not_serve_are_declined(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    bot: DiscordBot = await make_discord_bot(discord_guild_ids="1234567890")
    asked = await discord_emu.slash(
        classroom.alice, classroom.general, "assistant", "ask", question="hello?"
    )
    await discord_emu.wait_for(lambda: asked.callback)
    assert asked.callback is not None
    assert asked.callback["type"] == 4 and asked.callback["data"]["flags"] & EPHEMERAL
    assert await bot.store.jobs() == []


async def test_retry_answers_a_failed_question_in_the_same_reply(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(
        Turn().text("Half an ans").error_event("server_error", "boom"),
        Turn().text("The whole answer."),
    )
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "explain", mention=True)
    [failed] = await discord_bot.answer(asked)
    assert "⚠️" in failed and "boom" not in failed
    retried = await discord_emu.slash(classroom.alice, classroom.general, "assistant", "retry")
    await discord_emu.wait_for(lambda: retried.callback)
    assert retried.callback is not None
    assert retried.callback["data"]["content"] == "Trying your last question again…"
    await discord_emu.wait_for(lambda: discord_emu.pages(asked) == ["The whole answer."])
    await discord_bot.engine.wait_idle()
    assert len(discord_emu.replies_to(asked)) == 1  # the same reply, edited
    assert [j.status for j in await discord_bot.store.jobs()] == ["answered"]


async def test_stop_ends_the_answer_in_progress_and_says_so(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    release = asyncio.Event()
    emulator.script(Turn().text("A very long essay begins", deltas=4).gate(release, after_events=6))
    asked = await discord_emu.user_says(classroom.bob, classroom.general, "essay", mention=True)
    await discord_emu.wait_for(lambda: discord_emu.pages(asked))
    stopped = await discord_emu.slash(classroom.bob, classroom.general, "assistant", "stop")
    await discord_emu.wait_for(lambda: stopped.callback)
    assert stopped.callback is not None
    assert stopped.callback["data"]["content"] == "Stopping your answer in progress."
    await discord_emu.wait_for(
        lambda: any("The answer was stopped." in p for p in discord_emu.pages(asked))
    )
    release.set()
    await discord_bot.engine.wait_idle()
