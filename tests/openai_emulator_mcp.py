"""Remote MCP tools in the OpenAI emulator, shaped from the API reference
(``openai/types/responses``: McpListTools, McpCall, McpApprovalRequest, the
``response.mcp_list_tools.*`` / ``response.mcp_call.*`` / ``response.mcp_call_arguments.*``
events) and the checks the real API makes on a request that uses them.

A test adds these items to a ``Turn`` with ``Turn.item``::

    Turn().item(McpListTools("deploys", ["restart"])).item(
        McpApprovalRequest("deploys", "restart", {"svc": "web"})
    )
    Turn().item(McpCall("deploys", "restart", {"svc": "web"}, output="restarted")).text("Done.")

An ``McpCall`` in a response that answers an approval request carries that request's id
(``approval_request_id``), as the real API's does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.openai_emulator_events import JSON, _obfuscation, new_id, split_text

if TYPE_CHECKING:
    from tests.openai_emulator_events import _Builder


class ApiRefusal(Exception):
    """A 400 the real API answers (the emulator turns it into its ``ApiError``)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def _args(arguments: JSON | str) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def _check_server(body: JSON, label: str) -> None:
    labels = [t.get("server_label") for t in body.get("tools") or [] if t.get("type") == "mcp"]
    if label not in labels:
        raise AssertionError(f"the test scripted MCP server {label!r}; the request had {labels}")


@dataclass
class McpListTools:
    server_label: str
    tools: list[str]

    def play(self, builder: _Builder, index: int) -> None:
        _check_server(builder.body, self.server_label)
        item: JSON = {
            "id": new_id("mcpl_", 24),
            "type": "mcp_list_tools",
            "server_label": self.server_label,
            "tools": [],
            "error": None,
        }
        builder.added(index, item)
        ids = {"item_id": item["id"], "output_index": index}
        builder.emit("response.mcp_list_tools.in_progress", **ids)
        tools = [
            {
                "name": name,
                "input_schema": {"type": "object"},
                "description": None,
                "annotations": None,
            }
            for name in self.tools
        ]
        builder.emit("response.mcp_list_tools.completed", **ids)
        builder.done(index, {**item, "tools": tools})


@dataclass
class McpCall:
    server_label: str
    name: str
    arguments: JSON | str = field(default_factory=dict)
    output: str | None = None
    error: JSON | None = None
    """An ``McpToolCallError`` (e.g. ``{"type": "http_error", "code": 500, "message": …}``):
    the call fails, with no output."""

    def play(self, builder: _Builder, index: int) -> None:
        _check_server(builder.body, self.server_label)
        arguments = _args(self.arguments)
        answered = [
            i.get("approval_request_id")
            for i in builder.body.get("input") or []
            if isinstance(i, dict) and i.get("type") == "mcp_approval_response" and i.get("approve")
        ]
        item: JSON = {
            "id": new_id("mcp_", 24),
            "type": "mcp_call",
            "server_label": self.server_label,
            "name": self.name,
            "arguments": "",
            "output": None,
            "error": None,
            "approval_request_id": answered[0] if answered else None,
            "status": "in_progress",
        }
        builder.added(index, item)
        ids = {"item_id": item["id"], "output_index": index}
        builder.emit("response.mcp_call.in_progress", **ids)
        for delta in split_text(arguments, 2):
            builder.emit(
                "response.mcp_call_arguments.delta",
                **ids,
                delta=delta,
                obfuscation=_obfuscation(delta),
            )
        builder.emit("response.mcp_call_arguments.done", **ids, arguments=arguments)
        failed = self.error is not None
        builder.emit(f"response.mcp_call.{'failed' if failed else 'completed'}", **ids)
        builder.done(
            index,
            {
                **item,
                "arguments": arguments,
                "output": None if failed else self.output,
                "error": copy.deepcopy(self.error),
                "status": "failed" if failed else "completed",
            },
        )


@dataclass
class McpApprovalRequest:
    server_label: str
    name: str
    arguments: JSON | str = field(default_factory=dict)
    id: str = field(default_factory=lambda: new_id("mcpr_", 24))

    def play(self, builder: _Builder, index: int) -> None:
        _check_server(builder.body, self.server_label)
        item: JSON = {
            "id": self.id,
            "type": "mcp_approval_request",
            "server_label": self.server_label,
            "name": self.name,
            "arguments": _args(self.arguments),
        }
        builder.added(index, item)
        builder.done(index, item)


def check_mcp_request(body: JSON, known_items: list[JSON]) -> None:
    """The real API's checks: ``conversation`` and ``previous_response_id`` exclude each
    other; an ``mcp`` tool needs its label and URL (headers are strings); an
    ``mcp_approval_response`` must answer an approval request the conversation (or the
    previous response) holds."""
    if body.get("conversation") and body.get("previous_response_id"):
        raise ApiRefusal(
            "Mutually exclusive parameters: Ensure you are only providing one of:"
            " 'previous_response_id' or 'conversation'.",
            "previous_response_id",
        )
    for tool in body.get("tools") or []:
        if tool.get("type") != "mcp":
            continue
        if not tool.get("server_label") or not (tool.get("server_url") or tool.get("connector_id")):
            raise ApiRefusal("Missing required parameter: 'tools[].server_label'.", "tools")
        headers = tool.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise ApiRefusal("Invalid type for 'tools[].headers'.", "tools")
        approval = tool.get("require_approval", "always")
        if isinstance(approval, str) and approval not in ("always", "never"):
            raise ApiRefusal("Invalid value for 'tools[].require_approval'.", "tools")
    raw_input = body.get("input")
    given = [
        i
        for i in (raw_input if isinstance(raw_input, list) else [])
        if i.get("type") == "mcp_approval_response"
    ]
    requested = {i.get("id") for i in known_items if i.get("type") == "mcp_approval_request"}
    for answer in given:
        if not isinstance(answer.get("approve"), bool):
            raise ApiRefusal("Invalid type for 'input[].approve'.", "input")
        if answer.get("approval_request_id") not in requested:
            raise ApiRefusal(
                f"No approval request found with id {answer.get('approval_request_id')}.", "input"
            )


def approval_responses(requests: list[JSON]) -> list[JSON]:
    """The ``mcp_approval_response`` items the emulator received, oldest first."""
    return [
        {**item, "request": body}
        for body in requests
        for item in (body.get("input") if isinstance(body.get("input"), list) else []) or []
        if item.get("type") == "mcp_approval_response"
    ]


__all__ = [
    "ApiRefusal",
    "McpApprovalRequest",
    "McpCall",
    "McpListTools",
    "approval_responses",
    "check_mcp_request",
]
