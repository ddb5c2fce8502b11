"""Hostile and odd messages end to end, through the real adapters (slack_bolt on Socket Mode,
discord.py on the gateway) into the engine: huge text full of zero-width, right-to-left and
control characters, thousands of mentions, a dozen attachments from the wrong host with odd
names, fields of the wrong type. Every delivery is acknowledged, every message gets exactly
one answer or one clear sentence declining it, and the bot logs no error and no traceback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import message_event
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, SlackBot

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

ODD = "\u200b\u202eשלום\u2066\u0007\u001b[31m\ufeff👩‍👩‍👧‍👦 "
OURS = ("bot", "adapters", "storage")


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What our own code logged at ERROR, or with a traceback at any level above DEBUG."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.name.split(".")[0] in OURS
        and (r.levelno >= logging.ERROR or (r.exc_info and r.levelno > logging.INFO))
        and "could not fetch attachment" not in r.getMessage()
    ]


@pytest.mark.parametrize("transport", ["socket"])
async def test_hostile_slack_messages_are_each_answered_or_declined_once(
    slack_bot: SlackBot,
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    mentions = " ".join(f"<@U{i:08d}>" for i in range(3_000))
    huge = (ODD * 2_000)[:30_000] + mentions
    odd_files = [
        slack.host_file(f"{ODD}payroll‮fdp.exe", b"MZ", foreign=True),
        *(slack.host_file(f"note{i}\u200b.csv", b"a\n1\n", foreign=True) for i in range(11)),
    ]
    hostile = [
        message_event(huge, user=ALICE, channel=ALICE_DM),
        message_event("what is in these?", user=BOB, channel=BOB_DM, files=odd_files),
        # Fields of the wrong type: no text to answer, so a clear request for one.
        {**message_event("", user=ALICE, channel=ALICE_DM), "text": 42, "files": "oops"},
    ]
    ignored = [
        message_event("no author", user="", channel=ALICE_DM),
        {"type": "message", "channel": ALICE_DM},
        {"type": "message", "user": BOB, "channel": BOB_DM, "subtype": ["x"], "ts": "1.2"},
    ]
    for event in [*hostile, *ignored]:
        await slack_bot.event(event)
    await slack_bot.answers()

    assert slack.ack_errors == [] and len(slack.acks) == len(slack.envelopes) == 6
    jobs = await slack_bot.store.jobs()
    assert [j.status for j in jobs] == ["answered"] * 3
    # The huge one: the echo of 33,000 characters, in pages Slack accepts.
    pages = slack_bot.texts(hostile[0])
    assert len(pages) >= 3 and all(0 < len(p) <= 12_000 for p in pages)
    assert pages[0].startswith("You said: ") and "@U00002999" in pages[-1]
    # The files: each one named and refused, the words answered.
    [files_reply] = slack_bot.texts(hostile[1])
    assert files_reply.endswith("You said: what is in these?")
    assert files_reply.count("does not point to this Slack workspace's files") == 11
    assert files_reply.count("files of type .exe are not supported") == 1
    assert slack.foreign_requests == []
    # The malformed one.
    [declined] = slack_bot.texts(hostile[2])
    assert declined.strip() == "_Send me a question, or attach a file I can read._"
    asked = [r["input"][0]["content"][0]["text"] for r in emulator.response_requests()]
    assert sorted(asked, key=len)[0] == "what is in these?" and len(asked) == 2
    assert trouble(caplog) == []
    # Logged once each: one warning per file sent from another host, nothing else.
    assert len(warnings(caplog)) == 11


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.split(".")[0] in OURS
    ]


async def test_hostile_discord_messages_are_each_answered_or_declined_once(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    students = [discord_emu.add_user(f"s{i}") for i in range(1_000)]
    content = (ODD * 200)[:3_000] + " ".join(f"<@{s.id}>" for s in students)
    huge = await discord_emu.user_says(classroom.alice, classroom.ask_ai, content)
    foreign = tuple(
        discord_emu.attachment(f"{ODD}x{i}.csv", b"a\n1\n", "text/csv", host="evil.example")
        for i in range(10)
    )
    files = await discord_emu.user_says(
        classroom.bob, classroom.ask_ai, "what is in these?", attachments=foreign
    )
    pages = await discord_bot.answer(huge)
    assert len(pages) >= 4 and all(0 < len(p) <= 2_000 for p in pages)
    assert pages[0].startswith("You said: ")
    [reply] = await discord_bot.answer(files)
    assert reply.count("it is not stored on Discord") == 10
    assert reply.endswith("You said: what is in these?")
    assert [j.status for j in await discord_bot.store.jobs()] == ["answered", "answered"]
    assert trouble(caplog) == []
    assert len(warnings(caplog)) == 10
