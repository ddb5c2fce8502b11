"""Each platform's words for its own things, and a distinct, accurate sentence for each kind of
limit: Discord says "server" where Slack says "workspace"; a chat platform's rate limit, OpenAI's
rate limit, the OpenAI account's exhausted quota and a person's daily quota read differently."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.errors import RateLimited
from bot.i18n import LANGUAGES, t
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.test_discord_admin import say

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]


def test_platform_variants_exist_in_every_language_for_a_base_key() -> None:
    for lang, catalogue in LANGUAGES.items():
        for key in catalogue:
            base, _, platform = key.partition("@")
            if platform:
                assert base in catalogue and platform in ("slack", "discord", "console"), key
        assert "workspace" not in t(lang, "scope.workspace", platform="discord")
        assert "워크스페이스" not in t(lang, "scope.workspace", platform="discord")
        assert "workspace" not in t(lang, "help.admin", platform="discord", p="/x ")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_limit_has_its_own_sentence(lang: str) -> None:
    sentences = [
        RateLimited("429", retry_after=1, platform="Slack").message_for(lang),
        RateLimited("429", retry_after=1, platform="Discord").message_for(lang),
        RateLimited("429", retry_after=1).message_for(lang),
        t(lang, "error.openai_quota"),
        t(lang, "quota.exceeded", limit="5", resets="1 h", p="/"),
    ]
    assert len(set(sentences)) == len(sentences)
    assert "Slack" in sentences[0] and "Discord" in sentences[1]


async def test_an_exhausted_openai_quota_is_not_called_busy(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(
        Turn().http_error(
            429, code="insufficient_quota", message="You exceeded your quota.", times=5
        )
    )
    await bot.say("hello")
    out = await bot.answers()
    assert t("en", "error.openai_quota") in out
    assert "busy" not in out


async def test_discord_says_server(
    discord_bot: DiscordBot, discord_emu: DiscordEmulator, classroom: Classroom
) -> None:
    empty = await say(
        discord_emu, "knowledge list", classroom.teacher, classroom.ask_ai, where="server"
    )
    assert empty == "The knowledge base of the whole server is empty."
    shown = await say(discord_emu, "config show", classroom.teacher, classroom.ask_ai)
    assert "workspace" not in shown
    everyone = await say(discord_emu, "usage all", classroom.teacher, classroom.ask_ai)
    assert "workspace" not in everyone
    helped = await discord_emu.slash(classroom.teacher, classroom.general, "assistant", "help")
    await discord_emu.wait_for(lambda: discord_emu.shown(helped))
    text = "\n".join(discord_emu.shown(helped))
    assert "this server" in text and "workspace" not in text
