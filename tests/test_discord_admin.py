"""Admin and classroom controls on Discord, end to end: ``/assistant-admin`` shown only to
admins, forms as real modals, who counts as an admin (checked on every use), quotas, stop,
and Korean for Korean-locale people."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from adapters.discord.admin_commands import ADMIN_COMMAND
from bot.locales import ko
from storage.records import WORKSPACE_DEFAULT
from tests.discord_emulator import DiscordEmulator, Interaction, User
from tests.discord_emulator_payloads import EPHEMERAL, MANAGE_GUILD
from tests.openai_emulator import OpenAIEmulator, Turn

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

TUTOR = "You are a patient algebra tutor. Answer in steps."
DEFAULT = "You are a math tutor."  # the tests' ASSISTANT_INSTRUCTIONS
SYLLABUS = b"# Algebra\nWeek 1: equations\nWeek 3: quadratics"


async def admin(
    emu: DiscordEmulator, user: User, channel: int, subcommand: str, **options: Any
) -> Interaction:
    """``/assistant-admin <subcommand>``, once the bot has answered it (message or form)."""
    interaction = await emu.slash(user, channel, ADMIN_COMMAND, subcommand, **options)
    await emu.wait_for(lambda: interaction.callback)
    return interaction


async def reply(emu: DiscordEmulator, interaction: Interaction) -> str:
    """The text the person was shown, checked to be for their eyes only."""
    await emu.wait_for(lambda: interaction.callback and emu.shown(interaction))
    assert interaction.callback is not None
    assert int(interaction.callback["data"]["flags"]) & EPHEMERAL, interaction.callback
    for message_id in interaction.message_ids:
        assert emu.messages[message_id]["flags"] & EPHEMERAL
    return "\n".join(emu.shown(interaction))


async def say(
    emu: DiscordEmulator, subcommand: str, user: User, channel: int, **options: Any
) -> str:
    """What the person is shown in answer to ``/assistant-admin <subcommand>``."""
    return await reply(emu, await admin(emu, user, channel, subcommand, **options))


async def test_admin_commands_are_synced_for_admins_in_servers_only(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    [sync] = discord_emu.calls_of("sync")
    sent = {command["name"]: command for command in sync.json}
    assert sent["assistant"]["default_member_permissions"] is None
    admin_command = sent[ADMIN_COMMAND]
    assert admin_command["default_member_permissions"] == MANAGE_GUILD  # Manage Server
    assert admin_command["contexts"] == [0] and admin_command["dm_permission"] is False
    tree = {
        group["name"]: [sub["name"] for sub in group["options"]]
        for group in admin_command["options"]
    }
    assert tree == {
        "config": [
            "show",
            "instructions",
            "model",
            "tools",
            "mode",
            "tutor",
            "retention",
            "api",
            "server",
            "language",
            "channel",
            "history",
            "rollback",
        ],
        "knowledge": ["add", "list", "remove"],
        "quota": ["messages", "tokens", "off", "role", "show"],
        "usage": ["all"],
        "mcp": ["add", "remove", "list"],
    }
    # What Discord's client makes of it: students don't see it, nor does anyone in a DM.
    with pytest.raises(PermissionError):
        await discord_emu.slash(classroom.alice, classroom.general, ADMIN_COMMAND, "config show")
    with pytest.raises(PermissionError):
        dm = discord_emu.dm_channel(classroom.teacher)
        await discord_emu.slash(classroom.teacher, dm, ADMIN_COMMAND, "config show")


async def test_teacher_sets_class_instructions_in_a_form_then_rolls_back(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    teacher, ask_ai = classroom.teacher, classroom.ask_ai  # the class channel
    opened = await admin(discord_emu, teacher, ask_ai, "config channel", setting="instructions")
    assert opened.modal is not None and opened.callback is not None
    assert opened.callback["type"] == 9 and opened.modal["title"] == "Assistant instructions"
    assert discord_emu.form_values(opened) == [DEFAULT]  # pre-filled with what applies now
    [field] = opened.modal["components"]
    assert field["label"] == "Instructions for this channel"
    assert field["component"]["style"] == 2 and field["component"]["max_length"] == 4000
    assert discord_emu.bot_messages(ask_ai) == []  # a form, not a message

    saved = await discord_emu.submit_form(opened, TUTOR)
    assert (await reply(discord_emu, saved)).startswith("Saved: instructions for this channel")

    in_class = await discord_emu.user_says(classroom.alice, ask_ai, "What is 2x = 4?")
    elsewhere = await discord_emu.user_says(classroom.bob, classroom.general, "Hello", mention=True)
    await discord_bot.answer(in_class)
    await discord_bot.answer(elsewhere)
    by_channel = {r["metadata"]["channel"]: r["instructions"] for r in emulator.response_requests()}
    assert by_channel == {str(ask_ai): TUTOR, str(classroom.general): DEFAULT}

    shown = await say(discord_emu, "config show", teacher, ask_ai)
    assert TUTOR in shown and "this channel's override" in shown
    history = await say(discord_emu, "config history", teacher, ask_ai)
    assert f"{teacher.id}: instructions of this channel" in history
    change = int(history.split()[0].lstrip("#"))
    rolled = await say(discord_emu, "config rollback", teacher, ask_ai, change=change)
    assert rolled.startswith(f"Rolled back change #{change}: instructions of this channel")
    again = await discord_emu.user_says(classroom.alice, ask_ai, "And 3x = 9?")
    await discord_bot.answer(again)
    assert emulator.response_requests()[-1]["instructions"] == DEFAULT


async def test_instructions_longer_than_a_field_span_several(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    lines = [f"Rule {n}: explain step {n} of the method with a worked example." for n in range(200)]
    long_text = "\n".join(lines)  # ~12,500 characters
    bot: DiscordBot = await make_discord_bot(assistant_instructions=long_text)
    opened = await admin(discord_emu, classroom.teacher, classroom.general, "config instructions")
    values = discord_emu.form_values(opened)
    assert len(values) == 4 and all(len(v) <= 4000 for v in values)
    assert "\n".join(values) == long_text  # cut at line breaks
    labels = [c["label"] for c in (opened.modal or {})["components"]]
    label = "Instructions for the whole server"
    assert labels == [label, f"{label} (2)", f"{label} (3)", f"{label} (4)"]

    saved = await discord_emu.submit_form(opened, "Be brief.\n" + values[0])
    assert "Saved: instructions for the whole server" in await reply(discord_emu, saved)
    profile = await bot.store.get_profile("discord", str(classroom.guild.id), WORKSPACE_DEFAULT)
    assert profile is not None and profile.instructions == "Be brief.\n" + long_text

    # config show carries the whole text: it goes on in further ephemeral messages.
    shown = await admin(discord_emu, classroom.teacher, classroom.general, "config show")
    await discord_emu.wait_for(lambda: len(discord_emu.shown(shown)) >= 7)
    pages = discord_emu.shown(shown)
    assert all(len(page) <= 2000 for page in pages) and "Rule 199" in pages[-1]


async def test_instructions_too_long_for_any_form_are_set_by_text(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    bot: DiscordBot = await make_discord_bot(assistant_instructions="Be thorough. " * 1800)
    refused = await say(discord_emu, "config instructions", classroom.teacher, classroom.general)
    assert refused.startswith("The current text is 23400 characters, more than a form here")
    text = await say(
        discord_emu, "config instructions", classroom.teacher, classroom.general, text="Be brief."
    )
    assert text == "Saved: instructions for the whole server is now Be brief.."
    profile = await bot.store.get_profile("discord", str(classroom.guild.id), WORKSPACE_DEFAULT)
    assert profile is not None and profile.instructions == "Be brief."


async def test_a_student_can_change_nothing_through_any_admin_command(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    # A server admin let everyone use the command (Integrations): Discord now delivers it,
    # and the bot still checks who is asking.
    discord_emu.allow_command(classroom.guild, ADMIN_COMMAND, classroom.guild.id)
    syllabus = discord_emu.attachment("syllabus.md", SYLLABUS, "text/markdown")
    samples = {3: "x", 4: 1, 8: discord_emu.role_payload(classroom.guild, classroom.teachers)}
    samples[11] = syllabus
    [synced] = [c for c in discord_emu.commands.values() if c["name"] == ADMIN_COMMAND]
    tried = []
    for group in synced["options"]:
        for sub in group["options"]:
            options = {
                o["name"]: o["choices"][0]["value"] if o.get("choices") else samples[o["type"]]
                for o in sub.get("options", [])
                if o.get("required")
            }
            path = f"{group['name']} {sub['name']}"
            refused = await say(discord_emu, path, classroom.alice, classroom.general, **options)
            assert refused.startswith("Only admins can use"), (path, refused)
            tried.append(path)
    assert len(tried) == 25

    # A teacher opens the form, loses the Teachers role, then submits it: refused too.
    opened = await admin(discord_emu, classroom.teacher, classroom.general, "config instructions")
    discord_emu.take_role(classroom.guild, classroom.teacher, classroom.teachers)
    submitted = await discord_emu.submit_form(opened, "Be rude.")
    assert (await reply(discord_emu, submitted)).startswith("Only admins can use")

    store, guild = discord_bot.store, str(classroom.guild.id)
    assert await store.profile_changes("discord", guild) == []
    assert await store.get_profile("discord", guild, WORKSPACE_DEFAULT) is None
    assert await store.get_quota("discord", guild, WORKSPACE_DEFAULT) is None
    assert await store.knowledge_files("discord", guild, str(classroom.general)) == []
    assert await store.mcp_servers("discord", guild, ["", str(classroom.general)]) == []
    assert discord_emu.calls_of("cdn") == [] and emulator.requests == []


async def test_admin_commands_in_a_dm_say_they_are_for_servers(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    dm = discord_emu.dm_channel(classroom.teacher)
    sent = await discord_emu.slash(
        classroom.teacher, dm, ADMIN_COMMAND, "config show", as_offered=False
    )
    assert "work in a server" in await reply(discord_emu, sent)
    assert await discord_bot.store.profile_changes("discord", "dm") == []


async def test_who_is_an_admin(
    make_discord_bot: Callable[..., Any], discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    moderators = discord_emu.add_role(classroom.guild, "Moderators", permissions=MANAGE_GUILD)
    owner_of_the_bot = discord_emu.add_user("carol")
    discord_emu.allow_command(classroom.guild, ADMIN_COMMAND, owner_of_the_bot.id)
    mod = discord_emu.add_user("dave")
    discord_emu.give_role(classroom.guild, mod, moderators)
    await make_discord_bot(admin_user_ids=str(owner_of_the_bot.id))
    for person in (mod, classroom.teacher, owner_of_the_bot):  # Manage Server, role, user id
        helped = await discord_emu.slash(person, classroom.general, "assistant", "help")
        assert "/assistant-admin config show" in await reply(discord_emu, helped), person.name
        model = await say(discord_emu, "config model", person, classroom.general, name="gpt-5")
        assert model.startswith("Saved: model"), person.name
    tools = await discord_emu.autocomplete(
        mod,
        classroom.general,
        ADMIN_COMMAND,
        "config tools",
        focused="tool",
        state="off",
        tool="",
    )
    assert tools[:5] == [
        "code_interpreter",
        "file_search",
        "web_search",
        "image_generation",
        "functions",
    ]
    assert len(tools) > 5
    student_help = await discord_emu.slash(classroom.bob, classroom.general, "assistant", "help")
    assert "/assistant-admin" not in await reply(discord_emu, student_help)


async def test_student_over_quota_is_told_when_it_resets(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    saved = await say(discord_emu, "quota messages", classroom.teacher, classroom.ask_ai, limit=1)
    assert saved == "Daily limit per person for the whole server: 1 messages."
    first = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "one")
    await discord_bot.answer(first)
    second = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "two")
    [declined] = await discord_bot.answer(second)
    assert "You've reached today's limit of 1 messages here. It resets in" in declined
    assert "send /assistant retry then" in declined
    assert len(emulator.response_requests()) == 1
    usage = await discord_emu.slash(classroom.alice, classroom.ask_ai, "assistant", "usage")
    assert (await reply(discord_emu, usage)).startswith("Today: 1 message(s)")
    everyone = await say(discord_emu, "usage all", classroom.teacher, classroom.ask_ai)
    assert f"{classroom.alice.id}: 1 message(s)" in everyone


@pytest.mark.parametrize("run_mode", ["poll", "background"])
async def test_stop_cancels_a_running_background_answer(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
    run_mode: str,
) -> None:
    bot: DiscordBot = await make_discord_bot(assistant_run_mode=run_mode)
    release = asyncio.Event()
    emulator.script(Turn().text("A very long essay that never ends").gate(release, after_events=4))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "write an essay")
    response = await emulator.response_started(0)
    stopped = await discord_emu.slash(classroom.alice, classroom.ask_ai, "assistant", "stop")
    assert await reply(discord_emu, stopped) == "Stopping your answer in progress."
    await emulator.wait_requests(lambda r: r.path == f"/v1/responses/{response.id}/cancel")
    [page] = await bot.answer(asked)
    assert page.endswith("The answer was stopped.")
    [job] = await bot.store.jobs()
    run = await bot.store.latest_run(job.id)
    assert run is not None and run.status == "cancelled"
    release.set()


async def test_korean_locale_gets_korean(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    helped = await discord_emu.slash(
        classroom.teacher, classroom.general, "assistant", "help", locale="ko"
    )
    text = await reply(discord_emu, helped)
    assert text.startswith("저는 AI 어시스턴트입니다.")
    assert "/assistant reset   새 대화 시작" in text
    assert "/assistant-admin config show" in text  # the admin part, with Discord's command
    discord_emu.allow_command(classroom.guild, ADMIN_COMMAND, classroom.guild.id)
    refused = await discord_emu.slash(
        classroom.bob, classroom.general, ADMIN_COMMAND, "quota off", locale="ko"
    )
    assert await reply(discord_emu, refused) == ko.MESSAGES["not_admin@discord"].format(
        command="quota off"
    )
    # The server's language setting wins over the person's Discord language.
    await say(discord_emu, "config language", classroom.teacher, classroom.general, language="ko")
    english_user = await discord_emu.slash(classroom.bob, classroom.general, "assistant", "status")
    assert await reply(discord_emu, english_user) == ko.MESSAGES["status.idle"]


async def test_knowledge_add_takes_attached_documents(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    discord_bot.service.reply_within = 0  # deferred at once, as a slow upload would be
    syllabus = discord_emu.attachment("syllabus.md", SYLLABUS, "text/markdown")
    notes = discord_emu.attachment("notes.txt", b"Quadratics in week 3.", "text/plain")
    added = await admin(
        discord_emu,
        classroom.teacher,
        classroom.ask_ai,
        "knowledge add",
        document=syllabus,
        document2=notes,
    )
    assert added.callback is not None and added.callback["type"] == 5  # "thinking…" first
    text = await reply(discord_emu, added)
    assert text == (
        "syllabus.md: added to the knowledge base of this channel.\n"
        "notes.txt: added to the knowledge base of this channel."
    )
    [vector_store_id] = list(emulator.vector_stores)
    assert len(emulator.vector_store_files[vector_store_id]) == 2
    listed = await say(discord_emu, "knowledge list", classroom.teacher, classroom.ask_ai)
    assert listed == "Knowledge base of this channel:\n• syllabus.md\n• notes.txt"
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "When are quadratics?")
    await discord_bot.answer(asked)
    [request] = emulator.response_requests()
    [search] = [t for t in request["tools"] if t["type"] == "file_search"]
    assert vector_store_id in search["vector_store_ids"]
    # Typing a name to remove offers the channel's documents (only to admins).
    offered = await discord_emu.autocomplete(
        classroom.teacher,
        classroom.ask_ai,
        ADMIN_COMMAND,
        "knowledge remove",
        focused="name",
        name="NOT",
    )
    assert offered == ["notes.txt"]
    discord_emu.allow_command(classroom.guild, ADMIN_COMMAND, classroom.guild.id)
    assert (
        await discord_emu.autocomplete(
            classroom.alice,
            classroom.ask_ai,
            ADMIN_COMMAND,
            "knowledge remove",
            focused="name",
            name="",
        )
        == []
    )
    removed = await say(
        discord_emu, "knowledge remove", classroom.teacher, classroom.ask_ai, name="notes.txt"
    )
    assert removed == "Removed notes.txt from the knowledge base of this channel."


def test_form_fields_are_cut_at_line_breaks_else_spaces() -> None:
    from adapters.discord.forms import join_parts, split_value

    lines = "\n".join(["a" * 30] * 10)
    parts = split_value(lines, limit=100)
    assert all(len(part) <= 100 for part in parts) and join_parts(parts) == lines
    words = " ".join(["b" * 30] * 10)
    parts = split_value(words, limit=100)
    assert all(len(part) <= 100 for part in parts)
    assert join_parts(parts).replace("\n", " ") == words  # a space became the line break
    assert split_value("c" * 250, limit=100) == ["c" * 100, "c" * 100, "c" * 50]
    assert split_value("") == [""]


async def test_answer_mode_per_server_and_channel(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    teacher = classroom.teacher
    saved = await say(discord_emu, "config mode", teacher, classroom.general, mode="poll")
    assert saved == "Saved: run_mode for the whole server is now poll."
    override = await say(
        discord_emu, "config channel", teacher, classroom.ask_ai, setting="mode", value="stream"
    )
    assert override == "Saved: run_mode for this channel is now stream."
    in_class = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "quick one")
    await discord_bot.answer(in_class)
    general = await discord_emu.user_says(classroom.bob, classroom.general, "long", mention=True)
    await discord_bot.answer(general)
    streamed, polled = emulator.response_requests()
    assert streamed["stream"] is True and not streamed.get("background")
    assert polled["background"] is True and not polled.get("stream")
    history = await say(discord_emu, "config history", teacher, classroom.general)
    assert "run_mode of this channel → stream" in history
    assert "run_mode of the whole server → poll" in history


async def test_a_teacher_gives_the_class_a_data_file(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    data = discord_emu.attachment("mydata.csv", b"name,age\nKim,15\n", "text/csv")
    added = await say(
        discord_emu,
        "knowledge add",
        classroom.teacher,
        classroom.ask_ai,
        document=data,
        where="server",
    )
    assert added.startswith("mydata.csv: added as a data file of the whole server")
    [uploaded] = emulator.files.values()
    emulator.script(Turn().code("df[df.name=='Kim']", logs="Kim 15").text("Kim is 15."))
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "How old is Kim?")
    [page] = await discord_bot.answer(asked)
    assert page.endswith("Kim is 15.")
    [request] = emulator.response_requests()
    [tool] = [t for t in request["tools"] if t["type"] == "code_interpreter"]
    assert tool["container"]["file_ids"] == [uploaded.id]
    listed = await say(
        discord_emu, "knowledge list", classroom.teacher, classroom.ask_ai, where="server"
    )
    assert listed.endswith("• mydata.csv (data file)")
    removed = await say(
        discord_emu,
        "knowledge remove",
        classroom.teacher,
        classroom.ask_ai,
        name="mydata.csv",
        where="server",
    )
    assert removed.startswith("Removed mydata.csv") and emulator.files == {}
