"""Per-person daily quotas (messages and tokens), counted from the runs of the day (UTC): per
workspace, channel (threads follow their parent channel) and role; a direct message counts
against every server with quotas that the person shares with the bot (the strictest wins).
Web searches and generated images, billed per call, count as tokens at a fixed rate."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.i18n import t
from bot.ports import Quotas
from bot.types import InboundMessage
from storage.records import WORKSPACE_DEFAULT, Quota

WEB_SEARCH_TOKENS = 5_000
"""One web search against a daily token limit: billed about $0.01 a call, the price of some
5,000 tokens of a mid-priced model."""
IMAGE_TOKENS = 20_000
"""One generated image (about $0.04 at medium quality)."""


class ToolUsage(Protocol):
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def web_searches(self) -> int: ...
    @property
    def images(self) -> int: ...


def counted_tokens(usage: ToolUsage) -> int:
    """What counts against a daily token limit: the model's tokens and the per-call tools."""
    return (
        usage.input_tokens
        + usage.output_tokens
        + usage.web_searches * WEB_SEARCH_TOKENS
        + usage.images * IMAGE_TOKENS
    )


def tools_text(lang: str, usage: ToolUsage) -> str:
    """``, 2 web search(es), 1 image(s)`` after a token count, or nothing without any."""
    if not usage.web_searches and not usage.images:
        return ""
    return t(lang, "usage.tools", searches=usage.web_searches, images=usage.images)


def tools_note(lang: str) -> str:
    return t(lang, "usage.tools.note", search_tokens=WEB_SEARCH_TOKENS, image_tokens=IMAGE_TOKENS)


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


async def effective_limits(
    store: Quotas,
    platform: str,
    workspace: str,
    channel: str,
    *,
    parent: str = "",
    roles: Sequence[str] = (),
) -> Limits:
    """Most specific first: a limit set for one of the person's roles (the most generous of
    their roles, 0 = none), else the channel's (a thread's own, else its parent channel's),
    else the workspace's. 0 means no limit."""
    workspace_quota = await store.get_quota(platform, workspace, WORKSPACE_DEFAULT) or Quota(
        platform, workspace
    )
    values = {
        "messages_per_day": workspace_quota.messages_per_day,
        "tokens_per_day": workspace_quota.tokens_per_day,
    }
    for scope in (parent, channel):
        if not scope:
            continue
        channel_quota = await store.get_quota(platform, workspace, scope)
        for name in values:
            if channel_quota is not None and getattr(channel_quota, name) is not None:
                values[name] = getattr(channel_quota, name)
    rules = [q for q in await store.role_quotas(platform, workspace) if q.role in roles]
    for name in values:
        set_by_roles = [getattr(q, name) for q in rules if getattr(q, name) is not None]
        if set_by_roles:
            values[name] = 0 if 0 in set_by_roles else max(set_by_roles)
    return Limits(values["messages_per_day"] or None, values["tokens_per_day"] or None)


@dataclass(frozen=True)
class Standing:
    """A person's day against one workspace's limits."""

    workspace: str
    name: str
    """'' for where the message was written, else the shared server's name (a DM)."""
    limits: Limits
    messages: int
    tokens: int

    def reached(self, lang: str, *, messages: bool = True) -> str | None:
        """The limit used up (the messages limit only with ``messages``), described, or None."""
        if (
            messages
            and self.limits.messages_per_day is not None
            and self.messages >= self.limits.messages_per_day
        ):
            return t(lang, "quota.limit.messages", n=self.limits.messages_per_day)
        if self.limits.tokens_per_day is not None and self.tokens >= self.limits.tokens_per_day:
            return t(lang, "quota.limit.tokens", n=self.limits.tokens_per_day)
        return None

    def left(self, lang: str) -> str:
        parts = []
        if self.limits.messages_per_day is not None:
            left = max(self.limits.messages_per_day - self.messages, 0)
            parts.append(t(lang, "quota.left.messages", n=left, of=self.limits.messages_per_day))
        if self.limits.tokens_per_day is not None:
            left = max(self.limits.tokens_per_day - self.tokens, 0)
            parts.append(t(lang, "quota.left.tokens", n=left, of=self.limits.tokens_per_day))
        return ", ".join(parts)


async def standings(store: Quotas, message: InboundMessage) -> list[Standing]:
    """Where the message was written, then each server a direct message counts against. A
    person's direct messages (``direct_workspace``) count together with each server's own."""
    platform, user = message.platform, message.user
    own = await effective_limits(
        store,
        platform,
        message.workspace,
        message.channel,
        parent=message.parent_channel,
        roles=message.roles,
    )
    pool = {message.workspace, message.direct_workspace} - {""}
    found = [Standing(message.workspace, "", own, *await _used(store, platform, user, pool))]
    for shared in message.memberships:
        if shared.workspace == message.workspace:
            continue
        limits = await effective_limits(store, platform, shared.workspace, "", roles=shared.roles)
        used = await _used(store, platform, user, {shared.workspace, message.workspace})
        found.append(Standing(shared.workspace, shared.name or shared.workspace, limits, *used))
    return found


async def _used(store: Quotas, platform: str, user: str, workspaces: set[str]) -> tuple[int, int]:
    messages = tokens = 0
    since = day_start()
    for workspace in sorted(workspaces):
        for row in await store.usage_since(platform, workspace, since, user=user):
            messages, tokens = messages + row.messages, tokens + counted_tokens(row)
    return messages, tokens


async def over_quota(
    store: Quotas, message: InboundMessage, *, lang: str, command_prefix: str = "/"
) -> str | None:
    """The sentence to show when the person has used up today's quota here (or, in a direct
    message, in a server they share with the bot), else None. A job that continues an answer
    (a decision on MCP tool calls) is no new message: only the token limit applies to it."""
    for standing in await standings(store, message):
        limit = standing.reached(lang, messages=not message.continues)
        if limit is None:
            continue
        if standing.name:
            return t(
                lang,
                "quota.exceeded.shared",
                limit=limit,
                server=standing.name,
                resets=until_reset(lang),
                p=command_prefix,
            )
        return t(lang, "quota.exceeded", limit=limit, resets=until_reset(lang), p=command_prefix)
    return None


async def describe_standing(store: Quotas, message: InboundMessage, lang: str) -> str:
    """``quota`` for everyone: the limits that apply to the person and what is left today."""
    lines = []
    for standing in await standings(store, message):
        if standing.limits == Limits():
            if not standing.name:
                lines.append(t(lang, "quota.mine.none", messages=standing.messages))
            continue
        key = "quota.mine.shared" if standing.name else "quota.mine"
        lines.append(t(lang, key, server=standing.name, left=standing.left(lang)))
    lines.append(t(lang, "quota.mine.resets", resets=until_reset(lang)))
    return "\n".join(lines)


async def tokens_reached(
    store: Quotas, message: InboundMessage, *, lang: str, spent: int
) -> str | None:
    """The sentence ending an answer whose rounds so far (``spent`` tokens, not yet recorded)
    took the person to a daily token limit (here, or of a shared server in a DM); None while
    they are under it."""
    for standing in await standings(store, message):
        limit = standing.limits.tokens_per_day
        if limit is None or standing.tokens + spent < limit:
            continue
        described = t(lang, "quota.limit.tokens", n=limit)
        return t(lang, "answer.quota_reached", limit=described, resets=until_reset(lang))
    return None
