"""The Discord adapter at the edges: 429s, a shared per-channel budget, upload limits, who is
ignored, a missing privileged intent, and a gateway reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from bot.budget import CallBudget
from bot.errors import ConfigError
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]


@pytest.mark.parametrize("via", [True, False], ids=["waited-by-discord.py", "raised-to-editor"])
async def test_429s_on_edits_still_end_with_the_complete_text(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    via: bool,
) -> None:
    answer = "The derivative of x² is 2x, by the power rule."
    emulator.script(Turn().text(answer, deltas=6).delta_interval(0.02))
    discord_emu.fail_next("edit", times=3, retry_after=0.05, via=via)
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "derivative of x^2?", mention=True
    )
    assert await discord_bot.answer(asked) == [answer]
    limited = discord_emu.rate_limited()
    assert len(limited) == 3 and all(c.kind == "edit" for c in limited)
    [job] = await discord_bot.store.jobs()
    assert job.status == "answered"


async def test_concurrent_replies_in_one_channel_share_the_budget_without_429s(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    students = [discord_emu.add_user(f"student{i}") for i in range(4)]
    asked = [
        await discord_emu.user_says(s, classroom.general, f"question {i}", mention=True)
        for i, s in enumerate(students)
    ]
    for message_id, i in zip(asked, range(4), strict=True):
        assert await discord_bot.answer(message_id) == [f"You said: question {i}"]
    assert discord_emu.rate_limited() == []
    writes = sorted(c.at for c in discord_emu.calls_of("create", "edit"))
    window = discord_emu.rate_limit[1]
    sixth_after = zip(writes, writes[5:], strict=False)
    assert all(later - earlier >= window * 0.9 for earlier, later in sixth_after)


async def test_a_generated_file_over_the_upload_limit_is_named_not_sent(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    from tests.discord_fixtures import TEST_LIMITS

    bot: DiscordBot = await make_discord_bot(limits=replace(TEST_LIMITS, max_upload_bytes=100))
    emulator.script(
        Turn()
        .code("plt.savefig('big.png')", files=[("big.png", b"x" * 500)])
        .text("Done: [big.png](sandbox:/mnt/data/big.png)")
    )
    asked = await discord_emu.user_says(classroom.bob, classroom.general, "plot", mention=True)
    [page] = await bot.answer(asked)
    assert "big.png is too large to upload here." in page
    assert all(not c.uploads for c in discord_emu.calls_of("create"))


async def test_bots_system_messages_and_unserved_servers_get_nothing(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    other_server = discord_emu.add_guild("Another school", "lobby")
    bot: DiscordBot = await make_discord_bot(discord_guild_ids=str(classroom.guild.id))
    robot = discord_emu.add_user("robot", bot=True)
    ignored = [
        await discord_emu.user_says(robot, classroom.general, "hello", mention=True),
        await discord_emu.user_says(robot, classroom.ask_ai, "hello"),
        await discord_emu.user_says(
            classroom.alice, classroom.general, "joined", mention=True, message_type=7
        ),
        await discord_emu.user_says(
            classroom.alice, other_server.channels["lobby"], "hi", mention=True
        ),
    ]
    # Events are handled in order: once this one is answered, the others were seen.
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "and me?")
    assert await bot.answer(asked) == ["You said: and me?"]
    assert all(discord_emu.replies_to(m) == [] for m in ignored)
    assert [j.event_id for j in await bot.store.jobs()] == [str(asked)]


async def test_missing_message_content_intent_stops_start_with_a_clear_error(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator
) -> None:
    discord_emu.gateway.message_content_allowed = False
    with pytest.raises(ConfigError, match="Message Content intent"):
        await make_discord_bot()


async def test_a_wrong_token_stops_start_with_a_clear_error(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator
) -> None:
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN"):
        await make_discord_bot(discord_bot_token="not-the-token")
    assert discord_emu.calls_of("me")[0].status == 401


async def test_after_a_gateway_reconnect_the_session_resumes_and_messages_flow(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    await discord_emu.gateway.reconnect()
    await discord_emu.wait_for(lambda: discord_emu.gateway.state.resumes == 1)
    asked = await discord_emu.user_says(
        classroom.bob, classroom.general, "still there?", mention=True
    )
    assert await discord_bot.answer(asked) == ["You said: still there?"]
    assert discord_emu.gateway.state.connects == 2


async def test_the_same_message_delivered_twice_is_answered_once(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "once", mention=True)
    # A resumed session may replay an event: Discord's message id is the inbox's event id.
    await discord_emu.gateway.dispatch(
        "MESSAGE_CREATE",
        {
            **discord_emu.messages[asked],
            "guild_id": str(classroom.guild.id),
            "member": {"roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "flags": 0},
        },
    )
    follow = await discord_emu.user_says(classroom.alice, classroom.general, "twice?", mention=True)
    await discord_bot.answer(follow)
    assert await discord_bot.answer(asked) == ["You said: once"]
    assert len(await discord_bot.store.jobs()) == 2


async def test_a_reply_waiting_for_the_shared_budget_can_be_cancelled() -> None:
    # Found by bench/discord_concurrency.py: 20 replies in one channel hung when a finished
    # reply's flusher was cancelled just as the budget woke it (asyncio.wait_for on 3.11).
    budget = CallBudget(1, 60.0)
    await budget.acquire()
    budget.hold()
    waiter = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    budget.release()  # wakes the waiter…
    waiter.cancel()  # …as its reply is abandoned
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await waiter


async def test_the_reply_budget_waits_exactly_as_long_as_discords_headers_say(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    from tests.discord_fixtures import TEST_LIMITS

    # Discord's bucket: 3 per 1 s. The bot's own numbers say 3 per 4 s: a budget counting its
    # own window would hold the fourth answer 4 s; the headers say when the bucket resets.
    discord_emu.rate_limit = (3, 1.0)
    bot: DiscordBot = await make_discord_bot(
        limits=replace(TEST_LIMITS, calls_per_window=3, window=4.0)
    )
    students = [discord_emu.add_user(f"student{i}") for i in range(5)]
    asked = await asyncio.gather(
        *(
            discord_emu.user_says(s, classroom.general, f"question {i}", mention=True)
            for i, s in enumerate(students)
        )
    )
    for message_id, i in zip(asked, range(5), strict=True):
        assert await bot.answer(message_id) == [f"You said: question {i}"]
    assert discord_emu.rate_limited() == []
    writes = sorted(c.at for c in discord_emu.calls_of("create", "edit"))
    assert len(writes) == 5
    assert writes[3] - writes[0] >= 0.9  # not before Discord's bucket reset
    assert writes[3] - writes[0] < 4.0  # and not after a window of the bot's own


async def test_questions_waiting_in_a_crowded_channel_are_marked_until_answered(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    from adapters.discord.waiting import WAITING

    # Seven answers open at once in one channel (more than its 5 writes per window): none
    # could show a progress message without delaying a final, so each question gets ⏳.
    release = asyncio.Event()
    emulator.default_reply = lambda body: Turn().text("Here you go.").gate(release)
    students = [discord_emu.add_user(f"student{i}") for i in range(7)]
    asked = await asyncio.gather(
        *(
            discord_emu.user_says(s, classroom.general, f"question {i}", mention=True)
            for i, s in enumerate(students)
        )
    )
    await discord_emu.wait_for(
        lambda: all(WAITING in discord_emu.reactions.get(m, ()) for m in asked)
    )
    assert discord_emu.calls_of("create", "edit") == []  # no message write spent on them
    release.set()
    for message_id in asked:
        assert await discord_bot.answer(message_id) == ["Here you go."]
    await discord_emu.wait_for(lambda: not any(discord_emu.reactions.get(m) for m in asked))
    assert len(discord_emu.calls_of("create", "edit")) == 7  # one write per answer, as before
    assert discord_emu.rate_limited() == []  # reactions paced by their own bucket's headers


async def test_a_lone_question_gets_no_mark(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    emulator.script(Turn().text("Just for you.", deltas=3).delta_interval(0.02))
    asked = await discord_emu.user_says(classroom.alice, classroom.general, "hi", mention=True)
    assert await discord_bot.answer(asked) == ["Just for you."]
    assert discord_emu.reaction_log == []


async def test_a_long_answers_final_needs_no_wait_for_the_channels_next_window(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    from bot.split import split_message
    from tests.discord_fixtures import TEST_LIMITS

    # The whole answer streams within one window of the channel's bucket (5 writes per 4 s):
    # the three-message answer's final must find the calls it needs (finish page 2, start
    # page 3) left by the progress edits, not wait for the bucket's reset.
    discord_emu.rate_limit = (5, 4.0)
    bot: DiscordBot = await make_discord_bot(
        limits=replace(TEST_LIMITS, calls_per_window=5, window=4.0)
    )
    progress_waits = asyncio.Event()
    bot.engine.budgets.on_deferred = lambda name, kind: kind == "progress" and progress_waits.set()
    text = " ".join(f"Step {n} of the worked proof." for n in range(200))[:4500].rstrip()
    pages = split_message(text, 2000)
    assert len(pages) == 3
    deltas = [text[:1000], text[1000:2600], text[2600:3500], text[3500:]]
    gates = [asyncio.Event() for _ in deltas[1:]]
    turn = Turn().text(text, deltas=deltas)
    for n, gate in enumerate(gates):
        turn.gate(gate, after_events=5 + n)  # before each delta after the first
    emulator.script(turn)
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "prove it", mention=True
    )

    def shown() -> list[str]:
        return discord_emu.pages(asked)

    await discord_emu.wait_for(lambda: shown() == [deltas[0]])  # progress on page 1
    gates[0].set()
    # Page 1 finished for good, page 2 begun: the progress so far took three writes.
    await discord_emu.wait_for(lambda: shown()[:1] == pages[:1] and len(shown()) == 2)
    gates[1].set()
    # Page 2 grows, but its edit would take a call the final may need: it waits.
    edited = asyncio.ensure_future(
        discord_emu.wait_for(lambda: len(discord_emu.calls_of("create", "edit")) > 3)
    )
    waiting = asyncio.ensure_future(progress_waits.wait())
    await asyncio.wait([edited, waiting], return_when=asyncio.FIRST_COMPLETED)
    edited.cancel()
    waiting.cancel()
    await asyncio.gather(edited, waiting, return_exceptions=True)
    assert progress_waits.is_set(), "a progress edit took the final's reserved call"
    gates[2].set()  # the last part: the final finishes page 2 and posts page 3
    assert await bot.answer(asked) == pages
    assert discord_emu.rate_limited() == []
    writes = discord_emu.calls_of("create", "edit")
    # The bucket counts all five writes: its window never reset before the final was out.
    assert len(writes) == 5 == discord_emu.buckets[f"channel:{classroom.general}"].count
    first_page = int(discord_emu.replies_to(asked)[0]["id"])
    assert len(discord_emu.written[first_page]) == 2  # posted, then finished: never rewritten
