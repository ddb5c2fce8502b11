"""Slack's HTTP entry point under junk: the signature is checked on the raw bytes before
anything parses them. Unsigned junk gets 401 and leaves no traceback; signed bodies the app
does not handle get a 2xx (so Slack does not retry them) and one warning; a normal mention
is answered afterwards. (The property-based test of the same endpoint, any bytes and headers,
is in test_hostile_input.py.)"""

from __future__ import annotations

import json
import logging
import time

import aiohttp
import pytest

from adapters.slack.http import signed, unhandled
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import event_callback, message_event, signature
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, GENERAL, SlackBot

HTTP = pytest.mark.parametrize("transport", ["http"])


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured record, from any logger, that carries a traceback."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.exc_info or r.exc_text or "Traceback" in r.getMessage()
    ]


def junk_requests(secret_of_someone_else: str) -> list[tuple[bytes, dict[str, str]]]:
    now = str(int(time.time()))
    envelope = json.dumps(event_callback(message_event("hi", user=ALICE, channel=GENERAL)))
    bodies = [
        b"",
        b"{",
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b'"x"',
        envelope.encode(),
        b"payload=%7Bbroken",
        b"command=%2Fassistant&text=reset",
    ]
    headers: list[dict[str, str]] = [
        {},
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": now},
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v1=zz"},
        {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=" + "f" * 64},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 3600)},  # stale: signed below
        {"X-Slack-Request-Timestamp": now},  # signed with the wrong secret below
    ]
    requests = []
    for i in range(100):
        body, head = bodies[i % len(bodies)], dict(headers[(i // len(bodies)) % len(headers)])
        if (i // len(bodies)) % len(headers) >= 8:
            stamp = head["X-Slack-Request-Timestamp"]
            secret = "stale-but-right" if (i // len(bodies)) % len(headers) == 8 else None
            head["X-Slack-Signature"] = signature(secret or secret_of_someone_else, stamp, body)
        head.setdefault("Content-Type", "application/json" if i % 3 else "text/plain")
        requests.append((body, head))
    return requests


@HTTP
async def test_a_hundred_junk_requests_get_401_no_traceback_and_a_mention_is_answered(
    slack_bot: SlackBot, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = slack_bot.service.http_url
    assert url is not None
    requests = junk_requests("not-the-signing-secret")
    # The stale ones are signed with the right secret: refused for their age alone.
    requests = [
        (body, {**head, "X-Slack-Signature": signature(slack.signing_secret, stamp, body)})
        if (stamp := head.get("X-Slack-Request-Timestamp", "")).isdigit()
        and int(stamp) < time.time() - 600
        else (body, head)
        for body, head in requests
    ]
    statuses = []
    async with aiohttp.ClientSession() as session:
        for body, head in requests:
            async with session.post(url, data=body, headers=head) as response:
                statuses.append(response.status)
    assert len(statuses) == 100 and set(statuses) == {401}
    assert tracebacks(caplog) == []
    ours = [r for r in caplog.records if r.name.startswith(("adapters", "bot", "slack_bolt"))]
    assert all(r.levelno <= logging.DEBUG for r in ours), [r.getMessage() for r in ours]
    assert await slack_bot.store.jobs() == []
    # The bot still answers a normal mention.
    mention = await slack_bot.mention("hello")
    await slack_bot.answers()
    assert slack_bot.texts(mention) == ["You said: hello"]


SIGNED_BUT_UNHANDLED = [
    (b"[]", "application/json"),
    (b'"x"', "application/json"),
    (b"null", "application/json"),
    (b"{", "application/json"),
    (b"\xff\xfe", "application/json"),
    (json.dumps({"type": "event_callback", "event": []}).encode(), "application/json"),
    (json.dumps({"type": "event_callback", "event": "x", "team_id": 7}).encode(), "text/plain"),
    (json.dumps({"type": "event_callback", "authorizations": "x", "event": {}}).encode(), ""),
    (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    (b"payload=%7B", "application/x-www-form-urlencoded"),
]


@HTTP
async def test_signed_bodies_that_are_not_envelopes_get_200_and_one_warning_each(
    slack_bot: SlackBot, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = slack_bot.service.http_url
    assert url is not None
    async with aiohttp.ClientSession() as session:
        for body, content_type in SIGNED_BUT_UNHANDLED:
            stamp = str(int(time.time()))
            head = {
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(slack.signing_secret, stamp, body),
                "Content-Type": content_type or "application/octet-stream",
            }
            async with session.post(url, data=body, headers=head) as response:
                # A 2xx: Slack retries anything else three times, and the body would not
                # become valid on a retry.
                assert response.status == 200, body
    assert tracebacks(caplog) == []
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == len(SIGNED_BUT_UNHANDLED)
    assert all(r.getMessage().startswith("ignored a signed Slack request") for r in warned)
    assert await slack_bot.store.jobs() == []
    mention = await slack_bot.mention("still here?")
    await slack_bot.answers()
    assert slack_bot.texts(mention) == ["You said: still here?"]


# ---- the two pure pieces ---------------------------------------------------------------------


def test_signed_checks_shape_age_and_secret() -> None:
    now = 1_700_000_000.0
    stamp = str(int(now))
    body = b'{"type":"event_callback"}'
    good = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature("s", stamp, body)}
    assert signed("s", body, good, now)
    assert not signed("s", body + b" ", good, now)
    assert not signed("t", body, good, now)
    assert not signed("", body, good, now)
    assert not signed("s", body, good, now + 301)
    assert signed("s", body, good, now - 300)
    assert not signed("s", body, {**good, "X-Slack-Signature": "V0=" + "0" * 64}, now)
    assert not signed("s", body, {**good, "X-Slack-Request-Timestamp": f" {stamp}"}, now)
    assert not signed("s", body, {"X-Slack-Signature": good["X-Slack-Signature"]}, now)


@pytest.mark.parametrize(
    ("text", "content_type", "handled"),
    [
        ('{"type":"event_callback","event":{"type":"message"}}', "application/json", True),
        ('{"type":"url_verification","challenge":"c"}', "application/json", True),
        ("command=%2Fassistant&text=help", "application/x-www-form-urlencoded", True),
        ("payload=%7B%22type%22%3A%22view_submission%22%7D", "", True),
        ("", "application/json", False),
        ("[1]", "application/json", False),
        ('{"type":"event_callback","event":[1]}', "application/json", False),
        ('{"type":"event_callback","event":{},"authorizations":[1]}', "", False),
        ('{"team_id":{"x":1}}', "application/json", False),
    ],
)
def test_unhandled_names_what_bolt_cannot_take(text: str, content_type: str, handled: bool) -> None:
    assert (unhandled(text, content_type) is None) == handled
