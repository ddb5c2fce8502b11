"""Tutor policies: the pure pieces (parsing, time windows, the check of the final text), and
end to end through the console engine, Discord and Slack: the instructions reach the model,
a handed-over solution is withheld before anyone sees it, a hint goes through."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from bot.tutor import INSTRUCTIONS, TutorPolicy, parse_policy
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, BOB, GENERAL, SlackBot
from tests.test_discord_admin import say

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

CLASS = {"workspace": "school", "channel": "algebra"}
SOLUTION = "Divide both sides by 2.\n\nThe answer is x = 2."
HINT = "What happens if you divide both sides by the same number?"


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 4, hour, minute, tzinfo=dt.UTC)


def test_parsing_a_policy() -> None:
    assert parse_policy(["hints"]) == TutorPolicy("hints")
    assert parse_policy(["exam", "9:00-11:30", "22:00-01:00", "UTC"]) == TutorPolicy(
        "exam", (("09:00", "11:30"), ("22:00", "01:00")), "UTC"
    )
    assert parse_policy(["off"]) == TutorPolicy("off") and parse_policy(["default"]) is None
    assert parse_policy(["cheat"]) == "preset" and parse_policy([]) == "missing"
    assert parse_policy(["hints", "25:00-26:00"]) == "window"
    policy = TutorPolicy("socratic", (("09:00", "10:00"),))
    assert TutorPolicy.from_json(policy.to_json()) == policy
    assert policy.describe() == "socratic (09:00–10:00 UTC)"


def test_time_windows() -> None:
    exam = TutorPolicy("exam", (("09:00", "11:00"), ("22:00", "01:00")))
    assert [exam.active(at(h)) for h in (8, 9, 10, 11, 21, 22, 23, 0, 1)] == [
        False, True, True, False, False, True, True, True, False,
    ]  # fmt: skip
    assert TutorPolicy("hints").active(at(3)) and not TutorPolicy("off").active(at(3))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The answer is 42.", "states a final answer"),
        ("Final answer: x = 3", "states a final answer"),
        ("정답은 3입니다.", "states a final answer"),
        ("First subtract 3.\n\n**x = 4**", "ends in a bare result"),
        (
            "```python\n" + "\n".join(f"print({n} * 2)" for n in range(6)) + "\n```",
            "contains working code",
        ),
        (HINT, None),
        ("Try x = a value and check: does 2x equal 4?", None),
        ("```python\nprint(1)\n```\nWhat does this print?", None),
    ],
)
def test_the_check_of_the_final_text(text: str, reason: str | None) -> None:
    assert TutorPolicy("hints").violation(text) == reason


def test_exam_refuses_any_code() -> None:
    assert TutorPolicy("exam").violation("```python\nprint(1)\n```") == "contains working code"


async def test_hints_only_in_a_class_channel(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    assert "Usage: config [channel] tutor" in await bot.command("/config tutor cheat", **CLASS)
    saved = await bot.command("/config channel tutor hints", user="teacher", **CLASS)
    assert saved == "Saved: tutor policy for this channel is now hints."
    assert "tutor policy: hints" in await bot.command("/config show", **CLASS)
    emulator.script(Turn().text(SOLUTION), Turn().text(HINT), Turn().text(SOLUTION))
    await bot.say("Solve 2x = 4", user="student", **CLASS)
    first = await bot.answers()
    assert "The answer is" not in first  # never shown, not even while it was written
    assert "I held back that answer: it looked like a full solution" in first
    await bot.say("Just a hint?", user="student", **CLASS)
    assert (await bot.answers()).endswith(HINT + "\n")
    await bot.say("Solve 2x = 4", user="student", workspace="school", channel="free")
    assert (await bot.answers()).endswith("The answer is x = 2.\n")  # elsewhere: no policy
    requests = emulator.response_requests()
    assert INSTRUCTIONS["hints"] in requests[0]["instructions"]
    assert INSTRUCTIONS["hints"] not in requests[2]["instructions"]
    history = await bot.command("/config history", **CLASS)
    assert "tutor of this channel → hints" in history


async def test_exam_window(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    now = dt.datetime.now(dt.UTC)
    inside = f"{(now - dt.timedelta(hours=1)):%H:%M}-{(now + dt.timedelta(hours=1)):%H:%M}"
    later = f"{(now + dt.timedelta(hours=2)):%H:%M}-{(now + dt.timedelta(hours=3)):%H:%M}"
    await bot.command(f"/config channel tutor exam {inside}", **CLASS)
    await bot.say("Solve 2x = 4", user="student", **CLASS)
    await bot.answers()
    await bot.command(f"/config channel tutor exam {later}", **CLASS)
    await bot.say("Solve 2x = 4", user="student", **CLASS)
    await bot.answers()
    during, after = emulator.response_requests()
    assert INSTRUCTIONS["exam"] in during["instructions"]
    assert not [t for t in during["tools"] if t["type"] == "code_interpreter"]
    assert INSTRUCTIONS["exam"] not in after["instructions"]
    assert [t for t in after["tools"] if t["type"] == "code_interpreter"]


async def test_tutor_policy_on_discord(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    saved = await say(
        discord_emu, "config tutor", classroom.teacher, classroom.ask_ai, preset="socratic"
    )
    assert saved == "Saved: tutor policy for this channel is now socratic."
    emulator.script(Turn().text(SOLUTION))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "Solve 2x = 4")
    [page] = await discord_bot.answer(asked)
    assert page.startswith("I held back that answer") and "(socratic)" in page
    shown = discord_emu.contents(discord_emu.replies_to(asked)[0]["id"])
    assert not any("The answer is" in text for text in shown)  # no edit ever showed it
    assert INSTRUCTIONS["socratic"] in emulator.response_requests()[0]["instructions"]


async def test_tutor_policy_on_slack(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    await slack_bot.command("config channel tutor hints", channel=GENERAL)
    emulator.script(Turn().text(SOLUTION))
    event = await slack_bot.mention("Solve 2x = 4", user=BOB)
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text.startswith("I held back that answer")
    assert INSTRUCTIONS["hints"] in emulator.response_requests()[0]["instructions"]
