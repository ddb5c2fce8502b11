"""Finding a reply message whose id a crash lost.

Slack has no idempotency key for ``chat.startStream`` or ``chat.postMessage``: a process
killed after Slack created the message but before its ``ts`` was saved leaves a message that
the job's record does not name. The job wrote when it was about to post (``opening`` in its
reply state), so whoever takes it up looks in the thread (``conversations.replies``, the
``*:history`` scopes the bot has) for a message of the bot's from that moment on that still
shows nothing but the placeholder, and adopts it instead of posting a second one.

Only the first message of a reply is looked for: it is the one posted before the model is
asked, when a crash leaves the person an empty (and, natively streamed, still "writing")
message. A continuation page carries text, so a lost one is a duplicate page, not an empty
message, and is not looked for.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.calls import SLACK_ERRORS, call

log = logging.getLogger(__name__)

CLOCK_MARGIN = 30.0
"""Seconds before the recorded moment still searched: Slack's clock is not ours."""


async def find_lost_message(
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str,
    since: float,
    bot_user: str,
    placeholder: str,
) -> str | None:
    """The ``ts`` of the bot's earliest message in the thread since ``since`` that shows only
    the placeholder (or nothing), or None."""
    try:
        response = await call(
            client.conversations_replies,
            channel=channel,
            ts=thread_ts,
            oldest=f"{since - CLOCK_MARGIN:.6f}",
            limit=100,
        )
    except SLACK_ERRORS as exc:
        log.warning("could not look for a reply lost in a crash (%s)", exc)
        return None
    for message in response.get("messages") or []:
        ts = str(message.get("ts") or "")
        if ts == thread_ts or message.get("user") != bot_user:
            continue
        if (message.get("text") or "").strip() in ("", placeholder):
            return ts
    return None
