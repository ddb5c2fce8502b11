"""Counting a platform's API calls where they leave the process: an ``aiohttp`` trace on the
HTTP session the platform's SDK uses (slack_sdk's, discord.py's), so every call counts,
whichever part of the bot made it."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

import aiohttp
from yarl import URL

from bot.metrics import Metrics

MethodOf = Callable[[str, URL], str]


def call_tracer(
    metrics: Metrics,
    platform: str,
    method_of: MethodOf,
    *,
    into: aiohttp.TraceConfig | None = None,
) -> aiohttp.TraceConfig:
    """A trace that counts each call; ``into``: add the counting to that trace instead (a
    session that takes a single one, like discord.py's, already tracing something else).
    Before the session is made: a session freezes its traces."""

    async def ended(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        metrics.platform_call(
            platform, method_of(params.method, params.url), params.response.status
        )

    async def failed(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        metrics.platform_call(platform, method_of(params.method, params.url), 0)

    trace = into if into is not None else aiohttp.TraceConfig()
    trace.on_request_end.append(ended)
    trace.on_request_exception.append(failed)
    return trace


def slack_method(http_method: str, url: URL) -> str:
    """``POST https://slack.com/api/chat.update`` → ``chat.update``; file downloads → ``files``."""
    name = url.path.rstrip("/").rsplit("/", 1)[-1]
    return name if "/api/" in url.path and "." in name else "files"


_ID = re.compile(r"^\d+$")
_TOKEN_AFTER = ("webhooks", "interactions")


def discord_route(http_method: str, url: URL) -> str:
    """``PATCH /api/v10/channels/123/messages/456`` → ``PATCH /channels/{id}/messages/{id}``;
    the interaction tokens in webhook and callback paths become ``{token}``."""
    parts = [p for p in url.path.split("/") if p]
    if parts[:1] == ["api"]:
        parts = parts[2:] if len(parts) > 1 and parts[1].startswith("v") else parts[1:]
    route: list[str] = []
    for index, part in enumerate(parts):
        if _ID.match(part):
            route.append("{id}")
        elif index >= 2 and parts[index - 2] in _TOKEN_AFTER and _ID.match(parts[index - 1]):
            route.append("{token}")
        else:
            route.append(part)
    return f"{http_method} /{'/'.join(route)}"
