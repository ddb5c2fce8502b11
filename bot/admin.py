"""Admin commands: the assistant's configuration per workspace and channel, its history and
rollback (quotas and usage are in ``admin_usage``). Permission is checked by the caller
(``bot.commands``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.command_deps import CommandDeps
from bot.config import RunMode
from bot.i18n import t
from bot.model_backend import MODEL_APIS
from bot.profiles import (
    PROFILE_FIELDS,
    EffectiveProfile,
    change_profile,
    change_value,
    resolve_profile,
)
from bot.quota import effective_limits
from bot.tutor import TutorPolicy, parse_policy
from bot.types import InboundMessage
from bot.welcome import parse_prompts
from storage.records import WORKSPACE_DEFAULT

HOSTED_TOOLS = ("code_interpreter", "file_search", "web_search", "image_generation")
RUN_MODES = tuple(RunMode)
USAGE_DAYS = 30


@dataclass(frozen=True)
class ModalRequest:
    """Ask the adapter to open a form with one multi-line field, pre-filled."""

    id: str
    title: str
    label: str
    value: str


@dataclass(frozen=True)
class OutgoingFile:
    """A file a command's reply carries (an export, a chart), uploaded natively."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CommandReply:
    text: str
    modal: ModalRequest | None = None
    files: tuple[OutgoingFile, ...] = ()


def scope_text(lang: str, channel: str, platform: str = "") -> str:
    return t(lang, "scope.channel" if channel else "scope.workspace", platform=platform)


def _shown(lang: str, value: object) -> str:
    if value is None:
        return t(lang, "config.none")
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or t(lang, "config.none")
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


async def config(
    deps: CommandDeps, message: InboundMessage, args: list[str], lang: str
) -> CommandReply:
    action = args[0].lower() if args else "show"
    rest = args[1:]
    channel = WORKSPACE_DEFAULT
    if action == "channel":
        if not rest:
            return CommandReply(t(lang, "config.usage"))
        if rest[0].lower() == "clear":
            return CommandReply(await _clear_channel(deps, message, lang))
        action, rest, channel = rest[0].lower(), rest[1:], message.channel
    if action == "show":
        return CommandReply(await show(deps, message, lang))
    if action == "instructions":
        if not rest:
            profile = await resolve_profile(
                deps.store,
                deps.settings,
                message.platform,
                message.workspace,
                channel or WORKSPACE_DEFAULT,
                message.parent_channel if channel else "",
            )
            modal_id = "config.channel.instructions" if channel else "config.instructions"
            return CommandReply(
                "",
                ModalRequest(
                    modal_id,
                    t(lang, "config.instructions.title"),
                    t(
                        lang,
                        "config.instructions.label",
                        scope=scope_text(lang, channel, message.platform),
                    ),
                    profile.instructions,
                ),
            )
        return CommandReply(
            await _set(deps, message, channel, "instructions", " ".join(rest), lang)
        )
    if action == "model" and rest:
        return CommandReply(await _set(deps, message, channel, "model", rest[0], lang))
    if action == "mode" and rest:
        mode = rest[0].lower()
        if mode not in (*RUN_MODES, "default"):
            return CommandReply(t(lang, "config.bad_mode"))
        value = None if mode == "default" else mode
        return CommandReply(await _set(deps, message, channel, "run_mode", value, lang))
    if action == "tools" and len(rest) == 2 and rest[0].lower() in ("on", "off"):
        return CommandReply(
            await _toggle_tool(deps, message, channel, rest[0] == "on", rest[1], lang)
        )
    if action == "api" and rest:
        return CommandReply(await _set_api(deps, message, channel, rest[0].lower(), lang))
    if action == "server" and rest:
        return CommandReply(await _set_server(deps, message, channel, rest[0], lang))
    if action == "language" and rest:
        choice = rest[0].lower()
        if choice not in ("en", "ko", "auto"):
            return CommandReply(t(lang, "config.bad_language"))
        value = None if choice == "auto" else choice
        return CommandReply(await _set(deps, message, WORKSPACE_DEFAULT, "language", value, lang))
    if action == "prompts":
        return await _prompts(deps, message, rest, lang)
    if action == "tutor":
        return CommandReply(await _tutor(deps, message, channel, rest, lang))
    if action == "retention" and rest and channel == WORKSPACE_DEFAULT:
        choice = rest[0].lower()
        if choice != "off" and not (choice.isdigit() and int(choice) > 0):
            return CommandReply(t(lang, "config.bad_retention"))
        days = None if choice == "off" else int(choice)
        return CommandReply(
            await _set(deps, message, WORKSPACE_DEFAULT, "retention_days", days, lang)
        )
    if action == "history":
        return CommandReply(await history(deps, message, lang))
    if action == "rollback" and rest and rest[0].lstrip("#").isdigit():
        return CommandReply(await rollback(deps, message, int(rest[0].lstrip("#")), lang))
    return CommandReply(t(lang, "config.usage"))


