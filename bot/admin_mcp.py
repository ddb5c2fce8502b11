"""``mcp list | add | remove``: the remote MCP servers of the workspace, or (with ``channel``)
of this channel (a thread's parent channel), which answers there use too.
Permission is checked by the caller (``bot.commands``)."""

from __future__ import annotations

from bot.admin import scope_text
from bot.command_deps import CommandDeps
from bot.i18n import t
from bot.mcp import McpSetupError, parse_server
from bot.profiles import resolve_profile
from bot.types import InboundMessage
from storage.records import WORKSPACE_DEFAULT, McpServer


def details(lang: str, server: McpServer) -> str:
    """What a server is, with the names of the variables its headers come from (never the
    values)."""
    tools = ", ".join(server.allowed_tools) if server.allowed_tools else t(lang, "mcp.all_tools")
    headers = ", ".join(f"{name} ← ${var}" for name, var in server.headers.items())
    return t(
        lang,
        "mcp.details",
        url=server.url,
        tools=tools,
        approval=server.require_approval,
        approvers=server.approvers,
        headers=headers or t(lang, "mcp.no_headers"),
    )


async def mcp(deps: CommandDeps, message: InboundMessage, args: list[str], lang: str) -> str:
    channel = WORKSPACE_DEFAULT
    if args and args[0].lower() == "channel":
        # Typed in a thread: the thread's channel (answers there look servers up in it too).
        channel, args = message.parent_channel or message.channel, args[1:]
    action = args[0].lower() if args else "list"
    scope = scope_text(lang, channel, message.platform)
    store, platform, workspace = deps.store, message.platform, message.workspace
    if action == "list" and len(args) <= 1:
        servers = await store.mcp_servers(platform, workspace, [channel])
        if not servers:
            return t(lang, "mcp.list.empty", scope=scope)
        lines = [t(lang, "mcp.list.title", scope=scope)]
        lines += [
            t(lang, "mcp.list.line", label=s.label, details=details(lang, s)) for s in servers
        ]
        return "\n".join(lines)
    if action == "add":
        try:
            server = parse_server(
                args[1:], platform=platform, workspace=workspace, channel=channel, user=message.user
            )
        except McpSetupError as exc:
            return exc.message_for(lang)
        await store.save_mcp_server(server)
        reply = t(lang, "mcp.added", label=server.label, scope=scope, details=details(lang, server))
        profile = await resolve_profile(
            store,
            deps.settings,
            platform,
            workspace,
            channel or WORKSPACE_DEFAULT,
            message.parent_channel if channel else "",
        )
        if profile.model_api != "responses":
            reply += "\n" + t(lang, "mcp.added.chat")
        return reply
    if action == "remove" and len(args) == 2:
        if await store.remove_mcp_server(platform, workspace, channel, args[1]):
            return t(lang, "mcp.removed", label=args[1], scope=scope)
        return t(lang, "mcp.not_found", label=args[1][:64], scope=scope)
    return t(lang, "mcp.usage")
