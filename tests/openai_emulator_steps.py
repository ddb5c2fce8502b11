"""Output items for the OpenAI emulator beyond text, code, functions and file search, shaped
from the Responses API reference (``openai/types/responses``): a web search call with its
sources, an MCP tool call, a reasoning item with summary deltas, a code interpreter call that
fails; and ``url_citation`` annotations for a message. Each is an ``ItemScript`` for
``Turn.item(…)``:

    Turn().item(WebSearch("weather in Seoul", ["https://a.example/x"])).text("…")

Streams: web search ``response.web_search_call.in_progress/searching/completed``, its item
``{type: web_search_call, status, action: {type: search, query, sources: [{type: url, url}]}}``
(``sources`` only with ``include=["web_search_call.action.sources"]``); MCP
``response.mcp_call.in_progress``, ``response.mcp_call_arguments.delta/done``,
``response.mcp_call.completed | failed``; reasoning ``response.reasoning_summary_part.added``,
``response.reasoning_summary_text.delta/done``, ``response.reasoning_summary_part.done``."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.openai_emulator_events import _obfuscation, new_id, split_text

if TYPE_CHECKING:
    from tests.openai_emulator_events import _Builder

JSON = dict[str, Any]
SOURCES_INCLUDE = "web_search_call.action.sources"


def url_citation(text: str, cited: str, url: str, title: str) -> JSON:
    """A ``url_citation`` annotation over the first ``cited`` in ``text`` (code points)."""
    start = text.index(cited)
    return {
        "type": "url_citation",
        "start_index": start,
        "end_index": start + len(cited),
        "title": title,
        "url": url,
    }


@dataclass
class WebSearch:
    query: str
    sources: list[str] = field(default_factory=list)
    failed: bool = False

    def play(self, b: _Builder, index: int) -> None:
        item_id = new_id("ws_", 24)
        item: JSON = {
            "id": item_id,
            "type": "web_search_call",
            "status": "in_progress",
            "action": {"type": "search", "query": ""},
        }
        b.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        b.emit("response.web_search_call.in_progress", **ids)
        b.emit("response.web_search_call.searching", **ids)
        action: JSON = {"type": "search", "query": self.query, "queries": [self.query]}
        if SOURCES_INCLUDE in b.include and not self.failed:
            action["sources"] = [{"type": "url", "url": url} for url in self.sources]
        if not self.failed:
            b.emit("response.web_search_call.completed", **ids)
        status = "failed" if self.failed else "completed"
        b.done(index, {**item, "status": status, "action": action})


@dataclass
class McpCall:
    server_label: str
    name: str
    arguments: JSON
    output: str = ""
    error: JSON | None = None
    """An ``McpToolCallError`` (e.g. ``{"type": "http_error", "code": 500, "message": …}``):
    the call fails."""

    def play(self, b: _Builder, index: int) -> None:
        item_id = new_id("mcp_", 24)
        arguments = json.dumps(self.arguments)
        item: JSON = {
            "id": item_id,
            "type": "mcp_call",
            "status": "in_progress",
            "server_label": self.server_label,
            "name": self.name,
            "arguments": "",
            "output": None,
            "error": None,
            "approval_request_id": None,
        }
        b.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        b.emit("response.mcp_call.in_progress", **ids)
        for delta in split_text(arguments, 2):
            b.emit(
                "response.mcp_call_arguments.delta",
                **ids,
                delta=delta,
                obfuscation=_obfuscation(delta),
            )
        b.emit("response.mcp_call_arguments.done", **ids, arguments=arguments)
        failed = self.error is not None
        b.emit(f"response.mcp_call.{'failed' if failed else 'completed'}", **ids)
        b.done(
            index,
            {
                **item,
                "status": "failed" if failed else "completed",
                "arguments": arguments,
                "output": None if failed else self.output,
                "error": copy.deepcopy(self.error),
            },
        )


@dataclass
class Reasoning:
    """A reasoning item whose summary parts stream as deltas (``reasoning.summary`` set)."""

    parts: list[str]
    deltas: int = 3

    def play(self, b: _Builder, index: int) -> None:
        item_id = new_id("rs_", 24)
        item: JSON = {"id": item_id, "type": "reasoning", "summary": [], "encrypted_content": None}
        b.added(index, item)
        for n, text in enumerate(self.parts):
            ids = {"item_id": item_id, "output_index": index, "summary_index": n}
            b.emit(
                "response.reasoning_summary_part.added",
                **ids,
                part={"type": "summary_text", "text": ""},
            )
            for delta in split_text(text, self.deltas):
                b.emit(
                    "response.reasoning_summary_text.delta",
                    **ids,
                    delta=delta,
                    obfuscation=_obfuscation(delta),
                )
            b.emit("response.reasoning_summary_text.done", **ids, text=text)
            b.emit(
                "response.reasoning_summary_part.done",
                **ids,
                part={"type": "summary_text", "text": text},
            )
        summary = [{"type": "summary_text", "text": text} for text in self.parts]
        b.done(index, {**item, "summary": summary})


@dataclass
class FailedCode:
    """A code interpreter call that fails: its code streams, then the item ends ``failed``
    (no ``…code_interpreter_call.completed`` event)."""

    code: str

    def play(self, b: _Builder, index: int) -> None:
        if b.container_id is None:
            b.container_id = new_id("cntr_", 24)
        item_id = new_id("ci_", 24)
        item: JSON = {
            "id": item_id,
            "type": "code_interpreter_call",
            "status": "in_progress",
            "code": "",
            "container_id": b.container_id,
            "outputs": None,
        }
        b.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        b.emit("response.code_interpreter_call.in_progress", **ids)
        b.emit(
            "response.code_interpreter_call_code.delta",
            **ids,
            delta=self.code,
            obfuscation=_obfuscation(self.code),
        )
        b.emit("response.code_interpreter_call_code.done", **ids, code=self.code)
        b.emit("response.code_interpreter_call.interpreting", **ids)
        b.done(index, {**item, "status": "failed", "code": self.code, "outputs": []})
