"""Faults around a Discord answer, end to end (real discord.py, the Discord and OpenAI
emulators): the model slow to start, failing or cut off mid-stream; Discord answering 429
and 5xx to messages, edits and uploads, a reply deleted while it was being written, an
attachment the CDN will not hand over, the gateway dropping mid-answer. The person always
ends up with the complete answer, or the part there was and one clear sentence."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

PNG = b"\x89PNG\r\n\x1a\n chart"


async def test_slow_first_token_keeps_the_typing_indicator_on_until_the_text(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("adapters.discord.reply.TYPING_REFRESH", 0.02)
    first_token = asyncio.Event()
    emulator.script(Turn().text("Worth the wait.").gate(first_token, after_events=2))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "hmm?", mention=True)
    # While the model says nothing, Discord keeps showing "assistant is typing…" (it fades
    # 10 s after each request, so the bot renews it), and no empty message is posted.
    await discord_emu.wait_for(lambda: len(discord_emu.calls_of("typing")) >= 3)
    assert discord_emu.replies_to(asked) == []
    first_token.set()
    assert await discord_bot.answer(asked) == ["Worth the wait."]

    def typing_in_general() -> int:
        calls = discord_emu.calls_of("typing")
        return sum(c.params["channel"] == str(classroom.general) for c in calls)

    # The indicator stopped with the answer: while another answer is written elsewhere, it
    # is not renewed in general any more.
    typing = typing_in_general()
    second_token = asyncio.Event()
    emulator.script(Turn().text("Me too.").gate(second_token, after_events=2))
    elsewhere = await discord_emu.user_says(classroom.bob, classroom.ask_ai, "and you?")
    await discord_emu.wait_for(lambda: len(discord_emu.calls_of("typing")) >= typing + 3)
    assert typing_in_general() == typing
    second_token.set()
    assert await discord_bot.answer(elsewhere) == ["Me too."]


@pytest.mark.parametrize(
    ("turn", "sentence"),
    [
        (
            Turn().text("Half of the answer and", deltas=4).drop_after(7),
            "⚠️ The connection to the AI service dropped before the answer was finished.",
        ),
        (
            Turn().text("Half of the answer and").error_event("server_error", "boom inside"),
            "⚠️ The AI model ran into an error while answering. Please try again.",
        ),
        (
            Turn().text("Half of the answer and").incomplete(),
            "⚠️ The answer was cut short by the length limit.",
        ),
    ],
    ids=["dropped", "error-event", "incomplete"],
)
async def test_a_model_failing_mid_answer_leaves_the_text_and_one_sentence(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    turn: Turn,
    sentence: str,
) -> None:
    emulator.script(turn)
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "q", mention=True)
    [page] = await discord_bot.answer(asked)
    assert page.startswith("Half of the answe")
    assert sentence in page and page.count("⚠️") == 1
    assert "boom" not in page


async def test_429_and_5xx_on_messages_edits_and_uploads_still_end_with_the_answer(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    text = "Here is the chart: [chart.png](sandbox:/mnt/data/chart.png)"
    emulator.script(
        Turn()
        .code("plt.savefig('/mnt/data/chart.png')", files=[("chart.png", PNG)])
        .text(text, deltas=12)
        .delta_interval(0.05)
    )
    # 429s that discord.py waits out itself (with Discord's Via header), ones it raises, and
    # 503s (discord.py raises those at once): on the page, the upload and the edits.
    discord_emu.fail_next("create", times=2)
    discord_emu.fail_next("create", times=2, status=503)
    discord_emu.fail_next("edit", times=1, via=False)
    discord_emu.fail_next("edit", times=2, status=503)
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "plot", mention=True)
    [page] = await discord_bot.answer(asked)
    assert page.endswith("Here is the chart: **chart.png** (attached)")
    assert "⚠️" not in page
    uploads = [m for m in discord_emu.replies_to(asked) if m["attachments"]]
    assert [a["filename"] for m in uploads for a in m["attachments"]] == ["chart.png"]
    failed = {(c.kind, c.status) for c in discord_emu.calls if c.status in (429, 503)}
    assert failed == {("create", 429), ("create", 503), ("edit", 429), ("edit", 503)}
    assert all(fault.times == 0 for fault in discord_emu.faults)
    assert [j.status for j in await discord_bot.store.jobs()] == ["answered"]


async def test_a_reply_deleted_while_written_continues_in_a_new_message(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    rest = asyncio.Event()
    answer = "The beginning, and then the end of the answer."
    emulator.script(Turn().text(answer, deltas=4).gate(rest, after_events=6))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "q", mention=True)
    [first] = await discord_emu.wait_for(lambda: discord_emu.replies_to(asked))
    del discord_emu.messages[int(first["id"])]  # a moderator deletes it
    rest.set()
    assert await discord_bot.answer(asked) == [answer]
    assert [j.status for j in await discord_bot.store.jobs()] == ["answered"]


async def test_an_attachment_the_cdn_will_not_hand_over_is_named_and_the_rest_answered(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    notes = discord_emu.attachment("notes.csv", b"a,b\n1,2\n", "text/csv")
    discord_emu.cdn.clear()  # expired or removed before the bot fetched it
    emulator.script(Turn().text("I answered what you wrote."))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "read this", mention=True, attachments=(notes,)
    )
    [page] = await discord_bot.answer(asked)
    assert "I couldn't download notes.csv; please send it again." in page
    assert page.endswith("I answered what you wrote.")


async def test_the_gateway_dropping_mid_answer_loses_nothing(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    rest = asyncio.Event()
    answer = Turn().text("Answered across a reconnect.", deltas=4)
    emulator.script(answer.gate(rest, after_events=6))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "q", mention=True)
    await discord_emu.wait_for(lambda: discord_emu.replies_to(asked))
    await discord_emu.gateway.close()  # the connection drops without a goodbye
    rest.set()
    assert await discord_bot.answer(asked) == ["Answered across a reconnect."]
    await discord_emu.wait_connected()
    follow = await discord_emu.user_says(classroom.bob, classroom.general, "back?", mention=True)
    assert await discord_bot.answer(follow) == ["You said: back?"]
