"""Admin commands about limits and usage: daily quotas per workspace, channel and role, and
the workspace's usage as text, a chart and a CSV. Permission is checked by the caller."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.admin import USAGE_DAYS, CommandReply, OutgoingFile, scope_text
from bot.command_deps import CommandDeps
from bot.i18n import t
from bot.profiles import resolve_profile
from bot.quota import Limits, ToolUsage, day_start, effective_limits, tools_note, tools_text
from bot.types import InboundMessage
from bot.usage_chart import days_back, render_chart_async, usage_csv
from storage.records import WORKSPACE_DEFAULT, Quota, RoleQuota, Usage

WEB_SEARCH_USD = 0.01
"""The list price of one web search call (``web_search`` tool: $10 per 1,000 calls)."""
IMAGE_USD = 0.04
"""About what one generated image costs (1024×1024, medium quality)."""


async def quota(deps: CommandDeps, message: InboundMessage, args: list[str], lang: str) -> str:
    if args and args[0].lower() == "role":
        return await _role_quota(deps, message, args[1:], lang)
    if args and args[0].lower() == "show":
        return await _show_quotas(deps, message, lang)
    channel = WORKSPACE_DEFAULT
    if args and args[0].lower() == "channel":
        channel, args = message.channel, args[1:]
    current = await deps.store.get_quota(message.platform, message.workspace, channel) or Quota(
        message.platform, message.workspace, channel
    )
    if args and args[0].lower() == "off":
        off = 0 if channel else None
        updated = Quota(
            message.platform,
            message.workspace,
            channel,
            messages_per_day=off,
            tokens_per_day=off,
            updated_by=message.user,
        )
    elif len(args) == 2 and args[0].lower() in ("messages", "tokens") and args[1].isdigit():
        field_name = "messages_per_day" if args[0].lower() == "messages" else "tokens_per_day"
        values = {
            "messages_per_day": current.messages_per_day,
            "tokens_per_day": current.tokens_per_day,
            field_name: int(args[1]),
        }
        updated = Quota(
            message.platform,
            message.workspace,
            channel,
            updated_by=message.user,
            updated_at=time.time(),
            **values,
        )
    else:
        return t(lang, "quota.usage")
    await deps.store.save_quota(updated)
    limits = await effective_limits(
        deps.store,
        message.platform,
        message.workspace,
        message.channel if channel else WORKSPACE_DEFAULT,
    )
    return t(
        lang,
        "quota.saved",
        scope=scope_text(lang, channel, message.platform),
        limits=limits.describe(lang),
    )


def _role_id(word: str) -> str:
    """A role as typed: an id, or a Discord role mention ``<@&id>``."""
    return word.removeprefix("<@&").removesuffix(">")


async def _role_quota(
    deps: CommandDeps, message: InboundMessage, args: list[str], lang: str
) -> str:
    if len(args) < 2:
        return t(lang, "quota.usage")
    role, action = _role_id(args[0]), args[1].lower()
    store = deps.store
    current = next(
        (q for q in await store.role_quotas(message.platform, message.workspace) if q.role == role),
        RoleQuota(message.platform, message.workspace, role),
    )
    if action == "off" and len(args) == 2:
        await store.save_role_quota(RoleQuota(message.platform, message.workspace, role))
        return t(lang, "quota.role.off", role=args[0])
    if len(args) != 3 or action not in ("messages", "tokens") or not args[2].isdigit():
        return t(lang, "quota.usage")
    limit = int(args[2])
    if action == "messages":
        updated = replace(current, messages_per_day=limit)
    else:
        updated = replace(current, tokens_per_day=limit)
    updated = replace(updated, updated_by=message.user, updated_at=time.time())
    await store.save_role_quota(updated)
    limits = Limits(updated.messages_per_day or None, updated.tokens_per_day or None)
    return t(
        lang,
        "quota.role.saved",
        platform=message.platform,
        role=args[0],
        limits=limits.describe(lang),
    )


async def _show_quotas(deps: CommandDeps, message: InboundMessage, lang: str) -> str:
    store, platform, workspace = deps.store, message.platform, message.workspace
    whole = await effective_limits(store, platform, workspace, WORKSPACE_DEFAULT)
    lines = [t(lang, "quota.show.workspace", platform=platform, limits=whole.describe(lang))]
    if message.channel:
        here = await store.get_quota(platform, workspace, message.channel)
        if message.parent_channel and here is None:
            here = await store.get_quota(platform, workspace, message.parent_channel)
        described = t(lang, "quota.show.inherit", platform=platform)
        if here is not None:
            described = (
                await effective_limits(
                    store, platform, workspace, message.channel, parent=message.parent_channel
                )
            ).describe(lang)
        lines.append(t(lang, "quota.show.channel", limits=described))
    for rule in await store.role_quotas(platform, workspace):
        limits = Limits(rule.messages_per_day or None, rule.tokens_per_day or None)
        lines.append(t(lang, "quota.show.role", role=rule.role, limits=limits.describe(lang)))
    return "\n".join(lines)


async def usage_all(deps: CommandDeps, message: InboundMessage, lang: str) -> CommandReply:
    """The text summary, and the same 30 days as a chart (PNG) and numbers (CSV)."""
    since = day_start() - (USAGE_DAYS - 1) * 86_400
    rows = await deps.store.usage_since(message.platform, message.workspace, since)
    if not rows:
        return CommandReply(t(lang, "usage.all.empty", days=USAGE_DAYS))
    profile = await resolve_profile(
        deps.store, deps.settings, message.platform, message.workspace, WORKSPACE_DEFAULT
    )
    price_in, price_out = deps.settings.price_of(profile.model)

    def cost(used: ToolUsage) -> str:
        tokens = used.input_tokens * price_in + used.output_tokens * price_out
        tools = used.web_searches * WEB_SEARCH_USD + used.images * IMAGE_USD
        return f"{tokens / 1e6 + tools:.2f}"

    lines = [t(lang, "usage.all.title", platform=message.platform, days=USAGE_DAYS)]
    for row in rows:
        lines.append(
            t(
                lang,
                "usage.all.line",
                user=row.user,
                messages=row.messages,
                tokens=row.tokens,
                tools=tools_text(lang, row),
                cost=cost(row),
            )
        )
    total = Usage(
        sum(r.input_tokens for r in rows),
        sum(r.output_tokens for r in rows),
        sum(r.web_searches for r in rows),
        sum(r.images for r in rows),
    )
    lines.append(
        t(
            lang,
            "usage.all.total",
            messages=sum(r.messages for r in rows),
            tokens=sum(r.tokens for r in rows),
            tools=tools_text(lang, total),
            cost=cost(total),
        )
    )
    if total.web_searches or total.images:
        lines.append(tools_note(lang))
    lines += await _ratings(deps, message, since, lang)
    daily = await deps.store.usage_by_day(message.platform, message.workspace, since)
    days = days_back(USAGE_DAYS)
    title = t(lang, "usage.chart.title", days=USAGE_DAYS, start=days[0], end=days[-1])
    png = await render_chart_async(daily, days, title, t(lang, "usage.chart.others"))
    stem = f"usage-{message.platform}-{days[-1]}"
    files = (OutgoingFile(f"{stem}.png", png), OutgoingFile(f"{stem}.csv", usage_csv(daily)))
    return CommandReply("\n".join(lines), files=files)


async def _ratings(
    deps: CommandDeps, message: InboundMessage, since: float, lang: str
) -> list[str]:
    """Thumbs up and down per profile, when answers were rated."""
    counts = await deps.store.feedback_counts(message.platform, message.workspace, since)
    if not counts:
        return []
    lines = [t(lang, "usage.feedback.title", days=USAGE_DAYS)]
    for count in counts:
        if count.profile:
            name = t(lang, "usage.feedback.channel", channel=f"<#{count.profile}>")
        else:
            name = t(lang, "usage.feedback.workspace", platform=message.platform)
        lines.append(t(lang, "usage.feedback.line", profile=name, up=count.up, down=count.down))
    return lines
