"""Pure pieces of the Slack adapter (parsing, the file-host rule, quotas), and the shared
budget's final-first rule that Slack's per-workspace tier needs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.agent import short_title, viewing_from_context
from adapters.slack.events import inbound_from_event, plain_text
from adapters.slack.files import FileHost
from adapters.slack.quota import StatusQuota, StreamQuota
from adapters.slack.reply import without_added_closer
from adapters.slack.service import COMMAND
from bot.budget import CallBudget
from bot.split import close_open_fence
from storage.records import Viewing
from tests.slack_emulator_events import event_callback, mention_event, message_event


def test_slack_markup_becomes_plain_text() -> None:
    text = "<@U0BOT> see <https://example.com|the docs> &amp; <#C1|general>, <@U2|kim> <!here>"
    assert plain_text(text, "U0BOT") == "see the docs (https://example.com) & #general, @kim @here"


def test_a_mention_and_its_message_copy_share_one_key() -> None:
    message = message_event("<@U0BOT> hi", user="U1", channel="C1")
    body = event_callback(message)
    first = inbound_from_event(
        body, mention_event(message), bot_user_id="U0BOT", in_bot_thread=lambda c, t: False
    )
    second = inbound_from_event(
        body, message, bot_user_id="U0BOT", in_bot_thread=lambda c, t: False
    )
    assert first is not None and second is not None
    assert first.event_id == second.event_id == f"C1:{message['ts']}"
    assert first.text == "hi" and first.reply_to["thread_ts"] == message["ts"]


def test_channel_messages_need_a_mention_or_the_bots_thread() -> None:
    plain = message_event("hi all", user="U1", channel="C1")
    threaded = message_event("more", user="U1", channel="C1", thread_ts="1.000100")
    body = event_callback(plain)
    assert (
        inbound_from_event(body, plain, bot_user_id="U0BOT", in_bot_thread=lambda c, t: True)
        is None
    )
    found = inbound_from_event(
        body, threaded, bot_user_id="U0BOT", in_bot_thread=lambda c, t: (c, t) == ("C1", "1.000100")
    )
    assert found is not None and found.reply_to["thread_ts"] == "1.000100"
    assert not found.reply_to["assistant"]


@pytest.mark.parametrize(
    ("api", "url", "allowed"),
    [
        ("https://slack.com/api/", "https://files.slack.com/files-pri/T1-F1/a.csv", True),
        ("https://slack.com/api/", "http://files.slack.com/files-pri/T1-F1/a.csv", False),
        ("https://slack.com/api/", "https://files.slack.com.evil.io/a.csv", False),
        ("https://slack.com/api/", "https://evil.io/files.slack.com/a.csv", False),
        ("https://slack.com/api/", "https://files.slack.com:8443/a.csv", False),
        ("https://slack-gov.com/api/", "https://files.slack-gov.com/files-pri/a.csv", True),
        ("http://127.0.0.1:9000/api/", "http://127.0.0.1:9000/files-pri/a.csv", True),
        ("http://127.0.0.1:9000/api/", "http://127.0.0.1:9001/files-pri/a.csv", False),
        ("https://slack.com/api/", "files.slack.com/a.csv", False),
    ],
)
def test_the_token_goes_to_the_workspace_file_host_only(api: str, url: str, allowed: bool) -> None:
    assert FileHost.for_api(api).allows(url) is allowed


def test_file_hosts_can_be_configured() -> None:
    host = FileHost.for_api("https://proxy.corp/api/", "files.slack.com, https://files.corp:8443")
    assert host.allows("https://files.slack.com/x")
    assert host.allows("https://files.corp:8443/x")
    assert not host.allows("https://files.proxy.corp/x")


@pytest.mark.parametrize(
    "raw", ["```python\nx = 1", "```python\nx = 1\n", "text\n\n```\ncode", "no code", "```py\n"]
)
def test_the_editors_temporary_fence_is_held_back_from_a_stream(raw: str) -> None:
    closed = close_open_fence(raw)
    assert raw.startswith(without_added_closer(closed))
    assert without_added_closer(closed).rstrip("\n") == raw.rstrip("\n")


def test_stream_quota_keeps_a_stop_for_every_open_stream() -> None:
    quota = StreamQuota(3)
    assert [quota.try_open() for _ in range(4)] == [True, True, True, False]
    quota.closed()
    quota.cancel()
    assert not quota.try_open()  # three starts in this minute already


def test_status_quota_always_leaves_room_to_clear() -> None:
    quota = StatusQuota(3)
    assert quota.try_show(shown=False)  # one call, one clear reserved
    assert quota.try_show(shown=True)
    assert not quota.try_show(shown=False)  # the last call is the first status's clear
    quota.cleared()


async def test_a_final_update_goes_before_waiting_progress_edits() -> None:
    budget = CallBudget(2, 0.3)
    budget.hold()
    budget.hold()  # two replies open: each keeps a call for its final update
    order: list[str] = []

    async def call(name: str, final: bool) -> None:
        await budget.acquire(final=final)
        order.append(name)

    progress = asyncio.create_task(call("progress", False))
    await asyncio.sleep(0)
    assert order == []  # both calls are kept for the open replies' final updates
    await call("final-1", True)
    budget.release()
    await call("final-2", True)
    budget.release()
    await progress  # only once a call leaves the window
    assert order == ["final-1", "final-2", "progress"]


# Every scope the bot uses, and why; a manifest asks for these and no more.
SCOPES = {
    "chat:write",  # chat.postMessage/update/startStream/appendStream/stopStream, setStatus
    "assistant:write",  # assistant.threads.setSuggestedPrompts/setTitle
    "files:read",  # url_private_download
    "files:write",  # files_upload_v2
    "users:read",  # users.info: admins and locales
    "commands",
    "app_mentions:read",
    "im:history",  # message.im
    "channels:history",  # message.channels, conversations.history/replies
    "groups:history",
    "mpim:history",
    "channels:read",  # conversations.info/members before reading a channel
    "groups:read",
    "mpim:read",
}
MESSAGE_EVENTS = {"app_mention", "message.im", "message.channels", "message.groups", "message.mpim"}


def manifest(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((Path(__file__).parents[1] / name).read_text())
    return loaded


def test_the_manifest_uses_agent_messaging_and_asks_for_what_the_bot_uses() -> None:
    agent = manifest("slack-manifest.json")
    view = agent["features"]["agent_view"]
    assert "assistant_view" not in agent["features"]
    assert view["agent_description"] and 1 <= len(view["suggested_prompts"]) <= 4
    assert all(p["title"] and p["message"] for p in view["suggested_prompts"])
    assert set(agent["oauth_config"]["scopes"]["bot"]) == SCOPES
    events = set(agent["settings"]["event_subscriptions"]["bot_events"])
    assert events == MESSAGE_EVENTS | {"app_home_opened", "app_context_changed"}
    assert agent["features"]["app_home"]["messages_tab_enabled"] is True
    assert [c["command"] for c in agent["features"]["slash_commands"]] == [COMMAND]
    assert agent["settings"]["socket_mode_enabled"] is True
    assert agent["settings"]["interactivity"]["is_enabled"] is True


def test_the_assistant_view_manifest_differs_only_in_the_experience() -> None:
    agent, assistant = (
        manifest("slack-manifest.json"),
        manifest("slack-manifest.assistant-view.json"),
    )
    view = assistant["features"].pop("assistant_view")
    assert view["assistant_description"] and view["suggested_prompts"]
    del agent["features"]["agent_view"]
    assert assistant["features"] == agent["features"]
    assert assistant["oauth_config"] == agent["oauth_config"]
    events = set(assistant["settings"]["event_subscriptions"]["bot_events"])
    assert events == MESSAGE_EVENTS | {
        "assistant_thread_started",
        "assistant_thread_context_changed",
    }


def test_the_context_read_is_the_most_relevant_readable_entity() -> None:
    canvas = {"type": "slack#/types/canvas_id", "value": "F1", "team_id": "T1"}
    channel = {"type": "slack#/types/channel_id", "value": "C1", "team_id": "T1"}
    message = {
        "type": "slack#/types/message_context",
        "value": {"message_ts": "171.000200", "channel_id": "C2"},
        "team_id": "T1",
    }
    foreign = {"type": "slack#/types/channel_id", "value": "C9", "team_id": "T9"}
    assert viewing_from_context({"entities": [canvas, channel, message]}, "T1") == Viewing("C1")
    assert viewing_from_context({"entities": [foreign, message]}, "T1") == Viewing(
        "C2", "171.000200"
    )
    assert viewing_from_context({"entities": [canvas]}, "T1") is None
    assert viewing_from_context({}, "T1") is None
    assert viewing_from_context({"entities": "junk"}, "T1") is None
    assert viewing_from_context(None, "T1") is None


def test_a_thread_title_is_the_questions_first_line_cut_at_a_word() -> None:
    assert short_title("  \nWhat is 6 x 7?\nthanks") == "What is 6 x 7?"
    long = "Please summarise the quarterly sales report and compare it with last year's"
    title = short_title(long)
    assert title.endswith("…") and len(title) <= 60 and long.startswith(title[:-1])
    assert short_title("x" * 100) == "x" * 59 + "…"
    assert short_title("") == ""
