"""Feed run events from the Responses API into a ``RunEventHandler``: from a live SSE stream
(``StreamFeeder``) or from successive polled snapshots (``SnapshotFeeder``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.errors import ModelFailed
from bot.events import (
    ApprovalRequest,
    FileOutput,
    RunEventHandler,
    RunResult,
    ToolCall,
    ToolCallDone,
    ToolType,
)
from bot.functions import FunctionCall
from bot.sanitize import safe_filename
from bot.steps import Source

log = logging.getLogger(__name__)

FileFetcher = Callable[[str, str], Awaitable[bytes]]
"""(container_id, file_id) → bytes."""

_TOOL_TYPES: dict[str, ToolType] = {
    "code_interpreter_call": "code_interpreter",
    "file_search_call": "file_search",
    "function_call": "function",
    "web_search_call": "web_search",
    "mcp_call": "mcp",
    "image_generation_call": "image_generation",
}
_ENDED = ("completed", "failed", "incomplete")
_FAILED = ("failed", "incomplete")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _logs(item: Any) -> str:
    outputs = _get(item, "outputs") or []
    return "".join(_get(o, "logs") or "" for o in outputs if _get(o, "type") == "logs")


def tool_call_of(item: Any) -> ToolCall:
    kind = _TOOL_TYPES.get(_get(item, "type"), "other")
    return ToolCall(_get(item, "id"), kind, _get(item, "name") or "")


def call_ended(item: Any) -> ToolCallDone:
    """How a finished tool-call item went: its status (an MCP call may carry an error
    instead), what it was about, and a web search's sources (``action.sources``, present
    when ``web_search_call.action.sources`` is included)."""
    action = _get(item, "action")
    queries = _get(action, "queries") or _get(item, "queries") or []
    label = _get(action, "query") or "; ".join(str(q) for q in queries)
    if _get(action, "type") == "open_page":
        label = _get(action, "url") or ""
    sources = tuple(
        Source("", str(_get(source, "url")))
        for source in _get(action, "sources") or []
        if _get(source, "url")
    )
    failed = _get(item, "status") in _FAILED or bool(_get(item, "error"))
    output = _get(item, "output")
    return ToolCallDone(
        failed=failed,
        label=str(label),
        sources=sources,
        output=output if isinstance(output, str) else "",
    )


def summary_text(item: Any) -> str:
    """A reasoning item's summary, its parts a paragraph each (as the deltas are fed)."""
    return "\n\n".join(_get(part, "text") or "" for part in _get(item, "summary") or [])


def result_from(response: Any) -> RunResult:
    status = _get(response, "status")
    if status == "failed":
        error = _get(response, "error")
        raise ModelFailed(f"response failed: {_get(error, 'code')}: {_get(error, 'message')}")
    text = "".join(
        _get(part, "text") or ""
        for item in (_get(response, "output") or [])
        if _get(item, "type") == "message"
        for part in (_get(item, "content") or [])
    )
    usage = _get(response, "usage")
    details = _get(response, "incomplete_details")
    return RunResult(
        response_id=_get(response, "id"),
        status=status if status in ("completed", "incomplete", "cancelled") else "completed",
        text=text,
        input_tokens=int(_get(usage, "input_tokens", 0) or 0),
        output_tokens=int(_get(usage, "output_tokens", 0) or 0),
        incomplete_reason=_get(details, "reason"),
        function_calls=tuple(
            FunctionCall(_get(item, "call_id"), _get(item, "name"), _get(item, "arguments") or "")
            for item in (_get(response, "output") or [])
            if _get(item, "type") == "function_call"
        ),
        web_searches=_count(response, "web_search_call"),
        images=_count(response, "image_generation_call", with_result=True),
        approvals=tuple(
            ApprovalRequest(
                id=_get(item, "id"),
                server_label=_get(item, "server_label") or "",
                name=_get(item, "name") or "",
                arguments=_get(item, "arguments") or "",
            )
            for item in (_get(response, "output") or [])
            if _get(item, "type") == "mcp_approval_request"
        ),
    )


def _count(response: Any, kind: str, *, with_result: bool = False) -> int:
    """Hosted tool calls of one kind (billed per call); images only when one came back."""
    return sum(
        1
        for item in (_get(response, "output") or [])
        if _get(item, "type") == kind and (not with_result or _get(item, "result"))
    )


async def _call_done(handler: RunEventHandler, call: ToolCall, item: Any) -> None:
    """A finished tool call: its step ends (a web search with the pages it used), and a
    generated image is handed over."""
    await handler.on_tool_call_done(call, call_ended(item))
    if call.type == "image_generation":
        await handler.on_image(_get(item, "id"), _get(item, "result"))


class _Files:
    """Container files cited in the answer, fetched once each, as soon as they are cited."""

    def __init__(self, fetch: FileFetcher, handler: RunEventHandler) -> None:
        self._fetch = fetch
        self._handler = handler
        self._seen: set[str] = set()

    async def cite(self, annotation: Any) -> None:
        if _get(annotation, "type") == "url_citation":
            source = Source(str(_get(annotation, "title") or ""), str(_get(annotation, "url")))
            await self._handler.on_web_citation(source)
            return
        if _get(annotation, "type") == "file_citation":
            await self._handler.on_citation(
                _get(annotation, "filename") or _get(annotation, "file_id")
            )
            return
        if _get(annotation, "type") != "container_file_citation":
            return
        file_id = _get(annotation, "file_id")
        if not file_id or file_id in self._seen:
            return
        self._seen.add(file_id)
        name = _get(annotation, "filename") or file_id
        try:
            data = await self._fetch(_get(annotation, "container_id"), file_id)
        except Exception:
            log.warning("could not download generated file %s", name, exc_info=True)
            return
        await self._handler.on_file_output(FileOutput(safe_filename(str(name)), data, file_id))


