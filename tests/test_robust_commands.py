"""A command that fails (here: OpenAI refusing while documents are added or removed) answers one
friendly sentence and logs one line, on every adapter: the console keeps running and answers
the next line, Slack shows the sentence as the command's reply (or in the thread), Discord as
the interaction's answer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.openai_emulator import OpenAIEmulator
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, SlackBot
from tests.test_cli_e2e import _run, bot_env  # noqa: F401
from tests.test_discord_admin import say
from tests.test_slack_commands import command_text

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

UNAVAILABLE = "The AI service is not answering right now. Please try again in a minute."


def failures_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "failed" in r.getMessage().split(":")[0]]


async def test_a_failing_admin_command_does_not_end_the_console(
    emulator: OpenAIEmulator,
    bot_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    (tmp_path / "course.md").write_text("# Algebra\nWeek 1: equations\n")
    emulator.fail_path("POST", "/v1/vector_stores", times=10)
    bot_env["LOG_LEVEL"] = "INFO"
    code, out, err = await _run(
        ["console"], "/knowledge add @course.md\n/usage\nhello\n", bot_env, tmp_path
    )
    assert code == 0, err
    assert UNAVAILABLE in out
    assert "Today: 0 message(s)" in out and out.rstrip().endswith("You said: hello")
    assert "Traceback" not in err
    assert err.count("command 'knowledge add' failed") == 1, err


@pytest.mark.parametrize("transport", ["socket"])
async def test_slack_command_failures_are_one_sentence(
    slack_bot: SlackBot,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    slack.users[ALICE] = {"is_admin": True}
    # kb add, sent as a message with the file: the result goes into the thread.
    emulator.fail_path("POST", "/v1/vector_stores", times=10)
    syllabus = slack.host_file("syllabus.md", b"# Week 1: atoms", "text/markdown")
    event = await slack_bot.dm("kb add", files=[syllabus])
    await slack.until(lambda: bool(slack_bot.texts(event)))
    assert slack_bot.texts(event) == [UNAVAILABLE]
    # The same, working; then removing it fails as a slash command.
    emulator.fail_path("POST", "/v1/vector_stores", times=0)
    again = await slack_bot.dm("kb add", files=[syllabus])
    await slack.until(lambda: bool(slack_bot.texts(again)))
    [(store_id, files)] = emulator.vector_store_files.items()
    [file_id] = files
    emulator.fail_path("DELETE", f"/v1/vector_stores/{store_id}/files/{file_id}", times=10)
    reply = command_text(await slack_bot.command("kb remove syllabus.md"))
    assert reply == UNAVAILABLE
    assert len(failures_logged(caplog)) == 2
    assert [r for r in caplog.records if r.exc_info] == []


async def test_discord_command_failures_are_one_sentence(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    emulator.fail_path("POST", "/v1/vector_stores", times=10)
    syllabus = discord_emu.attachment("syllabus.md", b"# Week 1", "text/markdown")
    shown = await say(
        discord_emu, "knowledge add", classroom.teacher, classroom.ask_ai, document=syllabus
    )
    assert shown == UNAVAILABLE
    assert len(failures_logged(caplog)) == 1
    assert [r for r in caplog.records if r.exc_info] == []
