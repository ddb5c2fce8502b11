"""Remote MCP servers an admin configures per profile, passed to the model as ``mcp`` tools.

Headers come from environment variables only: the admin names the variable, and its value
is read when a request is built, never stored, shown or logged. Only variables whose names
start with ``MCP_`` may be named (the operator keeps MCP secrets there): any other would let
an admin send the bot's own secrets (``OPENAI_API_KEY``…) to a server of their choosing. A
server with headers needs ``https://``. A variable that is not set (or not an ``MCP_`` one,
for a server stored before that rule) is a clear error when the server is added, and a
clear notice on the answer (that server is left out of the request)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import t
from bot.logs import redact_also
from bot.ports import McpTools
from storage.records import WORKSPACE_DEFAULT, McpServer

log = logging.getLogger(__name__)

LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
HEADER_ENV_PREFIX = "MCP_"
"""Header values come only from environment variables named so."""


def header_variable_allowed(variable: str) -> bool:
    return variable.startswith(HEADER_ENV_PREFIX) and len(variable) > len(HEADER_ENV_PREFIX)


class McpSetupError(Exception):
    """What is wrong with an ``mcp add`` (a catalogue key and its values)."""

    def __init__(self, key: str, values: Mapping[str, str]) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def message_for(self, lang: str) -> str:
        return t(lang, self.key, **self.values)


def parse_server(
    words: list[str],
    *,
    platform: str,
    workspace: str,
    channel: str,
    user: str,
    environ: Mapping[str, str] = os.environ,
) -> McpServer:
    """``LABEL URL [tools=a,b] [approval=always|never] [header=NAME:MCP_VAR]…
    [approvers=asker|admins]`` as a server; ``McpSetupError`` says what is wrong."""
    if len(words) < 2:
        raise McpSetupError("mcp.usage", {})
    label, url, options = words[0], words[1], words[2:]
    # Slack may send a URL in its link syntax, ``<https://…>`` or ``<https://…|text>``.
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].split("|", 1)[0]
    if not LABEL.fullmatch(label):
        raise McpSetupError("mcp.bad_label", {"label": label[:64]})
    if not url.lower().startswith(("https://", "http://")) or len(url) > 2000:
        raise McpSetupError("mcp.bad_url", {"url": url[:200]})
    tools: tuple[str, ...] | None = None
    approval = "always"
    approvers = "asker"
    headers: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.lower()
        if not sep:
            raise McpSetupError("mcp.bad_option", {"option": option[:80]})
        if name == "tools":
            tools = tuple(v for v in value.split(",") if v)
            if not tools or not all(TOOL_NAME.fullmatch(v) for v in tools):
                raise McpSetupError("mcp.bad_option", {"option": option[:80]})
        elif name == "approval" and value.lower() in ("always", "never"):
            approval = value.lower()
        elif name == "approvers" and value.lower() in ("asker", "admins"):
            approvers = value.lower()
        elif name == "header":
            header, colon, variable = value.partition(":")
            if not colon or not HEADER_NAME.fullmatch(header) or not ENV_NAME.fullmatch(variable):
                raise McpSetupError("mcp.bad_header", {"option": option[:80]})
            # Refused before the environment is looked at: the answer never tells whether
            # some other variable exists.
            if not header_variable_allowed(variable):
                raise McpSetupError("mcp.header_env_prefix", {"variable": variable})
            if variable not in environ:
                raise McpSetupError("mcp.missing_env", {"variable": variable, "label": label})
            headers[header] = variable
        else:
            raise McpSetupError("mcp.bad_option", {"option": option[:80]})
    if headers and not url.lower().startswith("https://"):
        raise McpSetupError("mcp.headers_need_https", {"label": label})
    return McpServer(
        platform,
        workspace,
        channel,
        label=label,
        url=url,
        allowed_tools=tools,
        require_approval="never" if approval == "never" else "always",
        headers=headers,
        approvers="admins" if approvers == "admins" else "asker",
        added_by=user,
    )


class MissingHeaderVariable(Exception):
    def __init__(self, label: str, variable: str) -> None:
        super().__init__(f"MCP server {label}: environment variable {variable} is not set")
        self.label, self.variable = label, variable


def mcp_tool(server: McpServer, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The Responses API tool for ``server``, with its headers' values read now."""
    tool: dict[str, Any] = {
        "type": "mcp",
        "server_label": server.label,
        "server_url": server.url,
        "require_approval": server.require_approval,
    }
    if server.allowed_tools is not None:
        tool["allowed_tools"] = list(server.allowed_tools)
    if server.headers:
        headers = {}
        for header, variable in server.headers.items():
            value = environ.get(variable) if header_variable_allowed(variable) else None
            if value is None:
                raise MissingHeaderVariable(server.label, variable)
            redact_also(value)  # it travels in the request body: never in a log line
            headers[header] = value
        tool["headers"] = headers
    return tool


async def channel_servers(
    store: McpTools, platform: str, workspace: str, channels: Sequence[str]
) -> list[McpServer]:
    """The servers that apply in a channel: the workspace's, then those of ``channels`` (a
    thread's parent channel, then the channel or thread itself); a more specific one wins on
    the same label."""
    scopes = list(dict.fromkeys((WORKSPACE_DEFAULT, *channels)))
    by_label: dict[str, tuple[int, McpServer]] = {}
    for server in await store.mcp_servers(platform, workspace, scopes):
        rank = scopes.index(server.channel)
        if server.label not in by_label or by_label[server.label][0] < rank:
            by_label[server.label] = (rank, server)
    return [server for _, server in by_label.values()]


async def mcp_tools(
    store: McpTools,
    platform: str,
    workspace: str,
    channels: Sequence[str],
    *,
    responses_api: bool,
    lang: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The MCP tools of the channel's servers, and the notices for the answer (a server
    left out)."""
    servers = await channel_servers(store, platform, workspace, channels)
    if not servers:
        return [], []
    if not responses_api:
        log.info(
            "MCP servers of %s/%s left out: the Chat Completions API has none", platform, workspace
        )
        return [], [t(lang, "mcp.not_on_chat")]
    tools, notices = [], []
    for server in servers:
        try:
            tools.append(mcp_tool(server))
        except MissingHeaderVariable as exc:
            log.warning("%s; the server is left out of this answer", exc)
            notices.append(t(lang, "mcp.missing_env_now", label=exc.label, variable=exc.variable))
    return tools, notices