async def submit_instructions(
    deps: CommandDeps, message: InboundMessage, modal_id: str, value: str, lang: str
) -> str:
    channel = message.channel if modal_id == "config.channel.instructions" else WORKSPACE_DEFAULT
    return await _set(deps, message, channel, "instructions", value.strip() or None, lang)


async def _prompts(
    deps: CommandDeps, message: InboundMessage, rest: list[str], lang: str
) -> CommandReply:
    """The workspace's suggested prompts: ``T | M; T | M`` inline, ``clear``, or a form."""
    if not rest:
        profile = await deps.store.get_profile(
            message.platform, message.workspace, WORKSPACE_DEFAULT
        )
        current = profile.prompts if profile and profile.prompts else ""
        return CommandReply(
            "",
            ModalRequest(
                "config.prompts",
                t(lang, "config.prompts.title"),
                t(lang, "config.prompts.label"),
                current,
            ),
        )
    text = " ".join(rest)
    if text.lower() in ("clear", "default"):
        text = ""
    return CommandReply(await submit_prompts(deps, message, text.replace(";", "\n"), lang))


async def submit_prompts(deps: CommandDeps, message: InboundMessage, value: str, lang: str) -> str:
    """One prompt a line; nothing left means the defaults (prompts that follow the tools)."""
    prompts = parse_prompts(value)
    if prompts is None:
        return t(lang, "config.prompts.bad")
    text = "\n".join(f"{p.title} | {p.message}" for p in prompts) or None
    await _change(deps, message, WORKSPACE_DEFAULT, "prompts", text)
    if text is None:
        return t(lang, "config.prompts.cleared")
    return t(lang, "config.prompts.saved", titles=", ".join(p.title for p in prompts))


async def _change(
    deps: CommandDeps, message: InboundMessage, channel: str, field_name: str, value: object
) -> None:
    """Set one field of a profile in the message's workspace, changed by its sender."""
    await change_profile(
        deps.store,
        platform=message.platform,
        workspace=message.workspace,
        channel=channel,
        field_name=field_name,
        value=value,
        changed_by=message.user,
    )


async def _set(
    deps: CommandDeps,
    message: InboundMessage,
    channel: str,
    field_name: str,
    value: object,
    lang: str,
) -> str:
    await _change(deps, message, channel, field_name, value)
    return t(
        lang,
        "config.saved",
        field=field_name,
        scope=scope_text(lang, channel, message.platform),
        value=_shown(lang, value),
    )


async def _tutor(
    deps: CommandDeps, message: InboundMessage, channel: str, words: list[str], lang: str
) -> str:
    policy = parse_policy(words)
    if isinstance(policy, str):
        return t(lang, "config.tutor.usage")
    await _change(deps, message, channel, "tutor", policy.to_json() if policy is not None else None)
    described = (
        policy.describe()
        if policy is not None
        else t(lang, "config.tutor.inherit", platform=message.platform)
    )
    scope = scope_text(lang, channel, message.platform)
    return t(lang, "config.tutor.saved", scope=scope, policy=described)


def _tutor_shown(lang: str, encoded: object) -> str:
    policy = TutorPolicy.from_json(encoded if isinstance(encoded, str) else None)
    return policy.describe() if policy is not None else t(lang, "config.none")


async def _toggle_tool(
    deps: CommandDeps, message: InboundMessage, channel: str, enable: bool, tool: str, lang: str
) -> str:
    functions = deps.functions.names()
    choices = [*HOSTED_TOOLS, "functions", *functions]
    if tool not in choices and tool.removeprefix("fn:") not in functions:
        return t(lang, "config.unknown_tool", tool=tool, choices=", ".join(choices))
    name = tool if tool in (*HOSTED_TOOLS, "functions") else f"fn:{tool.removeprefix('fn:')}"
    parent = message.parent_channel if channel else ""
    profile = await resolve_profile(
        deps.store, deps.settings, message.platform, message.workspace, channel, parent
    )
    if enable and name in HOSTED_TOOLS and deps.backends.for_profile(profile).hosted is None:
        return t(lang, "config.hosted_unavailable", tool=name)
    tools = list(profile.tools)
    if name.startswith("fn:") and "functions" in tools and not enable:
        tools = [t_ for t_ in tools if t_ != "functions"] + [f"fn:{f}" for f in functions]
    if enable and name not in tools:
        tools.append(name)
    if not enable:
        tools = [t_ for t_ in tools if t_ != name]
    return await _set(deps, message, channel, "tools", tuple(tools), lang)


async def _set_api(
    deps: CommandDeps, message: InboundMessage, channel: str, choice: str, lang: str
) -> str:
    if choice not in (*MODEL_APIS, "default"):
        return t(lang, "config.bad_api")
    value = None if choice == "default" else choice
    await _set(deps, message, channel, "model_api", value, lang)
    return await _backend_saved(deps, message, channel, lang)


