"""Hostile and odd input, property-based (hypothesis): whatever Slack or Discord hands the
adapters (text with control, zero-width and right-to-left characters, huge text, thousands
of mentions, dozens of attachments, fields missing or of the wrong type), parsing gives a
message the inbox can keep, or nothing, and never raises. The examples are derandomized,
so CI runs the same ones every time. The raw HTTP entry point of Slack's HTTP mode is fed
arbitrary bytes and headers, signed and unsigned: never a 5xx, never a traceback."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp
import discord
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.discord.events import reply_to_of as discord_reply_to_of
from adapters.discord.options import DiscordOptions
from adapters.discord.service import DiscordService
from adapters.slack.agent import viewing_from_context
from adapters.slack.events import inbound_from_command, inbound_from_event
from adapters.slack.events import reply_to_of as slack_reply_to_of
from bot.types import InboundMessage
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import signature
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import SlackBot
from tests.test_slack_http_entry import tracebacks

HOSTILE = settings(
    max_examples=60,
    derandomize=True,  # the same examples on every run and machine: CI stays reproducible
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD_CHARACTERS = [
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte-order mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u0000",
    "\u0007",
    "\u001b[31m",  # a terminal escape
    "\r\n",
    "שלום",  # Hebrew, right to left
    "مرحبا",  # Arabic
    "👩‍👩‍👧‍👦",  # one grapheme, seven code points
    "\U0010fffd",
    "<!channel>",
    "<!everyone>",
    "@everyone",
    "```",
    "&lt;&amp;&gt;",
]


def _huge(unit: str) -> st.SearchStrategy[str]:
    return st.integers(min_value=1_000, max_value=60_000).map(lambda n: unit * (n // len(unit)))


def hostile_text(mention: Any = None) -> st.SearchStrategy[str]:
    """Text a person could send, at its oddest. ``mention(i)`` renders the i-th mention."""
    mention = mention or (lambda i: f"<@U{i:08d}>")
    return st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(ODD_CHARACTERS), max_size=40).map("".join),
        st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=200),
        _huge("x"),
        _huge("\u200b\u202e"),
        st.integers(min_value=0, max_value=3_000).map(
            lambda n: " ".join(mention(i) for i in range(n))
        ),
    )


def wrong_types() -> st.SearchStrategy[Any]:
    """A value where a string was expected, as a malformed payload may carry."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the expected shape, sometimes a value of the wrong type."""
    return st.one_of(strategy, strategy, wrong_types())


# ---- Slack: event payloads → InboundMessage ---------------------------------------------

SLACK_IDS = st.sampled_from(["U0ALICE", "U0BOT", "D0ALICE", "C0GENERAL", "T0EMULATE", ""])
SLACK_TS = st.one_of(st.sampled_from(["1700000000.000100", "1700000000.000200"]), st.text())


def slack_files() -> st.SearchStrategy[Any]:
    file = st.fixed_dictionaries(
        {},
        optional={
            "id": maybe(st.text(max_size=12)),
            "name": maybe(hostile_text()),
            "title": maybe(st.text(max_size=40)),
            "mimetype": maybe(st.sampled_from(["text/csv", "image/png", "", "x/\u202e"])),
            "size": st.one_of(st.integers(), st.text(max_size=8), wrong_types()),
            "url_private": maybe(st.sampled_from(["http://127.0.0.1:1/files-pri/x", "nonsense"])),
            "url_private_download": maybe(st.text(max_size=40)),
        },
    )
    return maybe(st.lists(st.one_of(file, wrong_types()), max_size=60))


def slack_events() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(["message", "app_mention"]), wrong_types())},
        optional={
            "user": maybe(SLACK_IDS),
            "channel": maybe(SLACK_IDS),
            "ts": maybe(SLACK_TS),
            "thread_ts": maybe(SLACK_TS),
            "text": maybe(hostile_text()),
            "channel_type": maybe(st.sampled_from(["im", "channel", "group", "mpim"])),
            "subtype": maybe(st.sampled_from(["file_share", "thread_broadcast", "bot_message"])),
            "files": slack_files(),
            "team": maybe(SLACK_IDS),
            "user_team": maybe(SLACK_IDS),
            "bot_id": st.one_of(st.none(), st.just("B0OTHER")),
            "hidden": st.booleans(),
        },
    )


