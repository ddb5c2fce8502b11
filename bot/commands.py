"""Commands, implemented once for every platform; adapters render the reply (and open the
form a reply may ask for). Everyone: help, reset, retry, status, stop, usage. Admins: config,
kb, quota, usage all. Permission is the adapter's finding (``is_admin``).

A command that fails (OpenAI down during ``kb add``, the database gone) answers one friendly
sentence and logs one line (with a traceback only for what is not one of our own errors), on
every adapter alike: the console keeps running, Slack and Discord show the sentence."""

from __future__ import annotations

import logging

from bot import admin, admin_mcp, admin_usage, knowledge, privacy
from bot.admin import CommandReply, ModalRequest, OutgoingFile
from bot.command_deps import CommandDeps
from bot.errors import BotError, RunError
from bot.i18n import DEFAULT, t
from bot.ingest import DOCUMENT_TYPES, extension
from bot.profiles import resolve_profile
from bot.quota import (
    day_start,
    describe_standing,
    effective_limits,
    tools_note,
    tools_text,
    until_reset,
)
from bot.types import InboundMessage
from storage.records import WORKSPACE_DEFAULT

log = logging.getLogger(__name__)

EVERYONE = ("help", "reset", "retry", "status", "stop", "usage", "quota", "forget", "export")
ADMIN = ("config", "knowledge", "kb", "mcp")
"""Also for admins only: ``quota`` with arguments (setting limits) and ``usage all``."""

__all__ = [
    "ADMIN",
    "EVERYONE",
    "CommandReply",
    "ModalRequest",
    "OutgoingFile",
    "failed",
    "handle_command",
    "run_command",
    "submit_modal",
]


async def handle_command(
    deps: CommandDeps, message: InboundMessage, line: str, *, is_admin: bool = False
) -> CommandReply:
    """The reply to a command line without its slash, e.g. ``reset`` or ``config model x``;
    a failure is one friendly sentence (see the module docstring), never an exception."""
    try:
        return await _handle(deps, message, line, is_admin=is_admin)
    except Exception as exc:
        return await failed(deps, message, " ".join(line.split()[:2]) or "help", exc)


async def failed(
    deps: CommandDeps, message: InboundMessage, command: str, exc: Exception
) -> CommandReply:
    """The one sentence (and the one log line) for a command that raised ``exc``."""
    if isinstance(exc, BotError):
        log.warning("command %r failed: %s", command, exc)
    else:
        log.error("command %r failed", command, exc_info=exc)
    try:
        lang = await deps.languages.language_of(message)
    except Exception:  # the database may be what failed
        lang = DEFAULT
    if isinstance(exc, RunError):
        return CommandReply(exc.message_for(lang))
    return CommandReply(t(lang, "command.failed", command=command))


async def _handle(
    deps: CommandDeps, message: InboundMessage, line: str, *, is_admin: bool = False
) -> CommandReply:
    words = line.strip().split()
    name = words[0].lower() if words else "help"
    name = "kb" if name == "knowledge" else name
    args = words[1:]
    lang = await deps.languages.language_of(message)
    platform = deps.platforms.get(message.platform)
    p = platform.limits.command_prefix if platform is not None else "/"
    admin_p = (platform.limits.admin_command_prefix if platform is not None else None) or p
    needs_admin = (
        name in ADMIN
        or (name == "usage" and args[:1] == ["all"])
        or (name == "quota" and bool(args))
    )
    if needs_admin and not is_admin:
        log.info("refused %r to %s (not an admin)", name, message.user)
        return CommandReply(
            t(lang, "not_admin", platform=message.platform, command=" ".join(words[:2]))
        )
    if name == "help":
        admin_help = (
            "\n\n" + t(lang, "help.admin", platform=message.platform, p=admin_p) if is_admin else ""
        )
        return CommandReply(t(lang, "help", p=p) + admin_help)
    if name == "reset":
        await deps.answers.reset(message.platform, message.workspace, message.user)
        return CommandReply(t(lang, "reset.done"))
    if name == "retry":
        retried = await deps.answers.retry_last_failed(
            message.platform, message.workspace, message.user
        )
        return CommandReply(t(lang, "retry.started" if retried else "retry.none"))
    if name == "status":
        running, queued = await deps.answers.user_status(
            message.platform, message.workspace, message.user
        )
        if running:
            return CommandReply(t(lang, "status.busy", queued=queued))
        return CommandReply(
            t(lang, "status.queued", queued=queued) if queued else t(lang, "status.idle")
        )
    if name == "stop":
        stopped = await deps.answers.stop_answer(message.platform, message.workspace, message.user)
        return CommandReply(t(lang, "stop.done" if stopped else "stop.none"))
    if name == "usage":
        if args[:1] == ["all"]:
            return await admin_usage.usage_all(deps, message, lang)
        return CommandReply(await _my_usage(deps, message, lang))
    if name == "forget":
        return CommandReply(await _forget(deps, message, args, lang, p))
    if name == "export":
        return await _export(deps, message, lang)
    if name == "config":
        return await admin.config(deps, message, args, lang)
    if name == "quota":
        if not args:
            return CommandReply(await describe_standing(deps.store, message, lang))
        return CommandReply(await admin_usage.quota(deps, message, args, lang))
    if name == "kb":
        return CommandReply(await _knowledge(deps, message, args, lang))
    if name == "mcp":
        return CommandReply(await admin_mcp.mcp(deps, message, args, lang))
    return CommandReply(t(lang, "unknown_command", name=name, p=p))


