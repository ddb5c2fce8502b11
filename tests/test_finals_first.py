"""Finals first (issue 16), end to end on Slack's post + chat.update path: a final text never
queues behind a progress edit, and goes out as a new message when chat.update's budget is
spent. The budgets are small and their windows long, so a final that waited for the window
would miss the emulators' timeouts instead of merely arriving late."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import JSON, Tier
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, BOB, TEST_LIMITS, SlackBot

CAROL = "U0CAROL"


def answer_to(body: JSON) -> str:
    question = str(body["input"][0]["content"][0]["text"])
    name = question.split()[-1]
    return f"The answer to {name} is <!channel> " + " ".join(f"w{n}" for n in range(30))


async def ask(bot: SlackBot, user: str, channel: str, name: str) -> JSON:
    return await bot.mention(f"question {name}", user=user, channel=channel)


async def test_a_final_goes_out_as_a_new_message_when_the_update_budget_is_spent(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One chat.update a minute: the first answer's final spends it.
    limits = dataclasses.replace(TEST_LIMITS, calls_per_window=1, window=60.0, final_patience=0.2)
    slack.limiter.tiers["chat.update"] = Tier(1, 60.0)
    bot: SlackBot = await make_slack_bot(limits=limits, slack_native_streaming=False)
    emulator.default_reply = lambda body: Turn().text(answer_to(body), deltas=5)
    first = await ask(bot, ALICE, "C0ONE", "one")
    await bot.answers()
    [shown] = bot.texts(first)
    assert shown.startswith("The answer to one is ") and shown.endswith("w29")
    [update] = slack.calls_to("chat.update")
    caplog.set_level(logging.INFO, logger="bot")

    second, third = await ask(bot, BOB, "C0TWO", "two"), await ask(bot, CAROL, "C0SIX", "six")
    async with asyncio.timeout(10):  # waiting for the spent minute would take 60 s
        await bot.answers()

    for event, name in ((second, "two"), (third, "six")):
        # One message in the thread: the final text; its "…" placeholder was deleted.
        [message] = bot.thread(event)
        # The new message is written like any other: no @channel ping (issue 13).
        assert message.shown.startswith(f"The answer to {name} is @\u2060channel ")
        assert message.shown.endswith("w29")
        [placeholder] = [m for m in slack.deleted if m.channel == event["channel"]]
        assert placeholder.history == ["…"]
    assert slack.calls_to("chat.update") == [update]  # nothing more asked of the spent tier
    assert slack.rate_limited == []
    assert [j.status for j in await bot.store.jobs()] == ["answered"] * 3
    rerouted = [r for r in caplog.records if "go out as new messages" in r.getMessage()]
    assert len(rerouted) == 1 and rerouted[0].levelno == logging.INFO  # once, not per reply


async def test_a_final_never_queues_behind_a_progress_edit(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Three chat.updates a minute for two open replies: progress may take only the one call
    # not reserved for a final; both finals are edits in place, without waiting the minute.
    limits = dataclasses.replace(TEST_LIMITS, calls_per_window=3, window=60.0)
    slack.limiter.tiers["chat.update"] = Tier(3, 60.0)
    bot: SlackBot = await make_slack_bot(limits=limits, slack_native_streaming=False)
    caplog.set_level(logging.INFO, logger="bot")
    long_done = asyncio.Event()
    words = [f"w{n} " for n in range(40)]

    def reply(body: JSON) -> Turn:
        question = str(body["input"][0]["content"][0]["text"])
        if question.endswith("long"):  # streams until the short answer's final is shown
            return Turn().text("".join(words), deltas=words).gate(long_done, after_events=20)
        return Turn().text("short answer", deltas=2).delta_interval(0.05)

    emulator.default_reply = reply
    long = await ask(bot, ALICE, "C0LONG", "long")
    short = await ask(bot, BOB, "C0SHORT", "short")
    await slack.until(lambda: bot.texts(short) == ["short answer"])
    long_done.set()
    async with asyncio.timeout(10):
        await bot.answers()

    assert bot.texts(long) == ["".join(words)]
    updates = slack.calls_to("chat.update")
    assert len(updates) <= 3 and slack.rate_limited == []
    assert updates[-1].args["channel"] == "C0LONG"  # the long answer's final, in place
    assert slack.deleted == []  # no other route was needed
    held = [r for r in caplog.records if "progress edits wait" in r.getMessage()]
    assert len(held) == 1
