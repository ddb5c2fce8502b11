"""Overrides and quotas that hold everywhere on Discord: a thread follows its parent channel,
a DM counts against the quotas of the servers the person shares with the bot, limits per
role, and ``/assistant quota`` telling a person what is left."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator
from tests.test_discord_admin import DEFAULT, TUTOR, reply, say

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]


async def quota_of(emu: DiscordEmulator, user: object, channel: int) -> str:
    asked = await emu.slash(user, channel, "assistant", "quota")  # type: ignore[arg-type]
    return await reply(emu, asked)


async def test_a_thread_under_an_overridden_channel_gets_the_override(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    teacher, ask_ai = classroom.teacher, classroom.ask_ai
    await say(discord_emu, "config channel", teacher, ask_ai, setting="instructions", value=TUTOR)
    await say(discord_emu, "quota messages", teacher, ask_ai, limit=2, where="channel")
    thread = discord_emu.add_thread(classroom.guild, ask_ai, "Homework 3")
    side = discord_emu.add_thread(classroom.guild, classroom.general, "Chat")

    in_channel = await discord_emu.user_says(classroom.alice, ask_ai, "What is 2x = 4?")
    await discord_bot.answer(in_channel)
    in_thread = await discord_emu.user_says(classroom.alice, thread, "And 3x = 9?")
    await discord_bot.answer(in_thread)
    elsewhere = await discord_emu.user_says(classroom.bob, side, "hi", mention=True)
    await discord_bot.answer(elsewhere)
    requests = emulator.response_requests()
    assert [r["metadata"]["channel"] for r in requests] == [str(ask_ai), str(thread), str(side)]
    assert [r["instructions"] for r in requests] == [TUTOR, TUTOR, DEFAULT]
    # One profile, one conversation: the thread continues the channel's.
    assert requests[0]["conversation"] == requests[1]["conversation"]

    shown = await say(discord_emu, "config show", teacher, thread)
    assert "the parent channel's override" in shown
    # The channel's quota holds in the thread: the third message there is declined.
    over = await discord_emu.user_says(classroom.alice, thread, "And 4x = 16?")
    [declined] = await discord_bot.answer(over)
    assert "You've reached today's limit of 2 messages here." in declined
    assert len(emulator.response_requests()) == 3
    assert "Today here: 0 of 2 messages left." in await quota_of(
        discord_emu, classroom.alice, thread
    )


async def test_a_dm_counts_against_the_class_quota(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    guild = classroom.guild
    other = discord_emu.add_guild("Chess club", "lobby")
    discord_emu.join(guild, classroom.alice, classroom.bob)
    discord_emu.join(other, classroom.alice)
    outsider = discord_emu.add_user("carol")
    await say(discord_emu, "quota messages", classroom.teacher, classroom.general, limit=1)

    # Alice used her one message in class: a DM does not get her another.
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "one")
    await discord_bot.answer(asked)
    dm = await discord_emu.user_dms(classroom.alice, "two, privately")
    [declined] = await discord_bot.answer(dm)
    assert "You've reached today's limit of 1 messages set by Class 101" in declined
    assert "direct messages count against its quota" in declined
    # Bob's DM is answered, and then counts in class.
    bob_dm = await discord_emu.user_dms(classroom.bob, "question by DM")
    await discord_bot.answer(bob_dm)
    in_class = await discord_emu.user_says(classroom.bob, classroom.ask_ai, "and in class")
    [declined] = await discord_bot.answer(in_class)
    assert "You've reached today's limit of 1 messages here." in declined
    # Someone who shares no server with quotas is not limited.
    for text in ("hello", "again"):
        await discord_bot.answer(await discord_emu.user_dms(outsider, text))
    assert len(emulator.response_requests()) == 4

    dm_channel = discord_emu.dm_channel(classroom.alice)
    told = await quota_of(discord_emu, classroom.alice, dm_channel)
    assert "Today in Class 101 (your direct messages count against it): 0 of 1 messages left." in (
        told
    )
    lookups = [c.path for c in discord_emu.calls_of("get_member")]
    assert all(f"/guilds/{guild.id}/" in path for path in lookups)  # only servers with quotas


async def test_quotas_per_role(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    guild, teacher = classroom.guild, classroom.teacher
    students = discord_emu.add_role(guild, "Students")
    discord_emu.give_role(guild, classroom.alice, students)
    await say(discord_emu, "quota messages", teacher, classroom.general, limit=1)
    teachers_role = discord_emu.role_payload(guild, classroom.teachers)
    saved = await say(
        discord_emu,
        "quota role",
        teacher,
        classroom.general,
        role=teachers_role,
        kind="messages",
        limit=0,
    )
    assert saved.startswith(f"Daily limit per person with role <@&{classroom.teachers}>: no limit")
    student_role = discord_emu.role_payload(guild, students)
    await say(
        discord_emu,
        "quota role",
        teacher,
        classroom.general,
        role=student_role,
        kind="messages",
        limit=2,
    )
    shown = await say(discord_emu, "quota show", teacher, classroom.general)
    assert shown.splitlines() == [
        "Whole server: 1 messages",
        "This channel: follows the server",
        f"Role {classroom.teachers}: no limit",
        f"Role {students}: 2 messages",
    ]

    for text in ("one", "two", "three"):  # the teacher: no limit
        await discord_bot.answer(await discord_emu.user_says(teacher, classroom.ask_ai, text))
    for text in ("one", "two"):  # a student: two
        await discord_bot.answer(
            await discord_emu.user_says(classroom.alice, classroom.ask_ai, text)
        )
    [declined] = await discord_bot.answer(
        await discord_emu.user_says(classroom.alice, classroom.ask_ai, "three")
    )
    assert "limit of 2 messages here" in declined
    await discord_bot.answer(await discord_emu.user_says(classroom.bob, classroom.ask_ai, "one"))
    [declined] = await discord_bot.answer(
        await discord_emu.user_says(classroom.bob, classroom.ask_ai, "two")
    )
    assert "limit of 1 messages here" in declined  # no role: the server's limit
    assert len(emulator.response_requests()) == 6
    assert "Today here: 0 of 2 messages left." in await quota_of(
        discord_emu, classroom.alice, classroom.ask_ai
    )
    assert "No daily limit applies to you here (3 message(s) today)." in await quota_of(
        discord_emu, teacher, classroom.ask_ai
    )
    off = await say(
        discord_emu, "quota role", teacher, classroom.general, role=student_role, kind="off"
    )
    assert off == f"Role <@&{students}> has no limit of its own any more."


async def test_forget_and_export_on_discord(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    await discord_bot.answer(await discord_emu.user_says(classroom.alice, classroom.ask_ai, "hi"))
    await discord_bot.answer(await discord_emu.user_dms(classroom.alice, "hello by DM"))
    await discord_bot.answer(await discord_emu.user_says(classroom.bob, classroom.ask_ai, "hey"))
    assert len(emulator.conversations) == 3

    exported = await discord_emu.slash(classroom.alice, classroom.ask_ai, "assistant", "export")
    text = await reply(discord_emu, exported)
    assert text == "Your history on this platform is in the attached file (2 conversation(s))."
    [attachment] = [a for m in exported.message_ids for a in discord_emu.messages[m]["attachments"]]
    assert attachment["filename"].endswith(".json")
    data, _ = next(v for k, v in discord_emu.cdn.items() if k.endswith(attachment["filename"]))
    said = {
        i["text"]
        for c in json.loads(data)["conversations"]
        for i in c["items"]
        if i["role"] == "user"
    }
    assert said == {"hi", "hello by DM"}

    asked = await discord_emu.slash(classroom.alice, classroom.ask_ai, "assistant", "forget")
    warning = await reply(discord_emu, asked)
    assert warning.startswith("This deletes everything I keep about you on Discord")
    assert warning.endswith("run /assistant forget confirm:True.")
    assert len(emulator.conversations) == 3
    confirmed = await discord_emu.slash(
        classroom.alice, classroom.ask_ai, "assistant", "forget", confirm=True
    )
    assert (await reply(discord_emu, confirmed)).startswith("Done: I deleted 2 conversation(s)")
    assert len(emulator.conversations) == 1
    assert await discord_bot.store.user_threads("discord", str(classroom.alice.id)) == []
    assert {j.user for j in await discord_bot.store.jobs()} == {str(classroom.bob.id)}
