"""Thumbs up/down on answers, end to end: Slack's ``feedback_buttons`` (Socket Mode and HTTP,
streamed and posted answers) and Discord's buttons; only the person who asked may rate, a
second click changes the rating, and the admins' usage report counts them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from bot.i18n import t
from tests.chat_commands import admin_says, command_text
from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator_components import buttons_of as discord_buttons
from tests.discord_emulator_components import click
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_blocks import block_actions, buttons_of
from tests.slack_emulator_events import Message
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, BOB, GENERAL, SlackBot

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

ANSWER = "x = 1, because 3 · 1 + 11 = 14."


async def rate(bot: SlackBot, reply: Message, user: str, *, up: bool) -> str:
    """``user`` clicks a thumb under ``reply``; the sentence only they see."""
    [thumbs] = [b for b in buttons_of(reply) if b["type"] == "feedback_buttons"]
    seen = len(bot.slack.ephemeral)
    await bot.deliver(block_actions(reply, thumbs, user=user, positive=up), type="interactive")
    await bot.slack.until(lambda: len(bot.slack.ephemeral) > seen)
    told = bot.slack.ephemeral[-1]
    assert (told["user"], told["channel"], told.get("thread_ts")) == (
        user,
        reply.channel,
        reply.thread_ts,
    )
    return str(told["text"])


@pytest.mark.parametrize("native", [True, False], ids=["streamed", "posted"])
async def test_slack_answer_is_rated_by_the_asker_only(
    make_slack_bot: Any, emulator: OpenAIEmulator, slack: SlackEmulator, native: bool
) -> None:
    slack.users[ALICE] = {"is_admin": True}  # she reads the usage report at the end
    bot: SlackBot = await make_slack_bot(slack_native_streaming=native)
    emulator.script(Turn().text(ANSWER, deltas=4))
    asked = await bot.mention("Solve 3x + 11 = 14")
    await bot.answers()
    [reply] = bot.thread(asked)
    assert reply.shown == ANSWER and not reply.streaming
    # The buttons came with the answer's last call (chat.stopStream, or the last chat.update).
    final = slack.calls_to("chat.stopStream" if native else "chat.update")[-1]
    assert final.args["blocks"][-1]["type"] == "context_actions"
    [thumbs] = buttons_of(reply)
    assert thumbs["type"] == "feedback_buttons"
    assert thumbs["positive_button"]["accessibility_label"] == t("en", "feedback.up.description")
    [job] = await bot.store.jobs()

    refused = await rate(bot, reply, BOB, up=False)
    assert refused == t("en", "feedback.not_yours")
    assert await bot.store.get_feedback(job.id, BOB) is None

    assert await rate(bot, reply, ALICE, up=True) == t("en", "feedback.saved.up")
    saved = await bot.store.get_feedback(job.id, ALICE)
    assert saved is not None
    assert (saved.rating, saved.channel, saved.workspace, saved.profile) == (
        "up",
        GENERAL,
        job.workspace,
        "",
    )
    assert saved.response_id and saved.response_id.startswith("resp_")
    assert await rate(bot, reply, ALICE, up=False) == t("en", "feedback.changed.down")
    again = await bot.store.get_feedback(job.id, ALICE)
    assert again is not None and again.rating == "down"
    counts = await bot.store.feedback_counts("slack", job.workspace, time.time() - 60)
    assert [(c.up, c.down) for c in counts] == [(0, 1)]  # one row per person per answer
    assert slack.ack_errors == []

    report = command_text(await bot.command("usage all"))
    assert t("en", "usage.feedback.title", days=30) in report
    assert "• workspace profile: 👍 0 / 👎 1" in report


async def test_discord_answer_is_rated_by_the_asker_only(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text(ANSWER, deltas=4))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "Solve 3x + 11 = 14", mention=True
    )
    assert await discord_bot.answer(asked) == [ANSWER]
    [reply] = discord_emu.replies_to(asked)
    up, down = discord_buttons(reply)
    assert (up["emoji"]["name"], down["emoji"]["name"]) == ("👍", "👎")
    [job] = await discord_bot.store.jobs()

    refused = await click(discord_emu, classroom.bob, reply, down["custom_id"])
    await discord_emu.wait_for(lambda: refused.callback)
    assert refused.callback is not None
    assert refused.callback["type"] == 4 and refused.callback["data"]["flags"] & 64
    assert refused.callback["data"]["content"] == t("en", "feedback.not_yours")
    assert await discord_bot.store.get_feedback(job.id, str(classroom.bob.id)) is None

    rated = await click(discord_emu, classroom.alice, reply, up["custom_id"])
    await discord_emu.wait_for(lambda: rated.callback)
    assert rated.callback is not None and rated.callback["data"]["flags"] & 64
    assert rated.callback["data"]["content"] == t("en", "feedback.saved.up")
    saved = await discord_bot.store.get_feedback(job.id, str(classroom.alice.id))
    assert saved is not None and (saved.rating, saved.platform) == ("up", "discord")
    assert saved.channel == str(classroom.general)


async def test_discord_ask_answer_carries_the_buttons_and_the_report_counts_them(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text(ANSWER, deltas=4))
    asked = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "ask", question="Solve 3x + 11 = 14"
    )
    await discord_emu.wait_for(lambda: asked.followed_up)
    await discord_bot.engine.wait_idle()
    original = discord_emu.messages[asked.original_id or 0]
    assert original["content"] == ANSWER
    _, down = discord_buttons(original)
    rated = await click(discord_emu, classroom.bob, original, down["custom_id"])
    await discord_emu.wait_for(lambda: rated.callback)
    assert rated.callback is not None
    assert rated.callback["data"]["content"] == t("en", "feedback.saved.down")

    report = await admin_says(discord_emu, "usage all", classroom.teacher, classroom.general)
    assert t("en", "usage.feedback.title", days=30) in report
    assert "• server profile: 👍 0 / 👎 1" in report
