"""Every Slack Web API call the bot makes goes through ``call``: the SDK's errors become the
bot's own, the same for every method and either client (the reply client, which leaves 429s to
the reply editor, and the auxiliary one, whose retry handlers wait out 429s and 5xx first).

    SlackApiError, HTTP 429 or ``ratelimited``    → bot.errors.RateLimited (``Retry-After``)
    SlackApiError ``message_not_found``           → bot.errors.MessageGone
    SlackApiError with HTTP 5xx, a dropped
    connection, a timeout                         → bot.errors.PlatformUnavailable
    any other refusal (``ok: false``; an upload
    URL that would not take the bytes)            → SlackRefused, with Slack's error code

``SLACK_ERRORS`` is all four: what a caller catches when a call's failure is not the answer's
(a greeting, a title, a command's files). ``optional`` is that for calls whose failure only
needs a log line (suggested prompts, a thread title).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.errors import BotError, MessageGone, PlatformUnavailable, RateLimited

log = logging.getLogger(__name__)

Send = Callable[..., Awaitable[AsyncSlackResponse]]


class SlackRefused(BotError):
    """Slack answered a call with an error that asking again will not change."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error


SLACK_ERRORS = (RateLimited, MessageGone, PlatformUnavailable, SlackRefused)


def _method_of(send: Send) -> str:
    """``client.chat_postMessage`` → ``chat.postMessage`` (for log lines and errors)."""
    return str(getattr(send, "__name__", "slack")).replace("_", ".")


def _translated(exc: SlackApiError, method: str) -> BotError:
    response = exc.response
    error = str(response.get("error") or f"HTTP {response.status_code}")
    if response.status_code == 429 or error == "ratelimited":
        header = response.headers.get("Retry-After") if response.headers else None
        try:
            retry_after = max(0.0, float(header)) if header is not None else 1.0
        except ValueError:
            retry_after = 1.0
        return RateLimited(
            f"Slack rate limit on {method}", retry_after=retry_after, platform="Slack"
        )
    if error == "message_not_found":
        return MessageGone(f"{method}: {error}")
    if response.status_code >= 500:
        return PlatformUnavailable(f"{method}: {error}")
    return SlackRefused(method, error)


async def call(send: Send, **args: Any) -> AsyncSlackResponse:
    """``await send(**args)``, its failures translated (see the module docstring)."""
    method = _method_of(send)
    try:
        return await send(**args)
    except SlackApiError as exc:
        raise _translated(exc, method) from exc
    except SlackClientError as exc:  # e.g. the upload URL answered files_upload_v2 with a non-200
        raise SlackRefused(method, type(exc).__name__) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PlatformUnavailable(f"{method}: {type(exc).__name__}") from exc


async def optional(what: str, send: Send, **args: Any) -> AsyncSlackResponse | None:
    """A call the person can do without: its failure is a log line, and None."""
    try:
        return await call(send, **args)
    except SLACK_ERRORS as exc:
        log.info("%s not done (%s)", what, exc)
        return None