def _check_message(message: InboundMessage) -> None:
    """What the inbox and the engine rely on: plain strings, a JSON payload that comes back
    the same, a reply place the platform can use."""
    for name in ("platform", "workspace", "channel", "user", "text", "event_id"):
        assert isinstance(getattr(message, name), str), name
    payload = json.loads(json.dumps(message.to_new_job().payload))
    assert InboundMessage.from_payload(payload) == message
    for attachment in message.attachments:
        assert isinstance(attachment.name, str) and isinstance(attachment.url, str)
        assert isinstance(attachment.size, int)


EXTREME_TEXT = "\u200b\u202e" * 20_000 + " ".join(f"<@U{i:08d}>" for i in range(3_000))


@HOSTILE
@given(event=slack_events(), team=maybe(SLACK_IDS), known_thread=st.booleans())
@example(
    event={
        "type": "message",
        "user": "U0ALICE",
        "channel": "D0ALICE",
        "channel_type": "im",
        "ts": "1.2",
        "text": EXTREME_TEXT,
        "subtype": "file_share",
        "files": [{"id": f"F{i}", "name": f"{i}\u202e.csv", "size": 2**62} for i in range(60)],
    },
    team="T0EMULATE",
    known_thread=False,
).via("thousands of mentions and sixty files")
def test_any_slack_event_becomes_a_message_or_nothing_never_an_error(
    event: dict[str, Any], team: Any, known_thread: bool
) -> None:
    threads: dict[tuple[Any, Any], None] = {}  # as SlackPlatform keeps them

    def in_bot_thread(channel: str, thread_ts: str) -> bool:
        return known_thread or (channel, thread_ts) in threads

    body = {"team_id": team, "event": event}
    message = inbound_from_event(body, event, bot_user_id="U0BOT", in_bot_thread=in_bot_thread)
    if message is None:
        return
    _check_message(message)
    assert message.user not in ("", "U0BOT") and message.channel and message.event_id
    reply_to = message.reply_to
    assert isinstance(reply_to["thread_ts"], str) and isinstance(reply_to["recipient_team"], str)
    assert isinstance(reply_to["dm"], bool) and isinstance(reply_to["assistant"], bool)


@HOSTILE
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "team_id": maybe(SLACK_IDS),
            "channel_id": maybe(SLACK_IDS),
            "user_id": maybe(SLACK_IDS),
            "text": maybe(hostile_text()),
            "trigger_id": maybe(st.text(max_size=20)),
        },
    )
)
def test_any_slash_command_body_becomes_a_message(body: dict[str, Any]) -> None:
    _check_message(inbound_from_command(body))


# ---- Discord: gateway MESSAGE_CREATE → discord.py's Message → InboundMessage -------------

BOT_ID, GUILD, GENERAL, ASK_AI = 900, 100, 200, 300


class Inbox:
    """Stands in for the engine: what the adapter handed over."""

    def __init__(self) -> None:
        self.accepted: list[InboundMessage] = []

    async def accept(self, message: InboundMessage) -> bool:
        self.accepted.append(message)
        return True


def discord_user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name,
        "bot": bot,
    }


def discord_attachments() -> st.SearchStrategy[list[dict[str, Any]]]:
    attachment = st.builds(
        lambda n, name, size, kind: {
            "id": str(5000 + n),
            "filename": name or "file",
            "size": size,
            "url": f"https://cdn.discordapp.com/attachments/1/{5000 + n}/f",
            "proxy_url": "https://media.discordapp.net/x",
            **({"content_type": kind} if kind else {}),
        },
        st.integers(0, 10_000),
        hostile_text().map(lambda text: text[:300]),
        st.integers(min_value=0, max_value=2**40),
        st.one_of(st.none(), st.sampled_from(["text/csv; charset=utf-8", "image/png", "", "x/y"])),
    )
    return st.lists(attachment, max_size=60)


