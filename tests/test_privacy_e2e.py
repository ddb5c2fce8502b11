"""Privacy end to end through the engine and the OpenAI emulator: forgetting a person
deletes their objects on OpenAI and their rows (and nobody else's), retention deletes only
conversations idle past the period (idempotent, and once when two sweeps race), and an
export carries the person's history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from adapters.console import parse_line
from bot.commands import handle_command
from bot.privacy import sweep_retention
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

SCHOOL = {"workspace": "school", "channel": "algebra"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


async def chat_with_files(bot: ConsoleBot, emulator: OpenAIEmulator, tmp: Path, user: str) -> None:
    """The person attaches data, an image and a document, and code runs on the data."""
    data, image, doc = tmp / f"{user}.csv", tmp / f"{user}.png", tmp / f"{user}.md"
    data.write_text("name,age\nKim,15\n")
    image.write_bytes(PNG)
    doc.write_text("# Notes\nExam on Friday.")
    emulator.script(Turn().code("df.age.mean()", logs="15.0").text("The mean age is 15."))
    await bot.say(f"Mean age? @{data} @{image} @{doc}", user=user, **SCHOOL)
    await bot.answers()


def objects(emulator: OpenAIEmulator) -> tuple[set[str], set[str], set[str], set[str]]:
    return (
        set(emulator.conversations),
        {f.filename for f in emulator.files.values()},
        set(emulator.vector_stores),
        set(emulator.containers),
    )


async def test_forget_deletes_the_persons_objects_on_openai_and_their_rows(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    await chat_with_files(bot, emulator, tmp_path, "kim")
    kim_objects = objects(emulator)
    await chat_with_files(bot, emulator, tmp_path, "lee")
    lee_objects = tuple(now - kim for now, kim in zip(objects(emulator), kim_objects, strict=True))
    await bot.command("/reset", user="kim", **SCHOOL)
    await bot.say("and again", user="kim", **SCHOOL)  # a second conversation after reset
    await bot.answers()
    conversations, files, stores, containers = objects(emulator)
    assert len(conversations) == 3 and len(stores) == 2 and len(containers) == 2
    assert files == {"kim.csv", "kim.png", "kim.md", "lee.csv", "lee.png", "lee.md"}

    asked = await bot.command("/forget", user="kim", **SCHOOL)
    assert asked.startswith("This deletes everything I keep about you")
    assert asked.endswith("send /forget confirm.")
    assert objects(emulator)[0] == conversations  # nothing deleted before the confirmation

    done = await bot.command("/forget confirm", user="kim", **SCHOOL)
    assert done.startswith("Done: I deleted 2 conversation(s)")
    assert objects(emulator) == lee_objects
    assert lee_objects[1] == {"lee.csv", "lee.png", "lee.md"}
    assert all(len(kind) == 1 for kind in (lee_objects[0], lee_objects[2], lee_objects[3]))
    store = bot.store
    assert await store.user_threads("console", "kim") == []
    assert [j.user for j in await store.jobs()] == ["lee"]
    assert await store.remembered_locale("console", "kim") is None
    assert len(await store.user_threads("console", "lee")) == 1
    # Asking again finds nothing to delete, and the person can start afresh.
    again = await bot.command("/forget confirm", user="kim", **SCHOOL)
    assert again.startswith("Done: I deleted 0 conversation(s)")


async def test_retention_deletes_only_what_is_old(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    assert "Give the retention period" in await bot.command("/config retention soon", **SCHOOL)
    saved = await bot.command("/config retention 30", user="teacher", **SCHOOL)
    assert saved == "Saved: retention_days for the whole workspace is now 30."
    assert "retention: idle conversations deleted after 30 days" in await bot.command(
        "/config show", **SCHOOL
    )
    await chat_with_files(bot, emulator, tmp_path, "old")
    old_objects = objects(emulator)
    await bot.say("hi", user="recent", **SCHOOL)
    await bot.say("hi", user="elsewhere", workspace="other", channel="x")
    await bot.answers()
    # Time passes for one of them: 31 days without a message.
    await bot.store.db.execute(
        "UPDATE threads SET last_used_at = last_used_at - 31 * 86400 WHERE user_id = 'old'"
    )
    await bot.store.db.execute(
        "UPDATE threads SET last_used_at = last_used_at - 31 * 86400 WHERE user_id = 'elsewhere'"
    )
    await bot.store.db.execute(
        "UPDATE jobs SET created_at = created_at - 31 * 86400 WHERE user_id = 'old'"
    )
    before = objects(emulator)
    # Two sweeps at once (two processes): each conversation is deleted once.
    counts = await asyncio.gather(
        sweep_retention(bot.store, bot.backend), sweep_retention(bot.store, bot.backend)
    )
    assert sorted(counts) == [0, 1]
    after = objects(emulator)
    assert after[0] == before[0] - old_objects[0]
    assert after[1] == before[1] - {"old.csv", "old.png", "old.md"}
    assert after[2] == set() and after[3] == set()
    deletes = [r for r in emulator.requests if r.method == "DELETE" and "/conversations/" in r.path]
    assert len(deletes) == 1
    assert await bot.store.user_threads("console", "old") == []
    assert [j.user for j in await bot.store.jobs()] == ["recent", "elsewhere"]
    assert len(await bot.store.user_threads("console", "elsewhere")) == 1  # no retention there
    assert await sweep_retention(bot.store, bot.backend) == 0  # idempotent
    # The person who was deleted simply starts a new conversation.
    await bot.say("hello again", user="old", **SCHOOL)
    await bot.answers()
    assert len(await bot.store.user_threads("console", "old")) == 1


async def test_export_sends_the_persons_history_as_a_file(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    message = replace(parse_line("x", user="kim"), **SCHOOL)
    empty = await handle_command(bot.commands, message, "export")
    assert empty.text == "I keep no conversations of yours on this platform." and not empty.files
    await chat_with_files(bot, emulator, tmp_path, "kim")
    await bot.say("hi", user="lee", **SCHOOL)
    await bot.answers()
    reply = await handle_command(bot.commands, message, "export")
    assert (
        reply.text == "Your history on this platform is in the attached file (1 conversation(s))."
    )
    [file] = reply.files
    assert file.filename.startswith("assistant-history-console-") and file.filename.endswith(
        ".json"
    )
    history = json.loads(file.data)
    assert history["user"] == "kim"
    [conversation] = history["conversations"]
    assert conversation["workspace"] == "school"
    assert sorted(conversation["files"]) == ["kim.csv", "kim.md", "kim.png"]
    said = [i for i in conversation["items"] if i["role"] == "user"]
    assert said and said[0]["text"].startswith("Mean age?")
    assert {"role": "assistant", "code": "df.age.mean()"} in conversation["items"]
    assert any(i.get("text") == "The mean age is 15." for i in conversation["items"])
    assert "lee" not in file.data.decode()


async def test_a_chat_completions_history_is_exported_and_forgotten_from_the_store(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    """Threads the bot keeps itself (Chat Completions) are read and deleted in its database;
    nothing about them is asked of OpenAI's conversations."""
    bot: ConsoleBot = await make_bot(model_api="chat_completions")
    emulator.script(Turn().text("x = 1."), Turn().text("Nice to meet you."))
    await bot.say("Solve 3x + 11 = 14", user="kim", **SCHOOL)
    await bot.answers()
    await bot.say("hi", user="lee", **SCHOOL)
    await bot.answers()
    [kim] = await bot.store.user_threads("console", "kim")
    assert len(await bot.store.chat_messages(kim.conversation_id)) == 2

    message = replace(parse_line("x", user="kim"), **SCHOOL)
    [file] = (await handle_command(bot.commands, message, "export")).files
    [conversation] = json.loads(file.data)["conversations"]
    assert conversation["items"] == [
        {"role": "user", "text": "Solve 3x + 11 = 14"},
        {"role": "assistant", "text": "x = 1."},
    ]

    done = await bot.command("/forget confirm", user="kim", **SCHOOL)
    assert done.startswith("Done: I deleted 1 conversation(s)")
    assert await bot.store.chat_messages(kim.conversation_id) == []
    assert await bot.store.user_threads("console", "kim") == []
    [lee] = await bot.store.user_threads("console", "lee")
    assert len(await bot.store.chat_messages(lee.conversation_id)) == 2
    assert not [r for r in emulator.requests if "/conversations" in r.path]
