"""Per-person daily quotas (messages and tokens), counted from the runs of the day (UTC)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from bot.i18n import t
from storage.base import Quotas
from storage.records import WORKSPACE_DEFAULT, Quota


@dataclass(frozen=True)
class Limits:
    messages_per_day: int | None = None
    tokens_per_day: int | None = None

    def describe(self, lang: str) -> str:
        parts = []
        if self.messages_per_day:
            parts.append(t(lang, "quota.limit.messages", n=self.messages_per_day))
        if self.tokens_per_day:
            parts.append(t(lang, "quota.limit.tokens", n=self.tokens_per_day))
        return ", ".join(parts) or t(lang, "config.unlimited")


def day_start(now: float | None = None) -> float:
    moment = dt.datetime.fromtimestamp(now if now is not None else time.time(), dt.UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def until_reset(lang: str, now: float | None = None) -> str:
    now = now if now is not None else time.time()
    left = int(day_start(now) + 86_400 - now)
    hours, minutes = divmod(max(left, 60) // 60, 60)
    if lang == "ko":
        return f"{hours}시간 {minutes}분" if hours else f"{minutes}분"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


async def effective_limits(store: Quotas, platform: str, workspace: str, channel: str) -> Limits:
    """The channel's limits where it sets them, else the workspace's; 0 means no limit."""
    workspace_quota = await store.get_quota(platform, workspace, WORKSPACE_DEFAULT) or Quota(
        platform, workspace
    )
    channel_quota = await store.get_quota(platform, workspace, channel) if channel else None
    messages, tokens = workspace_quota.messages_per_day, workspace_quota.tokens_per_day
    if channel_quota is not None:
        if channel_quota.messages_per_day is not None:
            messages = channel_quota.messages_per_day
        if channel_quota.tokens_per_day is not None:
            tokens = channel_quota.tokens_per_day
    return Limits(messages or None, tokens or None)


async def over_quota(
    store: Quotas,
    *,
    platform: str,
    workspace: str,
    channel: str,
    user: str,
    lang: str,
    command_prefix: str = "/",
) -> str | None:
    """The sentence to show when the person has used up today's quota here, else None."""
    limits = await effective_limits(store, platform, workspace, channel)
    if limits.messages_per_day is None and limits.tokens_per_day is None:
        return None
    used = await store.usage_since(platform, workspace, day_start(), user=user)
    messages = used[0].messages if used else 0
    tokens = used[0].tokens if used else 0
    if limits.messages_per_day is not None and messages >= limits.messages_per_day:
        limit = t(lang, "quota.limit.messages", n=limits.messages_per_day)
    elif limits.tokens_per_day is not None and tokens >= limits.tokens_per_day:
        limit = t(lang, "quota.limit.tokens", n=limits.tokens_per_day)
    else:
        return None
    return t(lang, "quota.exceeded", limit=limit, resets=until_reset(lang), p=command_prefix)


async def tokens_reached(
    store: Quotas,
    *,
    platform: str,
    workspace: str,
    channel: str,
    user: str,
    lang: str,
    spent: int,
) -> str | None:
    """The sentence ending an answer whose rounds so far (``spent`` tokens, not yet recorded)
    took the person to their daily token limit here; None while they are under it."""
    limits = await effective_limits(store, platform, workspace, channel)
    if limits.tokens_per_day is None:
        return None
    used = await store.usage_since(platform, workspace, day_start(), user=user)
    if (used[0].tokens if used else 0) + spent < limits.tokens_per_day:
        return None
    limit = t(lang, "quota.limit.tokens", n=limits.tokens_per_day)
    return t(lang, "answer.quota_reached", limit=limit, resets=until_reset(lang))