@st.composite
def discord_messages(draw: st.DrawFn) -> dict[str, Any]:
    where = draw(st.sampled_from(["general", "ask-ai", "dm"]))
    mentions = [discord_user(10_000 + i, f"user{i}") for i in range(draw(st.integers(0, 3_000)))]
    if draw(st.booleans()):
        mentions.append(discord_user(BOT_ID, "assistant", bot=True))
    data: dict[str, Any] = {
        "id": str(draw(st.integers(min_value=1, max_value=2**63 - 1))),
        "type": draw(st.sampled_from([0, 0, 19, 7])),
        "channel_id": str(ASK_AI if where == "ask-ai" else GENERAL if where == "general" else 42),
        "author": discord_user(draw(st.sampled_from([1, 2, BOT_ID])), "someone"),
        "content": draw(hostile_text(lambda i: f"<@{10_000 + i}>")),
        "timestamp": "2026-01-01T00:00:00+00:00",
        "mentions": mentions,
        "attachments": draw(discord_attachments()),
        "embeds": [],
        "flags": 0,
    }
    if where != "dm":
        data["guild_id"] = str(GUILD)
        if draw(st.booleans()):
            data["member"] = {"roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "flags": 0}
    return data


@pytest.fixture(scope="module")
def discord_adapter() -> tuple[DiscordService, Inbox]:
    options = DiscordOptions(token="x", assistant_channels=frozenset({ASK_AI}))
    service = DiscordService(options=options)
    state = service.client._connection
    state.user = discord.ClientUser(state=state, data=discord_user(BOT_ID, "assistant", bot=True))
    inbox = Inbox()
    service._engine = inbox  # type: ignore[assignment]
    return service, inbox


def extreme_discord_message() -> dict[str, Any]:
    attachments = [
        {
            "id": str(i),
            "filename": f"{i}\u202e.csv",
            "size": 2**40,
            "proxy_url": "x",
            "url": f"https://cdn.discordapp.com/attachments/1/{i}/f",
        }
        for i in range(60)
    ]
    return {
        "id": "1",
        "type": 0,
        "channel_id": str(GENERAL),
        "guild_id": str(GUILD),
        "author": discord_user(1, "someone"),
        "timestamp": "2026-01-01T00:00:00+00:00",
        "content": EXTREME_TEXT.replace("<@U", "<@1"),
        "mentions": [discord_user(BOT_ID, "assistant", bot=True)]
        + [discord_user(10_000 + i, f"user{i}") for i in range(3_000)],
        "attachments": attachments,
        "embeds": [],
        "flags": 0,
    }


@HOSTILE
@given(data=discord_messages())
@example(data=extreme_discord_message()).via("thousands of mentions and sixty files")
async def test_any_discord_message_is_taken_or_ignored_never_an_error(
    discord_adapter: tuple[DiscordService, Inbox], data: dict[str, Any]
) -> None:
    service, inbox = discord_adapter
    state = service.client._connection
    channel, _ = state._get_guild_channel(data)
    message = discord.Message(state=state, channel=channel, data=data)  # type: ignore[arg-type]
    inbox.accepted.clear()
    await service.on_message(message)
    for_bot = (
        data["author"]["id"] != str(BOT_ID)
        and data["type"] in (0, 19)
        and (
            "guild_id" not in data
            or data["channel_id"] == str(ASK_AI)
            or any(m["id"] == str(BOT_ID) for m in data["mentions"])
        )
    )
    assert len(inbox.accepted) == (1 if for_bot else 0)
    for accepted in inbox.accepted:
        _check_message(accepted)
        assert f"<@{BOT_ID}>" not in accepted.text
        assert len(accepted.attachments) == len(data["attachments"])


# ---- property-based: any bytes and headers at the real endpoint -----------------------------

HEADER_VALUES = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    st.integers().map(str),
    st.just("v0=" + "0" * 64),
)
BODIES = st.one_of(
    st.binary(max_size=2_000),
    st.text(max_size=500).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["event_callback", "url_verification", "block_actions"])},
        optional={
            "event": st.one_of(st.none(), st.integers(), st.lists(st.integers()), st.just({})),
            "team_id": st.one_of(st.none(), st.integers(), st.text(max_size=5)),
            "challenge": st.one_of(st.text(max_size=5), st.integers()),
            "authorizations": st.one_of(st.lists(st.integers()), st.just([{}]), st.text()),
            "api_app_id": st.one_of(st.integers(), st.text(max_size=5)),
        },
    ).map(lambda value: json.dumps(value).encode()),
)
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "x/\u00e9"]
)

