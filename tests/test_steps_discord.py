"""An answer's steps on Discord, end to end: one subtext line above the answer, edited with
it (within its rate budget), collapsed to a one-line summary once the answer is complete."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.discord_fixtures import *  # noqa: F403
from tests.discord_fixtures import Classroom, DiscordBot
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_hosted import WebSearch, url_citation
from tests.openai_emulator_steps import FailedCode, Reasoning
from tests.steps_script import ANSWER, PEP, PY, WITH_SUMMARIES, code_and_web


@pytest.fixture
async def discord_bot(make_discord_bot: Callable[..., Any]) -> DiscordBot:
    """The bot with web search on, as the step scripts search the web."""
    bot: DiscordBot = await make_discord_bot(**WITH_SUMMARIES)
    return bot


def first_lines(emu: DiscordEmulator, asked: int) -> list[str]:
    """The first line of every content the reply showed, in order."""
    [reply] = [m for m in emu.replies_to(asked) if not m["attachments"]][:1]
    return [content.split("\n", 1)[0] for content in emu.contents(int(reply["id"]))]


async def test_the_steps_line_shows_code_and_web_steps_then_collapses(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    code_running, searching, answering = asyncio.Event(), asyncio.Event(), asyncio.Event()
    emulator.script(code_and_web(code_running, searching, answering))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "2 + 2, and when did 3.14 come out?", mention=True
    )
    await discord_emu.wait_for(
        lambda: (
            discord_emu.replies_to(asked)
            and "-# ⏳ Run Python code" in first_lines(discord_emu, asked)
        )
    )
    code_running.set()
    await discord_emu.wait_for(
        lambda: "-# ✅ Run Python code · ⏳ Search the web" in first_lines(discord_emu, asked)
    )
    searching.set()
    web_line = (
        "-# ✅ Run Python code · ✅ Search the web: python 3.14 release date: "
        f"[www.python.org](<{PY}>), [peps.python.org](<{PEP}>)"
    )
    await discord_emu.wait_for(lambda: web_line in first_lines(discord_emu, asked))
    answering.set()
    [page] = await discord_bot.answer(asked)

    assert page.startswith("-# ✅ Steps (2): code, web search · sources: 2\n")
    # The answer, then the page it cites as a link (the web sources of bot/hosted_output.py).
    assert page.endswith(
        f"{ANSWER}\n\nSources from the web: [PEP 745 – Python 3.14 Release Schedule](<{PEP}>)"
    )
    assert len(page) <= 2000
    # Each line was an edit of the answer itself: one message, no extra posts.
    assert len(discord_emu.replies_to(asked)) == 1


async def test_a_failed_step_and_a_reasoning_summary(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    thinking = asyncio.Event()
    summary = "**Checking the import**\n\nThe module may be missing."
    text = "That import failed; see the docs."
    emulator.script(
        Turn()
        .item(Reasoning([summary]))
        .item(FailedCode("import missing_module"))
        .item(WebSearch("missing_module", failed=True))
        .text(text, annotations=[url_citation(text, "the docs", PEP, "Docs")])
        .gate(thinking, after_events=7)  # the summary's deltas are out, the item is not done
    )
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "import it", mention=True
    )
    await discord_emu.wait_for(
        lambda: (
            discord_emu.replies_to(asked)
            and "-# 💭 Checking the import" in first_lines(discord_emu, asked)
        )
    )
    thinking.set()
    [page] = await discord_bot.answer(asked)
    # A web search that failed still gets the page the answer cites as its source.
    assert page.startswith("-# ⚠️ Steps (2): code, web search · sources: 1 · 2 failed\n")
    assert page.endswith(
        f"```python\nimport missing_module\n```\n\n{text}\n\nSources from the web: [Docs](<{PEP}>)"
    )
    [reply] = discord_emu.replies_to(asked)
    for content in discord_emu.contents(int(reply["id"])):
        assert "module may be missing" not in content


async def test_an_answer_without_steps_has_no_line(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text("Just text."))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "hi", mention=True)
    assert await discord_bot.answer(asked) == ["Just text."]


async def test_a_long_answer_keeps_its_line_on_the_first_page_only(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    long = "\n\n".join(f"Paragraph {n}: " + "word " * 60 for n in range(12))
    emulator.script(Turn().item(WebSearch("words", [PY, PEP])).text(long, deltas=12))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "write", mention=True)
    pages = await discord_bot.answer(asked)
    assert len(pages) >= 2 and all(len(page) <= 2000 for page in pages)
    assert pages[0].startswith("-# ✅ Steps (1): web search · sources: 2\nParagraph 0:")
    assert not any("-#" in page for page in pages[1:])
    joined = "".join(pages).replace("\n", "")
    assert long.replace("\n", "")[-500:] in joined
    assert joined.endswith(
        f"Sources from the web: [python.org](<{PY}>) · [peps.python.org](<{PEP}>)"
    )


async def test_no_steps_on_the_chat_completions_backend(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot(model_api="chat_completions")
    emulator.script(
        Turn().function_call("calculate", {"expression": "2+2"}, call_id="call_s1"),
        Turn().text("2 + 2 = 4."),
    )
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "2 + 2 with a tool")
    assert await bot.answer(asked) == ["2 + 2 = 4."]
    [reply] = discord_emu.replies_to(asked)
    assert not any("-#" in content for content in discord_emu.contents(int(reply["id"])))


async def test_a_polled_answer_shows_the_same_steps(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot(
        assistant_run_mode="poll", poll_interval=0.01, **WITH_SUMMARIES
    )
    emulator.script(
        Turn()
        .code("print(2 + 2)", logs="4\n")
        .item(WebSearch("python 3.14 release date", [PY, PEP]))
        .item(Reasoning(["**Summing up**\n\nBoth parts are answered."]))
        .text(ANSWER)
    )
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "2 + 2 and 3.14?")
    [page] = await bot.answer(asked)
    assert page.startswith("-# ✅ Steps (2): code, web search · sources: 2\n")
    assert ANSWER in page and "Summing up" not in page
    assert page.endswith(  # no page is cited: the ones searched are listed
        f"Sources from the web: [python.org](<{PY}>) · [peps.python.org](<{PEP}>)"
    )
