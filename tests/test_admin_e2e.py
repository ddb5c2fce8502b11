"""Admin and classroom controls end to end through the console adapter and the engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from adapters.console import parse_line
from bot.commands import ADMIN, handle_command, submit_modal
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

CLASS = {"workspace": "school", "channel": "algebra-1"}


async def test_channel_instructions_apply_there_only_and_roll_back(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    message = replace(parse_line("config channel instructions", user="teacher"), **CLASS)
    opened = await handle_command(
        bot.commands, message, "config channel instructions", is_admin=True
    )
    assert opened.modal is not None and opened.modal.value == "You are a math tutor."
    saved = await submit_modal(
        bot.commands,
        message,
        opened.modal.id,
        "You are a patient algebra tutor. Answer in steps.",
        is_admin=True,
    )
    assert saved.text.startswith("Saved: instructions for this channel")

    await bot.say("What is 2x = 4?", user="student", **CLASS)
    await bot.say("Hello", user="student", workspace="school", channel="history")
    await bot.answers()
    in_class, elsewhere = emulator.response_requests()
    assert in_class["instructions"] == "You are a patient algebra tutor. Answer in steps."
    assert elsewhere["instructions"] == "You are a math tutor."

    shown = await bot.command("/config show", user="teacher", **CLASS)
    assert "patient algebra tutor" in shown and "this channel's override" in shown
    history = await bot.command("/config history", user="teacher", **CLASS)
    change_id = history.split()[0].lstrip("#")
    rolled = await bot.command(f"/config rollback {change_id}", user="teacher", **CLASS)
    assert rolled.startswith(f"Rolled back change #{change_id}")
    await bot.say("And 3x = 9?", user="student", **CLASS)
    await bot.answers()
    assert emulator.response_requests()[-1]["instructions"] == "You are a math tutor."


async def test_workspace_model_and_tools(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    assert "now gpt-5" in await bot.command("/config model gpt-5", **CLASS)
    off = await bot.command("/config tools off code_interpreter", **CLASS)
    assert "code_interpreter" not in off.split("now", 1)[1]
    assert "Unknown tool" in await bot.command("/config tools on teleport", **CLASS)
    await bot.say("hi", **CLASS)
    await bot.answers()
    [request] = emulator.response_requests()
    assert request["model"] == "gpt-5"
    assert not [t for t in request["tools"] if t["type"] == "code_interpreter"]


async def test_non_admin_can_change_nothing(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    attempts = [
        "config show",
        "config instructions Be rude.",
        "config model gpt-5",
        "config tools off functions",
        "config language ko",
        "config channel model x",
        "config channel clear",
        "config history",
        "config rollback 1",
        "knowledge add",
        "knowledge list",
        "kb remove x",
        "quota messages 1",
        "quota off",
        "usage all",
        "mcp add deploys https://mcp.example.com",
        "mcp list",
    ]
    assert {a.split()[0] for a in attempts if a != "usage all"} == {*ADMIN, "quota"}
    for line in attempts:
        reply = await bot.command("/" + line, user="student", is_admin=False, **CLASS)
        assert reply.startswith("Only admins can use"), line
    assert await bot.store.profile_changes("console", "school") == []
    assert await bot.store.get_quota("console", "school", "") is None
    message = replace(parse_line("x", user="student"), **CLASS)
    refused = await submit_modal(bot.commands, message, "config.instructions", "Be rude.")
    assert refused.text.startswith("Only admins can use")
    assert await bot.store.get_profile("console", "school", "") is None


async def test_student_over_quota_is_told_when_it_resets(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    assert "2 messages" in await bot.command("/quota messages 2", user="teacher", **CLASS)
    for question in ("one", "two", "three"):
        await bot.say(question, user="student", **CLASS)
    out = await bot.answers()
    assert out.count("You said") == 2
    assert "You've reached today's limit of 2 messages here. It resets in" in out
    assert len(emulator.response_requests()) == 2
    jobs = await bot.store.jobs()
    assert [j.status for j in jobs] == ["answered", "answered", "failed"]
    usage = await bot.command("/usage", user="student", **CLASS)
    assert usage.startswith("Today: 2 message(s)") and "2 messages" in usage
    everyone = await bot.command("/usage all", user="teacher", **CLASS)
    assert "student: 2 message(s)" in everyone and "Total: 2 message(s)" in everyone


async def test_stop_cancels_a_running_background_answer(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(assistant_run_mode="poll")
    release = asyncio.Event()
    emulator.script(Turn().text("A very long essay that never ends").gate(release, after_events=4))
    await bot.say("write an essay", user="student", **CLASS)
    response = await emulator.response_started(0)
    await emulator.wait_requests(lambda r: r.method == "GET" and response.id in r.path)
    assert "in progress" in await bot.command("/status", user="student", **CLASS)
    assert (
        await bot.command("/stop", user="student", **CLASS) == "Stopping your answer in progress."
    )
    out = await bot.answers()
    cancels = [r for r in emulator.requests if r.path.endswith(f"/responses/{response.id}/cancel")]
    assert cancels
    assert out.endswith("⚠️ The answer was stopped.\n")
    [job] = await bot.store.jobs()
    run = await bot.store.latest_run(job.id)
    assert job.status == "answered" and run and run.status == "cancelled"
    assert await bot.command("/stop", user="student", **CLASS) == "You have no answer in progress."
    release.set()


async def test_stop_closes_a_stream(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    release = asyncio.Event()
    emulator.script(Turn().text("Streaming words forever", deltas=4).gate(release, after_events=5))
    await bot.say("talk", **CLASS)
    await emulator.response_started(0)
    await emulator.wait_for_response_count(1, finished=False)
    assert await bot.engine.stop_answer("console", "school", "local")
    out = await bot.answers()
    assert out.endswith("⚠️ The answer was stopped.\n")
    release.set()


@pytest.mark.parametrize(("setting", "locale"), [(None, "ko-KR"), ("ko", "en-US")])
async def test_korean_help(bot: ConsoleBot, setting: str | None, locale: str) -> None:
    if setting:
        await bot.command(f"/config language {setting}", user="teacher", **CLASS)
    message = replace(parse_line("help", user="student"), locale=locale, **CLASS)
    reply = await handle_command(bot.commands, message, "help")
    assert reply.text.startswith("저는 AI 어시스턴트입니다.")
    assert "/reset   새 대화 시작" in reply.text


async def test_answer_mode_is_part_of_the_profile_with_history_and_rollback(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    assert "Choose an answer mode" in await bot.command("/config mode fast", **CLASS)
    saved = await bot.command("/config channel mode poll", user="teacher", **CLASS)
    assert saved == "Saved: run_mode for this channel is now poll."
    shown = await bot.command("/config show", user="teacher", **CLASS)
    assert "answer mode: poll (this channel's override)" in shown

    await bot.say("long job", user="student", **CLASS)
    await bot.say("elsewhere", user="student", workspace="school", channel="history")
    await bot.answers()
    polled, streamed = emulator.response_requests()
    assert polled["background"] is True and not polled.get("stream")
    assert streamed["stream"] is True and not streamed.get("background")
    runs = [await bot.store.latest_run(job.id) for job in await bot.store.jobs()]
    assert [run.mode for run in runs if run] == ["poll", "stream"]

    history = await bot.command("/config history", user="teacher", **CLASS)
    assert "teacher: run_mode of this channel → poll" in history
    change = history.split()[0].lstrip("#")
    rolled = await bot.command(f"/config rollback {change}", user="teacher", **CLASS)
    assert rolled == f"Rolled back change #{change}: run_mode of this channel is none again."
    await bot.command("/config mode background", user="teacher", **CLASS)
    await bot.say("again", user="student", **CLASS)
    await bot.answers()
    last = emulator.response_requests()[-1]
    assert last["background"] is True and last["stream"] is True
    assert "answer mode: background (workspace setting)" in await bot.command(
        "/config show", **CLASS
    )
