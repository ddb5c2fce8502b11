"""``/assistant ask`` answers that outlive the interaction's 15-minute token (real discord.py
against the Discord emulator, which refuses the token once it has expired): the answer goes
on as channel messages replying to the command's message, after one line saying so."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.locales.en import MESSAGES
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

ANSWER = "The long analysis is finished: all twelve datasets agree with the model."


async def test_an_answer_past_the_token_life_continues_as_a_channel_reply(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    later = asyncio.Event()
    emulator.script(Turn().text(ANSWER, deltas=6).gate(later, after_events=8))
    asked = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "ask", question="Analyse all of it"
    )
    original = await discord_emu.wait_for(
        lambda: asked.original_id if discord_emu.contents(asked.original_id or 0)[1:] else None
    )
    partial = discord_emu.messages[original]["content"]
    assert partial and ANSWER.startswith(partial) and partial != ANSWER

    discord_emu.age(asked, 15 * 60 + 1)  # the model takes its time; the token expires
    later.set()
    await discord_bot.engine.wait_idle()

    # What was shown stays; the rest follows in the channel, replying to the command's
    # message: one line saying why, then the whole answer.
    assert discord_emu.messages[original]["content"] == partial
    notice, answer = discord_emu.replies_to(original)
    expected = MESSAGES["answer.continued_here"].format(user=f"<@{classroom.bob.id}>")
    assert notice["content"] == expected and "\n" not in expected
    assert answer["content"] == ANSWER
    assert [c.status for c in discord_emu.calls_of("followup_edit")][-1] == 401
    assert not discord_emu.calls_of("followup")
    [job] = await discord_bot.store.jobs()
    assert job.status == "answered"
    assert job.reply_state["refs"] == [f"c:{answer['id']}"]
