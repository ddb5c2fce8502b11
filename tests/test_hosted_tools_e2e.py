"""Web search and image generation, end to end: an admin turns them on per profile; web answers
end with their sources as links in the platform's syntax; generated images arrive as native
files in the thread; both count in the usage report and against daily token limits; on a Chat
Completions backend they are refused, and answers say they are without them."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.quota import IMAGE_TOKENS
from tests.discord_emulator import DiscordEmulator
from tests.discord_fixtures import Classroom, DiscordBot
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_hosted import HostedTurn, url_citation
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, TEST_LIMITS, SlackBot
from tests.test_discord_admin import say
from tests.test_slack_commands import command_text

pytest_plugins = ["tests.discord_fixtures"]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01 a crab, drawn"
RUST = "https://blog.rust-lang.org/2025/02/20/Rust-1.85.0/?utm_source=openai"
EDITION = "https://doc.rust-lang.org/edition-guide/rust-2024/"
ANSWER = (
    "Rust 2024 shipped with Rust 1.85 ([blog.rust-lang.org](" + RUST + ")); "
    "the edition guide lists the changes ([doc.rust-lang.org](" + EDITION + "))."
)


def web_turn(before: HostedTurn | None = None) -> HostedTurn:
    """A search whose answer cites two pages, one of them twice (the API does that)."""
    return (
        (before or HostedTurn())
        .web_search("rust 2024 edition", [RUST, EDITION, "https://example.com/unused"])
        .text(
            ANSWER,
            annotations=[
                url_citation(ANSWER, "[blog.rust-lang.org]", RUST, "Announcing Rust 1.85.0"),
                url_citation(ANSWER, "[doc.rust-lang.org]", EDITION, "Rust 2024 - Edition Guide"),
                url_citation(ANSWER, "changes", RUST.replace("?utm_source=openai", ""), ""),
            ],
        )
    )


async def slack_admin_turns_on(bot: SlackBot, slack: SlackEmulator, *tools: str) -> None:
    slack.users[ALICE] = {"is_admin": True}
    for tool in tools:
        reply = command_text(await bot.command(f"config tools on {tool}"))
        assert reply.startswith("Saved: tools"), reply


async def test_slack_web_answer_ends_with_its_sources_and_an_image_lands_in_the_thread(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    await slack_admin_turns_on(slack_bot, slack, "web_search", "image_generation")
    emulator.script(web_turn().image(PNG))
    event = await slack_bot.dm("What's new in Rust 2024? And draw me a crab.")
    await slack_bot.answers()

    [request] = emulator.response_requests()
    assert {"type": "web_search"} in request["tools"]
    assert {"type": "image_generation"} in request["tools"]
    assert request["include"].count("web_search_call.action.sources") == 1
    [text] = slack_bot.texts(event)
    # Slack answers are standard Markdown (markdown_text), so links are Markdown's.
    assert text == (
        ANSWER + "\n\nSources from the web: [Announcing Rust 1.85.0](" + RUST + ")"
        " · [Rust 2024 - Edition Guide](" + EDITION + ")"
    )
    [upload] = slack.uploads.values()
    assert (upload.filename, upload.data) == ("image-1.png", PNG)
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == (ALICE_DM, event["ts"])
    [with_file] = [m for m in slack_bot.thread(event) if m.files]
    assert with_file.files[0]["name"] == "image-1.png"

    report = command_text(await slack_bot.command("usage all"))
    assert f"• {ALICE}: 1 message(s), 46 tokens, 1 web search(es), 1 image(s)" in report
    assert "each web search counts as 5000 tokens and each image as 20000 tokens" in report

    def tables() -> list[Any]:
        return [u for u in slack.uploads.values() if u.filename.endswith(".csv") and u.data]

    await slack.until(lambda: bool(tables()))
    [table] = tables()
    [row] = csv.DictReader(io.StringIO(table.data.decode()))
    assert (row["user"], row["web_searches"], row["images"]) == (ALICE, "1", "1")
    mine = command_text(await slack_bot.command("usage"))
    assert mine.startswith("Today: 1 message(s), 46 tokens, 1 web search(es), 1 image(s).")


async def test_slack_sources_used_by_a_search_are_listed_when_the_answer_cites_none(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    await slack_admin_turns_on(slack_bot, slack, "web_search")
    emulator.script(
        HostedTurn().web_search("weather seoul", [EDITION, EDITION + "#x"]).text("Sunny.")
    )
    event = await slack_bot.dm("Weather in Seoul?")
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text == f"Sunny.\n\nSources from the web: [doc.rust-lang.org]({EDITION})"


async def test_generated_images_count_against_the_daily_token_limit(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    await slack_admin_turns_on(slack_bot, slack, "image_generation")
    slack.users[BOB] = {"is_admin": False}
    limit = IMAGE_TOKENS  # 150 + 46 tokens would leave most of it
    saved = command_text(await slack_bot.command(f"quota tokens {limit}"))
    assert saved == f"Daily limit per person for the whole workspace: {limit} tokens."
    emulator.script(Turn().text("Here you go.").usage(100, 50), HostedTurn().image(PNG))
    await slack_bot.dm("hello", user=BOB, channel=BOB_DM)  # 150 tokens: far from the limit
    await slack_bot.answers()
    drawn = await slack_bot.dm("draw a crab", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    assert [u.data for u in slack.uploads.values()] == [PNG]
    left = command_text(await slack_bot.command("quota", user=BOB, channel=BOB_DM))
    used = 150 + 46 + IMAGE_TOKENS
    assert left.startswith(f"Today here: {max(limit - used, 0)} of {limit} tokens left.")
    refused = await slack_bot.dm("another one", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    assert len(emulator.response_requests()) == 2  # the third question never reached the model
    [notice] = slack_bot.texts(refused)
    assert f"You've reached today's limit of {limit} tokens here" in notice
    assert slack_bot.texts(drawn) == ["Attached: image-1.png"]


async def test_an_unreadable_or_oversized_image_is_named_and_the_answer_kept(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot: SlackBot = await make_slack_bot(
        limits=dataclasses.replace(TEST_LIMITS, max_upload_bytes=len(PNG) - 1)
    )
    await slack_admin_turns_on(bot, slack, "image_generation")
    emulator.script(
        HostedTurn().text("A crab:").image(result="not base64 at all!"),
        HostedTurn().text("Too big:").image(PNG),
        HostedTurn().text("Blocked:").failed_image(),
    )
    caplog.set_level(logging.WARNING, logger="bot.render")
    bad = await bot.dm("draw a crab")
    await bot.answers()
    big = await bot.dm("draw a bigger crab")
    await bot.answers()
    blocked = await bot.dm("draw something else")
    await bot.answers()
    assert bot.texts(bad) == [
        "A crab:\n\n⚠️ The generated image came back unreadable, so it is not shown."
    ]
    assert "is not a readable image (18 characters of base64)" in caplog.text
    assert "ended without an image" in caplog.text
    assert bot.texts(big) == ["Too big:\n\n⚠️ image-1.png is too large to upload here."]
    assert bot.texts(blocked) == ["Blocked:\n\n⚠️ The image could not be generated."]
    assert slack.uploads == {}
    runs = [await bot.store.latest_run(job.id) for job in await bot.store.jobs()]
    assert [(r.images if r else None) for r in runs] == [1, 1, 0]  # billed when one came back


async def test_discord_web_links_do_not_unfurl_and_the_image_is_attached(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot()
    for tool in ("web_search", "image_generation"):
        saved = await say(
            discord_emu, "config tools", classroom.teacher, classroom.general, state="on", tool=tool
        )
        assert saved.startswith("Saved: tools"), saved
    emulator.script(web_turn().image(PNG))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.ask_ai, "What's new in Rust 2024? Draw a crab too."
    )
    [page] = await bot.answer(asked)
    assert page.endswith(
        "Sources from the web: [Announcing Rust 1.85.0](<" + RUST + ">)"
        " · [Rust 2024 - Edition Guide](<" + EDITION + ">)"
    )
    [upload] = [u for c in discord_emu.calls_of("create") for u in c.uploads]
    assert upload.data == PNG
    [with_file] = [m for m in discord_emu.replies_to(asked) if m["attachments"]]
    assert with_file["attachments"][0]["filename"] == "image-1.png"
    report = await say(discord_emu, "usage all", classroom.teacher, classroom.ask_ai)
    assert ", 1 web search(es), 1 image(s)" in report


async def test_chat_completions_refuses_them_and_answers_without_them(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    bot: SlackBot = await make_slack_bot()
    await slack_admin_turns_on(bot, slack, "web_search")
    switched = command_text(await bot.command("config api chat_completions"))
    assert switched.endswith(
        "Code interpreter, file search, web search and image generation are not available"
        " there, so they are off while it does."
    )
    refused = command_text(await bot.command("config tools on image_generation"))
    assert refused.startswith("image_generation cannot be turned on here")
    assert "web search, image generation" in refused

    emulator.script(Turn().text("Rust 2024 is the newest edition, as far as I know."))
    event = await bot.dm("What's new in Rust 2024?")
    await bot.answers()
    [text] = bot.texts(event)
    assert text == (
        "_Not available with this assistant's model server (Chat Completions): web search."
        " This answer is without them._\n\nRust 2024 is the newest edition, as far as I know."
    )
    [request] = emulator.chat_requests()
    assert "tools" not in request or all(t["type"] == "function" for t in request["tools"])
    assert emulator.response_requests() == []


async def test_polled_answers_show_sources_and_an_image_once_across_a_restart(
    make_slack_bot: Callable[..., Any], emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    poll = {"assistant_run_mode": "poll", "assistant_tools": "web_search,image_generation"}
    first: SlackBot = await make_slack_bot(**poll)
    release = asyncio.Event()
    # created, queued, in_progress, then the image item's five events: the first process
    # sees the finished image and stops before the text and the search.
    emulator.script(web_turn(HostedTurn().image(PNG)).gate(release, after_events=8))
    event = await first.dm("Draw a crab, then tell me about Rust 2024.")
    await slack.until(lambda: bool(slack.uploads))
    [job] = await first.store.jobs()
    while not (await first.store.get_job(job.id)).reply_state.get("uploaded"):  # type: ignore[union-attr]
        polls = len([r for r in emulator.requests if r.method == "GET"])
        await emulator.wait_requests(lambda r: r.method == "GET", count=polls + 1)  # a tick
    await first.service.stop()
    await first.engine.stop(grace=0)  # the process goes away mid-run
    await first.service.close()
    await first.backend.close()
    await first.store.close()

    second: SlackBot = await make_slack_bot(**poll)
    release.set()
    await second.answers()
    assert [u.data for u in slack.uploads.values()] == [PNG]  # not posted again
    [request] = emulator.response_requests()
    assert request["background"] is True
    [text] = second.texts(event)
    assert text.endswith(
        "Sources from the web: [Announcing Rust 1.85.0](" + RUST + ")"
        " · [Rust 2024 - Edition Guide](" + EDITION + ")"
    )
    [job] = await second.store.jobs()
    run = await second.store.latest_run(job.id)
    assert run is not None and (run.web_searches, run.images) == (1, 1)