async def submit_modal(
    deps: CommandDeps, message: InboundMessage, modal_id: str, value: str, *, is_admin: bool = False
) -> CommandReply:
    """A form opened by a command was submitted (``ModalRequest.id``)."""
    command = "config prompts" if modal_id == "config.prompts" else "config instructions"
    try:
        lang = await deps.languages.language_of(message)
        if not is_admin:
            return CommandReply(t(lang, "not_admin", platform=message.platform, command=command))
        if modal_id in ("config.instructions", "config.channel.instructions"):
            return CommandReply(
                await admin.submit_instructions(deps, message, modal_id, value, lang)
            )
        if modal_id == "config.prompts":
            return CommandReply(await admin.submit_prompts(deps, message, value, lang))
        return CommandReply(t(lang, "unknown_command", name=modal_id, p="/"))
    except Exception as exc:
        return await failed(deps, message, command, exc)


async def run_command(
    deps: CommandDeps, message: InboundMessage, line: str, *, is_admin: bool = False
) -> str:
    """``handle_command`` for adapters that show text only."""
    return (await handle_command(deps, message, line, is_admin=is_admin)).text


async def _forget(
    deps: CommandDeps, message: InboundMessage, args: list[str], lang: str, p: str
) -> str:
    if args[:1] != ["confirm"]:
        return t(lang, "forget.confirm", platform=message.platform, p=p)
    active = await deps.store.jobs(statuses=["queued", "running"])
    if any(j.platform == message.platform and j.user == message.user for j in active):
        return t(lang, "forget.busy", p=p)
    deleted = await privacy.forget_person(
        deps.store, deps.backends.responses, message.platform, message.user
    )
    return t(lang, "forget.done", n=deleted)


async def _export(deps: CommandDeps, message: InboundMessage, lang: str) -> CommandReply:
    threads = await deps.store.user_threads(message.platform, message.user)
    if not threads:
        return CommandReply(t(lang, "export.empty"))
    data = await privacy.export_history(
        deps.store, deps.backends.responses, message.platform, message.user
    )
    name = f"assistant-history-{message.platform}-{day_start():.0f}.json"
    return CommandReply(t(lang, "export.done", n=len(threads)), files=(OutgoingFile(name, data),))


async def _my_usage(deps: CommandDeps, message: InboundMessage, lang: str) -> str:
    used = await deps.store.usage_since(
        message.platform, message.workspace, day_start(), user=message.user
    )
    if not used:
        text = t(lang, "usage.mine", messages=0, tokens=0, tools="", resets=until_reset(lang))
    else:
        [mine] = used
        text = t(
            lang,
            "usage.mine",
            messages=mine.messages,
            tokens=mine.tokens,
            tools=tools_text(lang, mine),
            resets=until_reset(lang),
        )
        if mine.web_searches or mine.images:
            text += " " + tools_note(lang)
    limits = await effective_limits(
        deps.store,
        message.platform,
        message.workspace,
        message.channel,
        parent=message.parent_channel,
        roles=message.roles,
    )
    if limits.messages_per_day or limits.tokens_per_day:
        text += "\n" + t(lang, "usage.mine.limits", limits=limits.describe(lang))
    return text


async def _knowledge(deps: CommandDeps, message: InboundMessage, args: list[str], lang: str) -> str:
    action = args[0].lower() if args else "list"
    rest = args[1:]
    channel = message.parent_channel or message.channel
    if rest and rest[-1].lower() == "workspace":
        channel, rest = WORKSPACE_DEFAULT, rest[:-1]
    if action == "add":
        profile = await resolve_profile(
            deps.store, deps.settings, message.platform, message.workspace, message.channel
        )
        if deps.backends.for_profile(profile).hosted is None:
            return t(lang, "kb.no_hosted_tools")
        lines = await knowledge.add_documents(
            store=deps.store,
            backend=deps.backends.responses,
            settings=deps.settings,
            platform=deps.platforms[message.platform],
            workspace=message.workspace,
            channel=channel,
            attachments=message.attachments,
            added_by=message.user,
            lang=lang,
        )
        if any(extension(a.name) not in DOCUMENT_TYPES | {"txt"} for a in message.attachments):
            profile = await resolve_profile(
                deps.store,
                deps.settings,
                message.platform,
                message.workspace,
                message.channel,
                message.parent_channel,
            )
            if "code_interpreter" not in profile.tools:
                lines.append(t(lang, "kb.data_needs_code"))
        return "\n".join(lines)
    if action == "list":
        return await knowledge.list_documents(
            deps.store, message.platform, message.workspace, channel, lang
        )
    if action == "remove" and rest:
        return await knowledge.remove_document(
            deps.store,
            deps.backends.responses,
            message.platform,
            message.workspace,
            channel,
            " ".join(rest),
            lang,
        )
    return t(lang, "kb.usage")
