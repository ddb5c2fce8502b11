"""Usage as a picture: ``usage all`` answers with a real PNG chart and a CSV, uploaded
natively on Discord and Slack; the chart decodes, has its size, and shows the bars."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import TYPE_CHECKING

from PIL import Image

from adapters.console import parse_line
from bot.commands import handle_command
from bot.usage_chart import days_back, render_chart
from storage.records import DailyUsage
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, SlackBot
from tests.test_discord_admin import reply

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

CLASS = {"workspace": "school", "channel": "algebra"}


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file raises here
    return image


def test_the_chart_is_a_png_of_its_size_with_bars() -> None:
    days = days_back(30)
    rows = [
        DailyUsage(100 * n, 50 * n, day=days[-1], user=f"user{n}", messages=n + 1)
        for n in range(12)
    ]
    rows.append(DailyUsage(10, 10, day=days[0], user="user0", messages=3))
    png = render_chart(rows, days, "Usage")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = decoded(png)
    assert image.format == "PNG" and image.size == (1200, 700)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 10  # bars in several colours, not a blank canvas
    assert decoded(render_chart([], days, "Nothing yet")).size == (1200, 700)


async def test_usage_all_answers_with_a_chart_and_a_csv(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    for user in ("kim", "kim", "lee"):
        await bot.say("hello", user=user, **CLASS)
    await bot.answers()
    message = replace(parse_line("x", user="teacher"), **CLASS)
    answer = await handle_command(bot.commands, message, "usage all", is_admin=True)
    assert "kim: 2 message(s)" in answer.text
    png, table = answer.files
    assert png.filename.endswith(".png") and table.filename.endswith(".csv")
    assert decoded(png.data).size == (1200, 700)
    rows = list(csv.DictReader(io.StringIO(table.data.decode())))
    assert [(r["user"], r["messages"]) for r in rows] == [("kim", "2"), ("lee", "1")]
    assert all(int(r["tokens"]) == int(r["input_tokens"]) + int(r["output_tokens"]) for r in rows)
    mine = await handle_command(bot.commands, message, "usage")
    assert not mine.files  # a person's own usage stays text


async def test_usage_chart_on_discord(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    await discord_bot.answer(await discord_emu.user_says(classroom.alice, classroom.ask_ai, "hi"))
    asked = await discord_emu.slash(
        classroom.teacher, classroom.ask_ai, "assistant-admin", "usage all"
    )
    text = await reply(discord_emu, asked)
    assert f"{classroom.alice.id}: 1 message(s)" in text
    attachments = [a for m in asked.message_ids for a in discord_emu.messages[m]["attachments"]]
    assert [a["filename"].rsplit(".", 1)[1] for a in attachments] == ["png", "csv"]
    [png] = [v[0] for k, v in discord_emu.cdn.items() if k.endswith(attachments[0]["filename"])]
    assert decoded(png).size == (1200, 700)


async def test_usage_chart_on_slack(slack_bot: SlackBot, slack: SlackEmulator) -> None:
    slack.users[ALICE] = {"is_admin": True}
    await slack_bot.dm("hello", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    await slack_bot.command("usage all", channel="C0GENERAL")
    await slack.until(lambda: any(m.files for m in slack.messages.get(ALICE_DM, [])))
    [message] = [m for m in slack.messages[ALICE_DM] if m.files]
    assert [f["name"].rsplit(".", 1)[1] for f in message.files] == ["png", "csv"]
    png = next(data for path, (data, _) in slack.files_stored().items() if path.endswith(".png"))
    assert decoded(png).size == (1200, 700)