async def _set_server(
    deps: CommandDeps, message: InboundMessage, channel: str, url: str, lang: str
) -> str:
    value = None if url.lower() == "default" else url.strip("<>").rstrip("/")
    if not deps.backends.base_url_allowed(value):
        allowed = ", ".join(deps.settings.base_urls) or t(lang, "config.none")
        return t(lang, "config.server_not_listed", url=value, allowed=allowed)
    await _set(deps, message, channel, "base_url", value, lang)
    return await _backend_saved(deps, message, channel, lang)


async def _backend_saved(
    deps: CommandDeps, message: InboundMessage, channel: str, lang: str
) -> str:
    parent = message.parent_channel if channel else ""
    profile = await resolve_profile(
        deps.store, deps.settings, message.platform, message.workspace, channel, parent
    )
    backend = deps.backends.for_profile(profile)
    described = deps.backends.describe(profile)
    api, _, server = described.partition(" ")
    text = t(
        lang,
        "config.api_saved",
        scope=scope_text(lang, channel, message.platform),
        api=api,
        server=f" {server}" if server else "",
    )
    if backend.hosted is None and any(tool in HOSTED_TOOLS for tool in profile.tools):
        text += t(lang, "config.api_hosted_off")
    return text


async def _clear_channel(deps: CommandDeps, message: InboundMessage, lang: str) -> str:
    current = await deps.store.get_profile(message.platform, message.workspace, message.channel)
    for field_name in PROFILE_FIELDS:
        if current is not None and getattr(current, field_name) is not None:
            await _change(deps, message, message.channel, field_name, None)
    return t(lang, "config.cleared", platform=message.platform)


async def show(deps: CommandDeps, message: InboundMessage, lang: str) -> str:
    store = deps.store
    profile = await resolve_profile(
        store,
        deps.settings,
        message.platform,
        message.workspace,
        message.channel,
        message.parent_channel,
    )
    workspace = await store.get_profile(message.platform, message.workspace, WORKSPACE_DEFAULT)
    language = workspace.language if workspace and workspace.language else "auto"
    knowledge = [
        f.filename
        for channel in dict.fromkeys((message.channel, message.parent_channel, WORKSPACE_DEFAULT))
        for f in await store.knowledge_files(message.platform, message.workspace, channel)
    ]
    limits = await effective_limits(
        store,
        message.platform,
        message.workspace,
        message.channel,
        parent=message.parent_channel,
    )

    def source(name: str) -> str:
        source = profile.sources.get(name, "settings")
        return t(lang, f"config.from.{source}", platform=message.platform)

    return t(
        lang,
        "config.show",
        scope=scope_text(lang, message.channel, message.platform),
        model=profile.model,
        model_from=source("model"),
        backend=deps.backends.describe(profile),
        backend_from=source("model_api"),
        tools=_shown(lang, _usable_tools(deps, profile)),
        tools_from=source("tools"),
        run_mode=profile.run_mode,
        run_mode_from=source("run_mode"),
        tutor=_tutor_shown(lang, profile.tutor),
        language=language,
        retention=(
            t(lang, "config.retention.days", n=workspace.retention_days)
            if workspace and workspace.retention_days
            else t(lang, "config.retention.none")
        ),
        knowledge=_shown(lang, knowledge),
        quota=limits.describe(lang),
        instructions_from=source("instructions"),
        instructions=profile.instructions,
    )


def _usable_tools(deps: CommandDeps, profile: EffectiveProfile) -> tuple[str, ...]:
    if deps.backends.for_profile(profile).hosted is not None:
        return profile.tools
    return tuple(tool for tool in profile.tools if tool not in HOSTED_TOOLS)


async def history(deps: CommandDeps, message: InboundMessage, lang: str) -> str:
    changes = await deps.store.profile_changes(message.platform, message.workspace)
    if not changes:
        return t(lang, "config.history.empty")
    return "\n".join(
        t(
            lang,
            "config.history.line",
            id=c.id,
            when=dt.datetime.fromtimestamp(c.changed_at, dt.UTC).strftime("%Y-%m-%d %H:%M"),
            who=c.changed_by,
            field=c.field,
            scope=scope_text(lang, c.channel, message.platform),
            value=(
                _tutor_shown(lang, change_value(c.new_value))
                if c.field == "tutor"
                else _shown(lang, change_value(c.new_value))
            ),
        )
        for c in changes
    )


async def rollback(deps: CommandDeps, message: InboundMessage, change_id: int, lang: str) -> str:
    change = await deps.store.get_profile_change(message.platform, message.workspace, change_id)
    if change is None:
        return t(lang, "config.rollback.missing", id=change_id)
    old = change_value(change.old_value)
    await _change(deps, message, change.channel, change.field, old)
    return t(
        lang,
        "config.rollback.done",
        id=change_id,
        field=change.field,
        scope=scope_text(lang, change.channel, message.platform),
        value=_shown(lang, old),
    )