RAW = settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("transport", ["http"])
@RAW
@given(
    body=BODIES,
    extra=st.dictionaries(
        st.sampled_from(["X-Slack-Retry-Num", "X-Slack-Retry-Reason", "X-Other", "Cookie"]),
        HEADER_VALUES,
        max_size=3,
    ),
    content_type=CONTENT_TYPES,
    how=st.sampled_from(["signed", "unsigned", "wrong-secret", "odd-headers"]),
    timestamp=HEADER_VALUES,
    sig=HEADER_VALUES,
)
async def test_any_bytes_and_headers_never_get_a_5xx_or_a_traceback(
    slack_bot: SlackBot,
    slack: SlackEmulator,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    extra: dict[str, str],
    content_type: str,
    how: str,
    timestamp: str,
    sig: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    url = slack_bot.service.http_url
    assert url is not None
    stamp = str(int(time.time()))
    head: dict[str, Any] = dict(extra)
    if content_type:
        head["Content-Type"] = content_type
    if how == "signed":
        head.update(
            {
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(slack.signing_secret, stamp, body),
            }
        )
    elif how == "wrong-secret":
        head.update(
            {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature("x", stamp, body)}
        )
    elif how == "odd-headers":
        head.update({"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sig})
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=head) as response,
    ):
        status = response.status
    assert status < 500, (how, body[:200])
    if how != "signed":
        assert status == 401
    assert tracebacks(caplog) == []
    await slack_bot.answers()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
ENTITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["slack#/types/channel_id", "slack#/types/message_context", "slack#/types/canvas_id"]
        )
        | st.text(max_size=10),
        "value": JSON_VALUES,
        "team_id": st.sampled_from(["T0EMULATE", "T0OTHER"]) | JSON_VALUES,
    }
)


@given(
    context=st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries({"entities": st.lists(ENTITY | JSON_VALUES, max_size=5)}),
    )
)
def test_an_odd_app_context_is_read_as_a_channel_or_nothing(context: Any) -> None:
    viewing = viewing_from_context(context, "T0EMULATE")
    if viewing is not None:
        assert isinstance(viewing.channel, str) and viewing.channel
        assert isinstance(viewing.thread_ts, str)


SLACK_REPLY_TO = ["channel", "thread_ts", "recipient_team", "dm", "assistant"]
DISCORD_REPLY_TO = ["kind", "channel_id", "message_id", "interaction_id", "application_id", "token"]


@HOSTILE
@given(
    stored=st.one_of(
        JSON_VALUES,
        st.dictionaries(
            st.sampled_from(SLACK_REPLY_TO + DISCORD_REPLY_TO), JSON_VALUES | st.integers()
        ),
        st.fixed_dictionaries({"kind": st.sampled_from(["interaction", "message"])}),
    )
)
def test_a_stored_reply_place_of_any_shape_reads_back_typed(stored: Any) -> None:
    """A job's reply_to as any version (or a damaged row) left it: read back with every field
    of its type, the job's own channel where none is kept."""
    slack = slack_reply_to_of(stored, channel="C0JOB", team="T0JOB")
    assert all(isinstance(slack[k], str) for k in ("channel", "thread_ts", "recipient_team"))
    assert slack["channel"] and slack["recipient_team"]
    assert isinstance(slack["dm"], bool) and isinstance(slack["assistant"], bool)
    place = discord_reply_to_of(stored, channel="123", event_id="456")
    assert all(isinstance(value, str) for value in place.values())
    assert place["channel_id"]
    if place["kind"] == "message":
        assert place["message_id"]
