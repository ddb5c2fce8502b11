"""Untrusted names and empty questions, end to end on Slack and Discord: a file's name is made
safe where it enters the bot (OpenAI Files, the model's prompt and the reply all see the safe
name), a file without an extension is named as such, and a message of invisible characters
only is not sent to the model: it gets the usual short hint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.sanitize import MAX_NAME, safe_filename, visible
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import SlackBot

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

SOCKET = pytest.mark.parametrize("transport", ["socket"])
EVIL = "../../../etc/pass\u202ewd\u0007.csv"
SAFE = "passwd.csv"
INVISIBLE = "\u200b\u2060\ufeff \u0301\u0308\u200d\u3164\u202e\n"
HINT = "Send me a question, or attach a file I can read."


# ---- the pure pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        (EVIL, SAFE),
        ("..\\..\\windows\\system32\\evil.dll", "evil.dll"),
        ("report\u202egnp.exe", "reportgnp.exe"),
        ("a/b/", "file"),
        ("..", "file"),
        ("\u200b\u200b", "file"),
        (".bashrc", "file.bashrc"),
        ("x. . ", "x"),
        ('what<is>:this?|"x".txt', "what_is__this___x_.txt"),
        ("  spaced \t out .md ", "spaced out.md"),
        ("x" * 500 + ".xlsx", "x" * (MAX_NAME - 5) + ".xlsx"),
        ("README", "README"),
        ("성적표.csv", "성적표.csv"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(name=st.text(max_size=400), extension=st.sampled_from(["csv", "pdf", "png", "xlsx", ""]))
@example(name="../" * 100, extension="csv")
def test_any_name_becomes_one_plain_name_keeping_its_extension(name: str, extension: str) -> None:
    full = f"{name}.{extension}" if extension else name
    safe = safe_filename(full)
    assert safe and len(safe) <= MAX_NAME and safe not in (".", "..")
    assert not any(ch in safe for ch in "/\\\x00\n\r\u202e\u200b")
    assert visible(safe)
    if extension:
        assert safe.endswith(f".{extension}")


def test_visible() -> None:
    assert not visible(INVISIBLE)
    assert not visible("")
    assert visible("e\u0301") and visible("?") and visible("ㅋ")


# ---- Slack ------------------------------------------------------------------------------------


def prompt_of(emulator: OpenAIEmulator) -> str:
    [request] = emulator.response_requests()
    return str(request["input"][0]["content"][0]["text"])


@SOCKET
async def test_slack_file_names_are_made_safe_everywhere(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    evil = slack.host_file("evil.csv", b"a\n1\n")
    evil["name"] = EVIL
    bare = slack.host_file("README", b"hello", "text/plain")
    emulator.script(Turn().text("Read it."))
    event = await slack_bot.dm("what is in these?", files=[evil, bare])
    await slack_bot.answers()
    assert [f.filename for f in emulator.files.values()] == [SAFE]
    [text] = slack_bot.texts(event)
    assert f"{SAFE}: ready for analysis with Python." in text
    assert "I can't read README: it has no file extension" in text
    assert "type ." not in text and "../" not in text
    assert SAFE in prompt_of(emulator)
    assert "../" not in json.dumps(emulator.response_requests())


@SOCKET
async def test_slack_invisible_only_message_is_not_sent_to_the_model(
    slack_bot: SlackBot, emulator: OpenAIEmulator
) -> None:
    event = await slack_bot.dm(INVISIBLE)
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text.strip() == f"_{HINT}_"
    assert emulator.response_requests() == []
    [job] = await slack_bot.store.jobs()
    assert job.status == "answered" and await slack_bot.store.latest_run(job.id) is None


# ---- Discord ----------------------------------------------------------------------------------


async def test_discord_file_names_are_made_safe_everywhere(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    evil = discord_emu.attachment("evil.csv", b"a\n1\n", "text/csv")
    evil["filename"] = EVIL.replace("/", "\\")
    bare = discord_emu.attachment("Makefile", b"all:", None)
    emulator.script(Turn().text("Read it."))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.ask_ai, "what is in these?", attachments=(evil, bare)
    )
    [text] = await discord_bot.answer(asked)
    assert [f.filename for f in emulator.files.values()] == [SAFE]
    assert f"{SAFE}: ready for analysis with Python." in text
    assert "I can't read Makefile: it has no file extension" in text
    assert "type ." not in text and "..\\" not in text
    assert SAFE in prompt_of(emulator)


async def test_discord_invisible_only_message_is_not_sent_to_the_model(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, INVISIBLE)
    [text] = await discord_bot.answer(asked)
    assert text.strip() == f"_{HINT}_"
    assert emulator.response_requests() == []


# ---- redirects --------------------------------------------------------------------------------


@SOCKET
async def test_slack_follows_a_redirect_only_within_its_file_host(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    real = slack.host_file("grades.csv", b"name,grade\nkim,A\n")
    moved = slack.host_redirect("moved.csv", real["url_private"])
    emulator.script(Turn().text("Read it."))
    event = await slack_bot.dm("what is in it?", files=[moved])
    await slack_bot.answers()
    [stored] = emulator.files.values()
    assert (stored.filename, stored.bytes) == ("moved.csv", b"name,grade\nkim,A\n")
    assert "moved.csv: ready for analysis" in slack_bot.texts(event)[0]
    assert slack.foreign_requests == []


async def test_discord_refuses_a_cdn_redirect_to_another_host(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    outside = discord_emu.redirect(
        discord_emu.attachment("notes.csv", b"a\n1\n", "text/csv"),
        "http://127.0.0.2:9/collect/notes.csv",
    )
    real = discord_emu.attachment("grades.csv", b"name,grade\nkim,A\n", "text/csv")
    inside = discord_emu.redirect(
        discord_emu.attachment("moved.csv", b"", "text/csv"), str(real["url"])
    )
    emulator.script(Turn().text("Read it."))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.ask_ai, "what is in these?", attachments=(outside, inside)
    )
    [text] = await discord_bot.answer(asked)
    assert (
        "I didn't open notes.csv: its download was sent on to another site (127.0.0.2), "
        "which I don't fetch files from." in text
    )
    assert "moved.csv: ready for analysis" in text
    [stored] = emulator.files.values()
    assert (stored.filename, stored.bytes) == ("moved.csv", b"name,grade\nkim,A\n")


# ---- a model that never stops calling functions --------------------------------------------

LOOPING = "I stopped here: the model kept asking to call functions (3 requests for this question)."


def looping(emulator: OpenAIEmulator) -> None:
    emulator.script(*(Turn().function_call("calculate", {"expression": "1+1"}) for _ in range(30)))


@SOCKET
async def test_slack_a_looping_model_is_stopped_and_the_answer_says_so(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: SlackBot = await make_slack_bot(max_tool_rounds=1, max_model_rounds=3)
    looping(emulator)
    event = await bot.dm("loop forever")
    await bot.answers()
    [text] = bot.texts(event)
    assert LOOPING in text
    assert len(emulator.response_requests()) == 3
    [job] = await bot.store.jobs()
    assert job.status == "answered"


async def test_discord_a_looping_model_is_stopped_and_the_answer_says_so(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot(max_tool_rounds=1, max_model_rounds=3)
    looping(emulator)
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "loop forever")
    [text] = await bot.answer(asked)
    assert LOOPING in text
    assert len(emulator.response_requests()) == 3
