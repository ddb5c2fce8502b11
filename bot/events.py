"""The run event interface: the seed's ``AssistantEventHandler`` hooks.

Fed from a live stream or from polling alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.errors import RunError
from bot.functions import FunctionCall
from bot.steps import Source

ToolType = Literal[
    "code_interpreter", "file_search", "function", "web_search", "mcp", "image_generation", "other"
]


@dataclass(frozen=True)
class ToolCall:
    id: str
    type: ToolType
    name: str = ""


@dataclass(frozen=True)
class ToolCallDone:
    """How a tool call ended: failed or not, what it was about once known (a web search's
    query, a file search's queries), and the sources it used."""

    failed: bool = False
    label: str = ""
    sources: tuple[Source, ...] = ()
    output: str = ""


@dataclass(frozen=True)
class FileOutput:
    """A file the model's code wrote, already downloaded (auto containers expire)."""

    filename: str
    data: bytes
    file_id: str = ""


@dataclass(frozen=True, kw_only=True)
class RunResult:
    response_id: str
    status: Literal["completed", "incomplete", "cancelled"]
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    incomplete_reason: str | None = None
    function_calls: tuple[FunctionCall, ...] = ()
    approvals: tuple[ApprovalRequest, ...] = ()
    """MCP tool calls waiting for a person's approval: the answer continues once decided."""
    web_searches: int = 0
    """Hosted tool calls of the response, billed per call: web searches, images generated."""
    images: int = 0


@dataclass(frozen=True, kw_only=True)
class ApprovalRequest:
    """An MCP tool call the model may make once a person approves (``mcp_approval_request``)."""

    id: str
    server_label: str
    name: str
    arguments: str = ""


class RunEventHandler(Protocol):
    async def on_status(self, status: str) -> None:
        """``queued``, ``in_progress``, ``searching``, ``running_code``…"""

    async def on_text_created(self) -> None: ...

    async def on_text_delta(self, delta: str) -> None: ...

    async def on_tool_call_created(self, call: ToolCall) -> None: ...

    async def on_tool_call_delta(
        self, call: ToolCall, *, code: str = "", logs: str = ""
    ) -> None: ...

    async def on_tool_call_done(self, call: ToolCall, done: ToolCallDone) -> None:
        """The call's item is complete (or failed)."""

    async def on_web_citation(self, source: Source) -> None:
        """The answer cites a web page (a ``url_citation``)."""

    async def on_reasoning(self, item_id: str, delta: str = "", *, done: bool = False) -> None:
        """A reasoning summary as it grows; never part of the answer's text."""

    async def on_file_output(self, file: FileOutput) -> None: ...

    async def on_citation(self, filename: str) -> None:
        """The answer cites a document found by file search."""

    async def on_image(self, item_id: str, result: str | None) -> None:
        """A generated image as the API sends it (base64; None: none came)."""

    async def on_done(self, result: RunResult) -> None: ...

    async def on_failed(self, error: RunError) -> None: ...