class StreamFeeder:
    """Dispatches SSE events, as plain dicts, on their ``type`` (never ``isinstance``)."""

    def __init__(self, handler: RunEventHandler, fetch: FileFetcher) -> None:
        self._handler = handler
        self._files = _Files(fetch, handler)
        self._calls: dict[str, ToolCall] = {}
        self._reasoning: dict[str, int] = {}
        """Reasoning items: characters of summary fed so far."""
        self.final: dict[str, Any] | None = None

    async def feed(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        handler = self._handler
        if kind == "response.output_text.delta":
            await handler.on_text_delta(event["delta"])
        elif kind == "response.code_interpreter_call_code.delta":
            call = self._calls.get(event["item_id"])
            if call is not None:
                await handler.on_tool_call_delta(call, code=event["delta"])
        elif kind in ("response.created", "response.queued", "response.in_progress"):
            await handler.on_status(event["response"].get("status") or "in_progress")
        elif kind == "response.output_item.added":
            await self._item_added(event["item"])
        elif kind == "response.output_item.done":
            await self._item_done(event["item"])
        elif kind == "response.reasoning_summary_text.delta":
            await self._summary(event["item_id"], event["delta"])
        elif kind == "response.reasoning_summary_part.added" and event.get("summary_index"):
            await self._summary(event["item_id"], "\n\n")
        elif kind == "response.output_text.annotation.added":
            await self._files.cite(event["annotation"])
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.final = event["response"]
        elif kind == "error":
            error = event.get("error") or event
            raise ModelFailed(f"error event: {_get(error, 'code')}: {_get(error, 'message')}")
        elif kind == "response.file_search_call.searching":
            await handler.on_status("file_search")
        elif kind == "response.web_search_call.searching":
            await handler.on_status("web_search")
        elif kind == "response.image_generation_call.generating":
            await handler.on_status("image_generation")

    async def _item_added(self, item: dict[str, Any]) -> None:
        if item["type"] == "message":
            await self._handler.on_text_created()
            return
        if item["type"] == "reasoning":
            await self._summary(item["id"], "")
            return
        call = tool_call_of(item)
        self._calls[item["id"]] = call
        await self._handler.on_tool_call_created(call)

    async def _summary(self, item_id: str, delta: str) -> None:
        self._reasoning[item_id] = self._reasoning.get(item_id, 0) + len(delta)
        await self._handler.on_reasoning(item_id, delta)

    async def _item_done(self, item: dict[str, Any]) -> None:
        if item["type"] == "reasoning":
            rest = summary_text(item)[self._reasoning.get(item["id"], 0) :]
            await self._handler.on_reasoning(item["id"], rest, done=True)
            return
        call = self._calls.get(item["id"])
        if call is None:
            return
        if call.type == "code_interpreter":
            logs = _logs(item)
            if logs:
                await self._handler.on_tool_call_delta(call, logs=logs)
        await _call_done(self._handler, call, item)


class SnapshotFeeder:
    """Turns successive snapshots of one response (polling) into the same events."""

    def __init__(self, handler: RunEventHandler, fetch: FileFetcher) -> None:
        self._handler = handler
        self._files = _Files(fetch, handler)
        self._text_len: dict[str, int] = {}
        self._code_len: dict[str, int] = {}
        self._logs_done: set[str] = set()
        self._ended: set[str] = set()
        self._summary_len: dict[str, int] = {}
        self._status: str | None = None

    async def feed(self, response: Any) -> None:
        status = _get(response, "status")
        if status != self._status and status in ("queued", "in_progress"):
            self._status = status
            await self._handler.on_status(status)
        for item in _get(response, "output") or []:
            await self._item(item)

    async def _item(self, item: Any) -> None:
        item_id, kind = _get(item, "id"), _get(item, "type")
        if kind == "message":
            text = "".join(_get(p, "text") or "" for p in _get(item, "content") or [])
            if item_id not in self._text_len:
                self._text_len[item_id] = 0
                await self._handler.on_text_created()
            if len(text) > self._text_len[item_id]:
                await self._handler.on_text_delta(text[self._text_len[item_id] :])
                self._text_len[item_id] = len(text)
            if _get(item, "status") == "completed":
                for part in _get(item, "content") or []:
                    for annotation in _get(part, "annotations") or []:
                        await self._files.cite(annotation)
            return
        if kind == "reasoning":
            await self._reasoning(item)
            return
        call = tool_call_of(item)
        if item_id not in self._code_len:
            self._code_len[item_id] = 0
            await self._handler.on_tool_call_created(call)
        code = _get(item, "code") or ""
        if len(code) > self._code_len[item_id]:
            await self._handler.on_tool_call_delta(call, code=code[self._code_len[item_id] :])
            self._code_len[item_id] = len(code)
        logs = _logs(item)
        if logs and item_id not in self._logs_done:
            self._logs_done.add(item_id)
            await self._handler.on_tool_call_delta(call, logs=logs)
        if _get(item, "status") in _ENDED and item_id not in self._ended:
            self._ended.add(item_id)
            await _call_done(self._handler, call, item)

    async def _reasoning(self, item: Any) -> None:
        item_id = _get(item, "id")
        if item_id in self._ended:
            return
        text = summary_text(item)
        seen = self._summary_len.get(item_id)
        done = _get(item, "status") in _ENDED
        if seen is None or len(text) > seen or done:
            self._summary_len[item_id] = len(text)
            if done:
                self._ended.add(item_id)
            await self._handler.on_reasoning(item_id, text[seen or 0 :], done=done)
