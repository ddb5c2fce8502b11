"""The server's language on Discord: a Korean server gets Korean without anyone setting it,
a person's locale from their last slash command is remembered for their messages, an
admin's explicit language wins, and the slash commands carry Korean names and descriptions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.i18n import t
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.test_discord_admin import reply, say

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

FAILED = Turn().text("Partial").error_event("server_error", "internal")


async def test_a_korean_guild_gets_korean(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    classroom.guild.locale = "ko"  # Server Settings → Community → Server primary language
    bot: DiscordBot = await make_discord_bot()
    emulator.script(FAILED, FAILED)
    asked = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "질문")
    [page] = await bot.answer(asked)
    assert page.endswith(t("ko", "error.model_failed"))
    # An admin's explicit language wins over the server's.
    saved = await say(
        discord_emu,
        "config language",
        classroom.teacher,
        classroom.general,
        language="en",
        locale="ko",
    )
    assert saved.startswith("저장했습니다")  # the teacher's own client is Korean
    again = await discord_emu.user_says(classroom.alice, classroom.ask_ai, "again")
    [page] = await bot.answer(again)
    assert page.endswith(t("en", "error.model_failed"))


async def test_a_persons_locale_is_remembered_for_their_messages(
    make_discord_bot: Callable[..., Any],
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    bot: DiscordBot = await make_discord_bot()
    emulator.script(FAILED, FAILED)
    before = await discord_emu.user_says(classroom.bob, classroom.ask_ai, "hello")
    [page] = await bot.answer(before)
    assert page.endswith(t("en", "error.model_failed"))  # an English server, nothing known
    helped = await discord_emu.slash(
        classroom.bob, classroom.general, "assistant", "help", locale="ko"
    )
    assert (await reply(discord_emu, helped)).startswith("저는 AI 어시스턴트입니다.")
    await bot.stop()
    bot = await make_discord_bot()  # remembered in the database, not only in memory
    after = await discord_emu.user_says(classroom.bob, classroom.ask_ai, "안녕")
    [page] = await bot.answer(after)
    assert page.endswith(t("ko", "error.model_failed"))


NAME = re.compile(r"^[-_\w]{1,32}$")


async def test_slash_commands_are_localised_in_korean(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator
) -> None:
    [sync] = discord_emu.calls_of("sync")
    missing: list[str] = []

    def check(item: dict[str, Any], path: str) -> None:
        name = (item.get("name_localizations") or {}).get("ko")
        if name is None:
            missing.append(f"{path} name")
        else:
            assert NAME.match(name) and name == name.lower(), name
        if item.get("description", "…") != "…":
            if "ko" not in (item.get("description_localizations") or {}):
                missing.append(f"{path} description")
            assert len(item["description_localizations"]["ko"]) <= 100
        for choice in item.get("choices") or []:
            if "ko" not in (choice.get("name_localizations") or {}):
                missing.append(f"{path} choice {choice['name']}")
        for option in item.get("options") or []:
            check(option, f"{path} {option['name']}")

    for command in sync.json:
        check(command, "/" + command["name"])
    assert missing == []
    by_name = {c["name"]: c for c in sync.json}
    assert by_name["assistant"]["name_localizations"]["ko"] == "어시스턴트"
    assert by_name["assistant"]["description_localizations"]["ko"] == "AI 어시스턴트와 대화하기"
