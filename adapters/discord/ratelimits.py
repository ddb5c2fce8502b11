"""Discord's own account of a channel's message budget: every answer to a message create or
edit carries ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset-After`` for its bucket. An
aiohttp trace on discord.py's session (``Client(http_trace=…)``) reads them and hands them to
the reply budgets, which then know exactly when the next write is allowed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp

from adapters.discord.events import PLATFORM


@dataclass(frozen=True)
class BucketState:
    """What one answer said of its bucket."""

    key: str
    limit: int
    remaining: int
    reset_after: float


def channel_budget_key(channel_id: int | str) -> str:
    """The reply budget of a channel (``ChannelReply.budget_key``)."""
    return f"{PLATFORM}:{channel_id}"


_CHANNEL_MESSAGES = re.compile(r"/channels/(\d+)/messages(?:/\d+)?$")


def bucket_state(
    method: str, path: str, status: int, headers: dict[str, str] | object
) -> BucketState | None:
    """The state of a channel's message bucket from an answer, or None if it tells none (not
    a message create/edit, a 429, or no rate-limit headers)."""
    found = _CHANNEL_MESSAGES.search(path)
    get = getattr(headers, "get", None)
    if found is None or method not in ("POST", "PATCH") or status == 429 or get is None:
        return None
    try:
        limit = int(get("X-RateLimit-Limit"))
        remaining = int(get("X-RateLimit-Remaining"))
        reset_after = float(get("X-RateLimit-Reset-After"))
    except (TypeError, ValueError):
        return None
    return BucketState(channel_budget_key(found.group(1)), limit, remaining, reset_after)


def header_trace(report: Callable[[BucketState], None]) -> aiohttp.TraceConfig:
    """A trace that reports each channel message bucket state discord.py's requests meet."""
    trace = aiohttp.TraceConfig()

    async def ended(
        session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        response = params.response
        state = bucket_state(params.method, params.url.path, response.status, response.headers)
        if state is not None:
            report(state)

    trace.on_request_end.append(ended)
    return trace
