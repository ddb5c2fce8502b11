"""Model output never pings a workspace: Slack's broadcast, user-group and user mentions become
inert text in every call that writes (streamed with appendStream, posted, updated), also when a
delta cuts a token in two; Discord sends every answer with no mention allowed except the reply
to the person who asked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.slack.mentions import JOINER, neutralise, streamable
from tests.discord_emulator import DiscordEmulator
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import SlackBot

if TYPE_CHECKING:
    from tests.discord_fixtures import Classroom, DiscordBot

pytest_plugins = ["tests.discord_fixtures"]

J = JOINER
PINGS = (
    "Hey <!channel> and <!here|here>, <!everyone>, <!subteam^S0TEACH|@teachers>, "
    "<@U0BOB>, <@U0ALICE|alice> and plain @channel @Here. "
)
INERT = (
    f"Hey @{J}channel and @{J}here, @{J}everyone, @{J}teachers, "
    f"@{J}U0BOB, @{J}alice and plain @{J}channel @{J}Here. "
)


def test_every_notifying_token_becomes_inert_text() -> None:
    assert neutralise(PINGS) == INERT
    harmless = "a <#C0GENERAL|general> link <https://x.test|x>, <!date^1700000000^{date}|today>"
    assert neutralise(harmless) == harmless
    assert neutralise("mail me: bob@here.example, x@channel, @heretic") == (
        "mail me: bob@here.example, x@channel, @heretic"
    )
    assert neutralise("if a < b and c > d") == "if a < b and c > d"
    code = "<!DOCTYPE html>\n<!-- a comment --> <@decorator> <!group>"
    assert neutralise(code) == f"<!DOCTYPE html>\n<!-- a comment --> <@decorator> @{J}channel"


def test_streamable_holds_back_what_could_still_become_a_mention() -> None:
    assert streamable("hello <!cha") == "hello "
    assert streamable("hello <@U0") == "hello "
    assert streamable("hello <") == "hello "
    assert streamable("hello @chan") == "hello "
    assert streamable("hello @") == "hello "
    assert streamable("hello @bob") == "hello @bob"
    assert streamable("a < b") == "a < b"
    assert streamable("a <b\nc") == "a <b\nc"
    assert streamable("html <!-- a") == "html <!-- a"
    assert streamable("hi <!subteam^S1|@tea") == "hi "
    assert streamable("hi <!here|he") == "hi "
    assert streamable("hi <@x") == "hi <@x"


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "!",
                "@",
                "here",
                "channel",
                "group",
                "subteam^S1",
                "U1",
                "|",
                "x",
                " ",
                "\n",
            ]
        ),
        max_size=30,
    ).map("".join),
    cut=st.integers(min_value=0, max_value=200),
)
@example(text=PINGS, cut=9)
def test_whatever_is_streamed_early_is_inert(text: str, cut: int) -> None:
    """Slack shows the pieces appended so far, joined: each is ``streamable`` of a longer
    neutralised text, so it must itself contain nothing Slack would still turn into a ping."""
    early = streamable(neutralise(text[:cut]))
    assert neutralise(early) == early
    assert PING.search(early) is None, early
    assert neutralise(neutralise(text)) == neutralise(text)


PING = re.compile(r"<(?!!date)[!@][^<>\n]*>|(?<![\w.])@(here|channel|everyone)\b", re.IGNORECASE)


def slack_writes(slack: SlackEmulator) -> list[str]:
    """What Slack would parse, call by call: each post or update whole, and a native stream
    as everything appended to it so far (its pieces are joined on Slack's side)."""
    texts, stream = [], ""
    for call in slack.calls:
        text = "".join(str(call.args.get(k) or "") for k in ("markdown_text", "text"))
        if call.method == "chat.startStream":
            stream = text
        elif call.method in ("chat.appendStream", "chat.stopStream"):
            stream += text
            text = stream
        elif not call.method.startswith("chat."):
            continue
        texts.append(text)
    return texts


@pytest.mark.parametrize("native", [True, False], ids=["stream", "update"])
async def test_slack_answers_never_ping_even_when_deltas_cut_a_mention(
    make_slack_bot: Callable[..., Any],
    emulator: OpenAIEmulator,
    slack: SlackEmulator,
    native: bool,
) -> None:
    bot: SlackBot = await make_slack_bot(slack_native_streaming=native)
    # Single characters: every token arrives cut into pieces.
    emulator.script(Turn().text(PINGS * 3, deltas=len(PINGS) * 3).delta_interval(0.002))
    event = await bot.dm("say @channel")
    await bot.answers()
    assert bot.texts(event) == [INERT * 3]
    writes = slack_writes(slack)
    assert len(writes) > 3 and native == bool(slack.calls_to("chat.appendStream"))
    assert [w for w in writes if PING.search(w)] == []


async def test_discord_answers_are_sent_with_no_mentions_allowed(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    text = f"@everyone @here <@{classroom.bob.id}> <@&{classroom.guild.id}> " * 20
    emulator.script(Turn().text(text, deltas=10).delta_interval(0.01))
    asked = await discord_emu.user_says(
        classroom.alice, classroom.general, "ping all", mention=True
    )
    assert await discord_bot.answer(asked) == [text]
    writes = discord_emu.calls_of("create", "edit")
    assert len(writes) >= 2
    for call in writes:
        payload = call.json or {}
        allowed = payload.get("allowed_mentions")
        assert allowed is not None and allowed["parse"] == [], payload
        assert not allowed.get("users") and not allowed.get("roles")
    # Only the reply itself may notify, and only the person who asked.
    first = writes[0].json["allowed_mentions"]
    assert first.get("replied_user") is True
    assert all(not (c.json or {})["allowed_mentions"].get("replied_user") for c in writes[1:])


async def test_discord_slash_ask_answers_allow_no_mentions(
    discord_bot: DiscordBot,
    discord_emu: DiscordEmulator,
    emulator: OpenAIEmulator,
    classroom: Classroom,
) -> None:
    text = f"@everyone <@{classroom.bob.id}> " * 10
    emulator.script(Turn().text(text, deltas=5).delta_interval(0.01))
    asked = await discord_emu.slash(
        classroom.alice, classroom.general, "assistant", "ask", question="ping everyone"
    )
    await discord_emu.wait_for(lambda: asked.followed_up)
    await discord_bot.engine.wait_idle()
    writes = discord_emu.calls_of("followup", "followup_edit")
    assert writes
    for call in writes:
        allowed = (call.json or {}).get("allowed_mentions")
        assert allowed is not None and allowed["parse"] == [], call.json
        assert not allowed.get("users") and not allowed.get("roles")
