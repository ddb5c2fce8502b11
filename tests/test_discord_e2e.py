"""End to end: the real discord.py client against the Discord emulator, the engine and SQLite,
and the real OpenAI SDK against the OpenAI emulator. A student writes; the channel shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

ANSWER = "Subtract 11 from both sides, then divide by 3: **x = 1**."


async def test_mention_gets_a_reply_that_grows_by_edits(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text(ANSWER, deltas=8).delta_interval(0.05))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "Solve 3x + 11 = 14", mention=True
    )
    assert await discord_bot.answer(asked) == [ANSWER]
    [reply] = discord_emu.replies_to(asked)
    shown = discord_emu.contents(int(reply["id"]))
    assert len(shown) >= 3, f"the reply was not edited while streaming: {shown}"
    assert shown[-1] == ANSWER and all(ANSWER.startswith(text) for text in shown)
    assert [len(t) for t in shown] == sorted(len(t) for t in shown)
    assert discord_emu.calls_of("typing")
    # The bot's text went to the model without the mention; its own messages were ignored.
    [request] = emulator.response_requests()
    assert request["input"][0]["content"] == [{"type": "input_text", "text": "Solve 3x + 11 = 14"}]
    [job] = await discord_bot.store.jobs()
    assert (job.platform, job.workspace, job.user) == (
        "discord",
        str(classroom.guild.id),
        str(classroom.alice.id),
    )
    assert job.status == "answered" and job.event_id == str(asked)


async def test_direct_message_is_answered_in_the_dm(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text("Hello in private."))
    asked = await discord_emu.user_dms(classroom.bob, "hi, can you help me?")
    assert await discord_bot.answer(asked) == ["Hello in private."]
    [reply] = discord_emu.replies_to(asked)
    assert reply["channel_id"] == str(discord_emu.dm_channel(classroom.bob))
    [job] = await discord_bot.store.jobs()
    assert job.workspace == "dm"


async def test_reply_to_the_bot_continues_the_same_thread(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text("x = 1."), Turn().text("Because 3 · 1 + 11 = 14."))
    first = await discord_emu.user_says(
        classroom.alice, classroom.general, "Solve 3x + 11 = 14", mention=True
    )
    await discord_bot.answer(first)
    [bot_reply] = discord_emu.replies_to(first)
    follow_up = await discord_emu.user_says(
        classroom.alice, classroom.general, "why?", reply_to=int(bot_reply["id"])
    )
    assert await discord_bot.answer(follow_up) == ["Because 3 · 1 + 11 = 14."]
    one, two = emulator.response_requests()
    assert one["conversation"] == two["conversation"]


async def test_assistant_channel_needs_no_mention_other_channels_do(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    ignored = await discord_emu.user_says(classroom.alice, classroom.general, "just chatting")
    emulator.script(Turn().text("Photosynthesis turns light into sugar."))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "photosynthesis?")
    assert await discord_bot.answer(asked) == ["Photosynthesis turns light into sugar."]
    assert discord_emu.replies_to(ignored) == []
    assert len(await discord_bot.store.jobs()) == 1


def _long_answer() -> tuple[str, str]:
    intro = "".join(f"Step {i}: we look at the data and note what changes. " for i in range(29))
    code = "\n".join(f"total_{i} = sum(row[{i}] for row in rows)  # column {i}" for i in range(27))
    outro = " ".join(f"Finally, point {i} follows from the table." for i in range(37))
    text = f"{intro}\n\n```python\n{code}\n```\n\n{outro}"
    return text, code


async def test_long_answer_continues_in_messages_with_code_blocks_intact(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    text, code = _long_answer()
    assert 4400 <= len(text) <= 4600
    assert text.index("```python") < 2000 < text.index("```", text.index("```python") + 3)
    emulator.script(Turn().text(text, deltas=12))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "explain the totals", mention=True
    )
    pages = await discord_bot.answer(asked)
    assert len(pages) == 3
    assert all(len(page) <= 2000 for page in pages)
    for page in pages:
        fences = [line for line in page.split("\n") if line.strip().startswith("```")]
        assert len(fences) % 2 == 0, f"a code block is broken in:\n{page}"
    shown_code = []
    for page in pages:
        inside = False
        for line in page.split("\n"):
            if line.strip().startswith("```"):
                inside = not inside
            elif inside:
                shown_code.append(line)
    assert "\n".join(shown_code) == code
    assert pages[0].startswith("Step 0") and pages[-1].endswith("follows from the table.")


async def test_two_students_in_one_channel_have_separate_threads(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    alice_asks = await discord_emu.user_says(
        classroom.alice, classroom.general, "I am Alice", mention=True
    )
    bob_asks = await discord_emu.user_says(
        classroom.bob, classroom.general, "I am Bob", mention=True
    )
    assert await discord_bot.answer(alice_asks) == ["You said: I am Alice"]
    assert await discord_bot.answer(bob_asks) == ["You said: I am Bob"]
    conversations = {r["conversation"] for r in emulator.response_requests()}
    assert len(conversations) == 2
    threads = {(j.user, j.thread_key) for j in await discord_bot.store.jobs()}
    assert len({key for _, key in threads}) == 2


async def test_attachment_on_the_cdn_reaches_the_model(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    csv = b"name,age,grade\nKim,15,A\nLee,16,B\n"
    emulator.script(Turn().text("Kim is 15."))
    asked = await discord_emu.user_says(
        classroom.alice,
        classroom.general,
        "how old is Kim?",
        mention=True,
        attachments=(discord_emu.attachment("mydata.csv", csv, "text/csv"),),
    )
    [page] = await discord_bot.answer(asked)
    assert page.endswith("Kim is 15.")
    [download] = discord_emu.calls_of("cdn")
    assert "authorization" not in download.headers
    [uploaded] = emulator.files.values()
    assert uploaded.filename == "mydata.csv"
    [request] = emulator.response_requests()
    assert request["tools"][0]["container"]["file_ids"] == [uploaded.id]


async def test_attachment_from_a_foreign_host_is_refused(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    foreign = discord_emu.attachment(
        "grades.csv", b"a,b\n1,2\n", "text/csv", host=f"localhost:{discord_emu.port}"
    )
    emulator.script(Turn().text("I can only see your words."))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "summarise this", mention=True, attachments=(foreign,)
    )
    [page] = await discord_bot.answer(asked)
    assert "I didn't open grades.csv: it is not stored on Discord." in page
    assert page.endswith("I can only see your words.")
    assert discord_emu.calls_of("cdn") == []
    assert emulator.files == {}


async def test_generated_chart_is_attached_to_the_reply(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    png = b"\x89PNG\r\n\x1a\n fake chart"
    emulator.script(
        Turn()
        .code("plt.plot([1, 2, 3])", files=[("chart.png", png)])
        .text("Here it is: [chart.png](sandbox:/mnt/data/chart.png)")
    )
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "plot 1 2 3", mention=True
    )
    [page] = await discord_bot.answer(asked)
    assert page.endswith("Here it is: **chart.png** (attached)")
    assert "```python\nplt.plot([1, 2, 3])\n```" in page
    [with_file] = [m for m in discord_emu.replies_to(asked) if m["attachments"]]
    [attachment] = with_file["attachments"]
    assert attachment["filename"] == "chart.png"
    [upload] = [u for c in discord_emu.calls_of("create") for u in c.uploads]
    assert upload.data == png


async def test_an_attachment_over_its_limit_is_named_with_the_limit_and_not_fetched(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    huge = discord_emu.attachment("survey.csv", b"a,b\n", "text/csv", size=30_000_000)
    emulator.script(Turn().text("Send a smaller extract and I'll look."))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.ask_ai, "analyse my survey", attachments=(huge,)
    )
    [page] = await discord_bot.answer(asked)
    assert "survey.csv is too large (30 MB); the limit for data files is 10 MB." in page
    assert discord_emu.calls_of("cdn") == []
