"""The OpenAI emulator's data model and pure builders: the `Turn` script, the recorded state
(requests, conversations, files, responses), response objects and event plans.

Nothing here does I/O except `Turn.raw`, which reads a transcript file. `build_plan` turns a
`Turn` plus the request body into the exact list of Responses API stream events (with the
response object each lifecycle event carries); `apply_event` folds one event into a stored
response snapshot so a `GET /responses/{id}` mid-generation shows the output so far.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import secrets
import string
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

from openai.types.responses.response_error import ResponseError

# Recorded Responses API streams, copied from shared/protocols so a clone stands alone.
PROTOCOLS_DIR = Path(
    os.environ.get("PROTOCOLS_DIR", Path(__file__).resolve().parent / "fixtures" / "protocols")
)
JSON = dict[str, Any]
CitationSpan = Literal["url", "link"]

# `response.error.code` is a closed Literal in the SDK: strict validation rejects other codes.
RESPONSE_ERROR_CODES: frozenset[str] = frozenset(
    get_args(ResponseError.model_fields["code"].annotation)
)
LIFECYCLE = frozenset(
    {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.failed",
        "response.incomplete",
    }
)
TERMINAL_EVENTS = frozenset({"response.completed", "response.failed", "response.incomplete"})
_ALNUM = string.ascii_letters + string.digits
_SANDBOX = re.compile(r"\[[^\]]*\]\((sandbox:/mnt/data/[^)\s]+)\)|(sandbox:/mnt/data/[^\s)\]]+)")


def new_id(prefix: str, nbytes: int = 16) -> str:
    """An id shaped like OpenAI's: `resp_…`, `msg_…`, `conv_…` (hex) or `file-…` (alnum)."""
    if prefix.endswith("-"):
        return prefix + "".join(secrets.choice(_ALNUM) for _ in range(22))
    return prefix + secrets.token_hex(nbytes)


def _obfuscation(delta: str) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(max(0, 16 - len(delta))))


def split_text(text: str, parts: int) -> list[str]:
    """Split `text` into `parts` contiguous, non-empty chunks (fewer if the text is shorter)."""
    if not text:
        return []
    parts = max(1, min(parts, len(text)))
    size, extra = divmod(len(text), parts)
    chunks: list[str] = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        chunks.append(text[start:end])
        start = end
    return chunks


@dataclass
class ContainerFile:
    """A file code interpreter wrote into a container (`cfile_…` in `cntr_…`)."""

    id: str
    container_id: str
    filename: str
    bytes: bytes
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "object": "container.file",
            "bytes": len(self.bytes),
            "container_id": self.container_id,
            "created_at": self.created_at,
            "path": f"/mnt/data/{self.filename}",
            "source": "assistant",
        }


@dataclass
class _Text:
    text: str
    deltas: list[str]
    annotations: list[JSON]
    citation_span: CitationSpan


@dataclass
class _Code:
    code: str
    logs: str | None
    files: list[tuple[str, bytes]]
    deltas: int


@dataclass
class _Call:
    name: str
    arguments: str
    call_id: str


@dataclass
class _Search:
    queries: list[str]
    results: list[JSON] | None


class ItemScript(Protocol):
    """An output item scripted elsewhere (``tests/openai_emulator_steps.py``, ``…_hosted.py``,
    ``…_mcp.py``): it emits its own events through the builder (``added``, ``emit``, ``done``)."""

    def play(self, builder: _Builder, index: int) -> None: ...


_Step = _Text | _Code | _Call | _Search | ItemScript


@dataclass
class HttpFault:
    status: int
    code: str | None
    message: str
    retry_after: float | None
    remaining: int


@dataclass
class RawFrame:
    data: JSON
    frame: bytes


@dataclass
class ErrorSpec:
    after_steps: int
    code: str
    message: str
    error_type: str
    with_error_event: bool


class Turn:
    """What the model "says" for one POST /v1/responses. Builder methods return self."""

    def __init__(self) -> None:
        self.steps: list[_Step] = []
        self.http_faults: list[HttpFault] = []
        self.usage_tokens: tuple[int, int] = (12, 34)
        self.drop_after_events: int | None = None
        self.error: ErrorSpec | None = None
        self.incomplete_reason: str | None = None
        self.gates: list[tuple[int, asyncio.Event]] = []
        self.interval: float = 0.0
        self.raw_frames: list[RawFrame] | None = None

    # ---- output items -------------------------------------------------------------------
    def text(
        self,
        text: str,
        *,
        deltas: int | list[str] | None = None,
        annotations: list[JSON] | None = None,
        citation_span: CitationSpan = "url",
    ) -> Turn:
        """One assistant message. `citation_span` picks what an automatic
        container_file_citation covers: "url" (the `sandbox:` URL, as in the recorded
        transcript) or "link" (the whole markdown link `[name](sandbox:…)`)."""
        if isinstance(deltas, list):
            if "".join(deltas) != text:
                raise ValueError("deltas must concatenate to text")
            chunks = list(deltas)
        else:
            chunks = split_text(text, 4 if deltas is None else deltas)
        self.steps.append(_Text(text, chunks, list(annotations or []), citation_span))
        return self

    def code(
        self,
        code: str,
        *,
        logs: str | None = None,
        files: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...] = (),
        deltas: int = 2,
    ) -> Turn:
        self.steps.append(_Code(code, logs, list(files), deltas))
        return self

    def function_call(
        self, name: str, arguments: JSON | str, *, call_id: str | None = None
    ) -> Turn:
        args = arguments if isinstance(arguments, str) else json.dumps(arguments)
        self.steps.append(_Call(name, args, call_id or new_id("call_", 12)))
        return self

    def file_search(self, queries: list[str], results: list[JSON] | None = None) -> Turn:
        self.steps.append(_Search(list(queries), results))
        return self

    def item(self, script: ItemScript) -> Turn:
        """Any other output item (web search, MCP call, reasoning…), played by ``script``."""
        self.steps.append(script)
        return self

    def usage(self, input_tokens: int, output_tokens: int) -> Turn:
        self.usage_tokens = (input_tokens, output_tokens)
        return self

    # ---- faults -------------------------------------------------------------------------
    def http_error(
        self,
        status: int,
        *,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> Turn:
        """The first `times` POSTs meant for this turn get this HTTP error (not consuming it)."""
        default = "Rate limit reached." if status == 429 else f"Emulated HTTP {status} error."
        if code is None and status == 429:
            code = "rate_limit_exceeded"
        self.http_faults.append(HttpFault(status, code, message or default, retry_after, times))
        return self

    def drop_after(self, n_events: int) -> Turn:
        self.drop_after_events = n_events
        return self

    def error_event(
        self,
        code: str = "server_error",
        message: str = "The model had an error.",
        *,
        error_type: str | None = None,
        with_error_event: bool = True,
    ) -> Turn:
        """After the items so far: an `error` event (unless with_error_event=False), then
        response.failed. Later items are not played."""
        etype = error_type or code
        self.error = ErrorSpec(len(self.steps), code, message, etype, with_error_event)
        return self

    def incomplete(self, reason: str = "max_output_tokens") -> Turn:
        self.incomplete_reason = reason
        return self

    def gate(self, event: asyncio.Event, *, after_events: int = 0) -> Turn:
        self.gates.append((after_events, event))
        return self

    def delta_interval(self, seconds: float) -> Turn:
        self.interval = seconds
        return self

    @staticmethod
    def raw(path: str) -> Turn:
        """Replay a transcript (relative paths are under tests/fixtures/protocols)."""
        file = Path(path) if Path(path).is_absolute() else PROTOCOLS_DIR / path
        text = file.read_text(encoding="utf-8")
        frames: list[RawFrame] = []
        if file.suffix == ".sse":
            for block in text.split("\n\n"):
                datas = [ln[5:].lstrip(" ") for ln in block.split("\n") if ln.startswith("data:")]
                if datas:
                    frames.append(RawFrame(json.loads("\n".join(datas)), (block + "\n\n").encode()))
        else:
            for line in text.splitlines():
                if line.strip():
                    data = json.loads(line)
                    frame = f"event: {data['type']}\ndata: {line}\n\n"
                    frames.append(RawFrame(data, frame.encode()))
        turn = Turn()
        turn.raw_frames = frames
        return turn


# ---- emulator state


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, Any]  # "include[]=a&include[]=b" -> {"include": ["a", "b"]}
    json: Any  # parsed JSON body, or None
    headers: dict[str, str]  # lower-cased names
    form: dict[str, Any] | None = None  # multipart fields; a file is {"filename", "size"}
    status: int | None = None  # the HTTP status answered (set when known; 200 once SSE starts)


@dataclass
class Conversation:
    id: str
    created_at: int
    metadata: dict[str, str]
    items: list[JSON] = field(default_factory=list)
    active_response: str | None = None

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "object": "conversation",
            "created_at": self.created_at,
            "metadata": self.metadata,
        }


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    bytes: bytes  # the content; the API's `bytes` field is len(this)
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.bytes),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }


@dataclass
class StoredResponse:
    id: str
    request: JSON
    snapshot: JSON  # the response object as GET /responses/{id} returns it
    events: list[JSON] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    done: bool = False
    task: asyncio.Task[None] | None = None

    @property
    def status(self) -> str:
        return str(self.snapshot.get("status"))


def error_body(
    message: str,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> JSON:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def page_of(items: list[JSON], query: dict[str, Any], default_order: str) -> JSON:
    seq = items if query.get("order", default_order) == "asc" else items[::-1]
    after = query.get("after")
    if after:
        ids = [i.get("id") for i in seq]
        seq = seq[ids.index(after) + 1 :] if after in ids else []
    limit = int(query.get("limit", 20))
    data = seq[:limit]
    return {
        "object": "list",
        "data": data,
        "has_more": len(seq) > limit,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def normalize_items(input_: Any) -> list[JSON]:
    """Request input (string or items) as stored conversation items with ids and status."""
    raw = [{"role": "user", "content": input_}] if isinstance(input_, str) else input_ or []
    items: list[JSON] = []
    for src in raw:
        item = copy.deepcopy(dict(src))
        if item.get("type") == "item_reference":
            continue
        if "role" in item and "type" not in item:
            item["type"] = "message"
        if item.get("type") == "message":
            kind = "output_text" if item.get("role") == "assistant" else "input_text"
            content = item.get("content")
            if isinstance(content, str):
                content = [{"type": kind, "text": content}]
            item["content"] = [
                {"annotations": [], "logprobs": [], **p} if p.get("type") == "output_text" else p
                for p in content or []
            ]
        prefix = {"message": "msg_", "function_call_output": "fco_", "function_call": "fc_"}
        item.setdefault("id", new_id(prefix.get(item.get("type", ""), "item_"), 24))
        item.setdefault("status", "completed")
        items.append(item)
    return items


# ---- response objects ---------------------------------------------------------------------


def normalize_tool(tool: JSON) -> JSON:
    out = dict(tool)
    if out.get("type") == "function":
        out.setdefault("description", None)
        out.setdefault("parameters", None)
        out.setdefault("strict", True)
    elif out.get("type") == "file_search":
        out.setdefault("filters", None)
        out.setdefault("max_num_results", 20)
        out.setdefault("ranking_options", {"ranker": "auto", "score_threshold": 0.0})
    return out


def conversation_id_of(body: JSON) -> str | None:
    conv = body.get("conversation")
    if isinstance(conv, dict):
        return conv.get("id")
    return conv if isinstance(conv, str) else None


def base_response(body: JSON, response_id: str, *, background: bool) -> JSON:
    conv_id = conversation_id_of(body)
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "queued" if background else "in_progress",
        "background": background,
        "completed_at": None,
        "conversation": {"id": conv_id} if conv_id else None,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": body.get("model", "gpt-4.1"),
        "output": [],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": [normalize_tool(t) for t in body.get("tools") or []],
        "top_logprobs": body.get("top_logprobs", 0),
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": None,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }


def usage_json(input_tokens: int, output_tokens: int) -> JSON:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def frame_of(data: JSON) -> bytes:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"event: {data['type']}\ndata: {payload}\n\n".encode()


@dataclass
class Plan:
    """Everything one response will emit, decided up front; the emulator paces it."""

    response_id: str
    initial: JSON
    events: list[RawFrame]
    files_by_item: dict[str, list[ContainerFile]] = field(default_factory=dict)


@dataclass
class PlanContext:
    """What the builder needs from the emulator's state."""

    known_files: dict[str, ContainerFile] = field(default_factory=dict)  # filename -> latest
    search_results: list[JSON] = field(default_factory=list)


class _Builder:
    def __init__(self, turn: Turn, body: JSON, ctx: PlanContext, background: bool) -> None:
        self.turn = turn
        self.body = body
        self.ctx = ctx
        self.include = set(body.get("include") or [])
        self.searched: list[JSON] = []
        self.base = base_response(body, new_id("resp_", 24), background=background)
        self.events: list[JSON] = []
        self.output: list[JSON] = []
        self.files: dict[str, ContainerFile] = dict(ctx.known_files)
        self.files_by_item: dict[str, list[ContainerFile]] = {}
        self.container_id = next(
            (
                t["container"]
                for t in body.get("tools") or []
                if t.get("type") == "code_interpreter" and isinstance(t.get("container"), str)
            ),
            None,
        )

    def emit(self, type_: str, **fields: Any) -> None:
        self.events.append({"type": type_, "sequence_number": len(self.events), **fields})

    def response(self, status: str, **extra: Any) -> JSON:
        resp = copy.deepcopy(self.base)
        resp.update(status=status, **extra)
        return resp

    def build(self) -> Plan:
        bg = self.base["background"]
        self.emit("response.created", response=self.response(self.base["status"]))
        if bg:
            self.emit("response.queued", response=self.response("queued"))
        self.emit("response.in_progress", response=self.response("in_progress"))
        err = self.turn.error
        for i, step in enumerate(self.turn.steps):
            if err is not None and i >= err.after_steps:
                break
            last = i == len(self.turn.steps) - 1
            self.item(step, last)
        output = copy.deepcopy(self.output)
        usage = usage_json(*self.turn.usage_tokens)
        if err is not None:
            if err.with_error_event:
                error = {"type": err.error_type, "code": err.code, "message": err.message}
                self.emit("error", error={**error, "param": None})
            code = err.code if err.code in RESPONSE_ERROR_CODES else "server_error"
            error_obj = {"code": code, "message": err.message}
            self.emit(
                "response.failed", response=self.response("failed", output=output, error=error_obj)
            )
        elif self.turn.incomplete_reason is not None:
            details = {"reason": self.turn.incomplete_reason}
            self.emit(
                "response.incomplete",
                response=self.response(
                    "incomplete", output=output, incomplete_details=details, usage=usage
                ),
            )
        else:
            self.emit(
                "response.completed",
                response=self.response(
                    "completed", output=output, usage=usage, completed_at=int(time.time())
                ),
            )
        events = [RawFrame(e, frame_of(e)) for e in self.events]
        return Plan(self.base["id"], self.response(self.base["status"]), events, self.files_by_item)

    def item(self, step: _Step, last: bool) -> None:
        index = len(self.output)
        if isinstance(step, _Text):
            self.message(index, step, last)
        elif isinstance(step, _Code):
            self.code(index, step)
        elif isinstance(step, _Call):
            self.call(index, step)
        elif isinstance(step, _Search):
            self.search(index, step)
        else:
            step.play(self, index)

    def added(self, index: int, item: JSON) -> None:
        self.emit("response.output_item.added", output_index=index, item=copy.deepcopy(item))

    def done(self, index: int, item: JSON) -> None:
        self.output.append(item)
        self.emit("response.output_item.done", output_index=index, item=copy.deepcopy(item))

    def message(self, index: int, step: _Text, last: bool) -> None:
        item_id = new_id("msg_", 24)
        item: JSON = {
            "id": item_id,
            "type": "message",
            "status": "in_progress",
            "content": [],
            "role": "assistant",
        }
        self.added(index, item)
        ids = {"item_id": item_id, "output_index": index, "content_index": 0}
        part: JSON = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        self.emit("response.content_part.added", **ids, part=copy.deepcopy(part))
        annotations = self.citations(step) + step.annotations
        pending = sorted(annotations, key=_annotation_position)
        emitted: list[JSON] = []
        sent = 0
        for delta in step.deltas:
            sent += len(delta)
            self.emit(
                "response.output_text.delta",
                **ids,
                delta=delta,
                logprobs=[],
                obfuscation=_obfuscation(delta),
            )
            while pending and _annotation_position(pending[0]) <= sent:
                ann = pending.pop(0)
                self.emit(
                    "response.output_text.annotation.added",
                    **ids,
                    annotation_index=len(emitted),
                    annotation=ann,
                )
                emitted.append(ann)
        for ann in pending:
            self.emit(
                "response.output_text.annotation.added",
                **ids,
                annotation_index=len(emitted),
                annotation=ann,
            )
            emitted.append(ann)
        part = {**part, "annotations": emitted, "text": step.text}
        self.emit("response.output_text.done", **ids, text=step.text, logprobs=[])
        self.emit("response.content_part.done", **ids, part=copy.deepcopy(part))
        status = "incomplete" if last and self.turn.incomplete_reason else "completed"
        self.done(index, {**item, "status": status, "content": [part]})

    def citations(self, step: _Text) -> list[JSON]:
        found: list[JSON] = []
        cited: set[str] = set()
        for result in self.searched:  # a message after a file search cites what it found
            if result.get("file_id") and result["file_id"] not in cited:
                cited.add(result["file_id"])
                found.append(
                    {
                        "type": "file_citation",
                        "file_id": result["file_id"],
                        "filename": result.get("filename", ""),
                        "index": len(step.text),
                    }
                )
        for m in _SANDBOX.finditer(step.text):
            group = 1 if m.group(1) else 2
            name = m.group(group).rsplit("/", 1)[-1]
            cfile = self.files.get(name)
            if cfile is None:
                continue
            start, end = m.span(0) if step.citation_span == "link" and group == 1 else m.span(group)
            found.append(
                {
                    "type": "container_file_citation",
                    "container_id": cfile.container_id,
                    "end_index": end,
                    "file_id": cfile.id,
                    "filename": name,
                    "start_index": start,
                }
            )
        return found

    def code(self, index: int, step: _Code) -> None:
        if self.container_id is None:
            self.container_id = new_id("cntr_", 24)
        item_id = new_id("ci_", 24)
        with_outputs = "code_interpreter_call.outputs" in self.include
        item: JSON = {
            "id": item_id,
            "type": "code_interpreter_call",
            "status": "in_progress",
            "code": "",
            "container_id": self.container_id,
            "outputs": [] if with_outputs else None,
        }
        self.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        self.emit("response.code_interpreter_call.in_progress", **ids)
        for delta in split_text(step.code, step.deltas):
            self.emit(
                "response.code_interpreter_call_code.delta",
                **ids,
                delta=delta,
                obfuscation=_obfuscation(delta),
            )
        self.emit("response.code_interpreter_call_code.done", **ids, code=step.code)
        self.emit("response.code_interpreter_call.interpreting", **ids)
        self.emit("response.code_interpreter_call.completed", **ids)
        made = [
            ContainerFile(new_id("cfile_", 16), self.container_id, name, data)
            for name, data in step.files
        ]
        self.files.update({f.filename: f for f in made})
        self.files_by_item[item_id] = made
        outputs = None
        if with_outputs:
            outputs = [] if step.logs is None else [{"type": "logs", "logs": step.logs}]
        self.done(index, {**item, "status": "completed", "code": step.code, "outputs": outputs})

    def call(self, index: int, step: _Call) -> None:
        item_id = new_id("fc_", 24)
        item: JSON = {
            "id": item_id,
            "type": "function_call",
            "status": "in_progress",
            "arguments": "",
            "call_id": step.call_id,
            "name": step.name,
        }
        self.added(index, item)
        ids = {"item_id": item_id, "output_index": index}
        for delta in split_text(step.arguments, 2):
            self.emit(
                "response.function_call_arguments.delta",
                **ids,
                delta=delta,
                obfuscation=_obfuscation(delta),
            )
        self.emit(
            "response.function_call_arguments.done", **ids, name=step.name, arguments=step.arguments
        )
        self.done(index, {**item, "status": "completed", "arguments": step.arguments})

    def search(self, index: int, step: _Search) -> None:
        item_id = new_id("fs_", 24)
        item: JSON = {
            "id": item_id,
            "type": "file_search_call",
            "status": "in_progress",
            "queries": [],
            "results": None,
        }
        self.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        for phase in ("in_progress", "searching", "completed"):
            self.emit(f"response.file_search_call.{phase}", **ids)
        found = step.results if step.results is not None else self.ctx.search_results
        self.searched.extend(found)
        results = found if "file_search_call.results" in self.include else None
        self.done(
            index,
            {
                **item,
                "status": "completed",
                "queries": step.queries,
                "results": copy.deepcopy(results),
            },
        )


def _annotation_position(ann: JSON) -> int:
    return int(ann.get("end_index", ann.get("index", 0)) or 0)


def build_plan(turn: Turn, body: JSON, ctx: PlanContext, *, background: bool) -> Plan:
    if turn.raw_frames is None:
        return _Builder(turn, body, ctx, background).build()
    frames = list(turn.raw_frames)
    first = next(f.data["response"] for f in frames if f.data["type"] in LIFECYCLE)
    initial = copy.deepcopy(first)
    initial.update(status="queued" if background else "in_progress", output=[])
    return Plan(first["id"], initial, frames)


def apply_event(snapshot: JSON, event: JSON) -> None:
    """Fold one stream event into the stored response object (what GET returns)."""
    type_ = event["type"]
    if type_ in LIFECYCLE:
        resp = copy.deepcopy(event["response"])
        if type_ not in TERMINAL_EVENTS or resp.get("output") is None:
            resp["output"] = snapshot.get("output", [])
        snapshot.clear()
        snapshot.update(resp)
        return
    output: list[JSON] = snapshot.setdefault("output", [])
    index = event.get("output_index", -1)
    if type_ == "response.output_item.added":
        output.append(copy.deepcopy(event["item"]))
        return
    if not 0 <= index < len(output):
        return
    item = output[index]
    if type_ == "response.output_item.done":
        output[index] = copy.deepcopy(event["item"])
    elif type_ == "response.content_part.added":
        item.setdefault("content", []).append(copy.deepcopy(event["part"]))
    elif type_ == "response.output_text.delta":
        item["content"][event["content_index"]]["text"] += event["delta"]
    elif type_ == "response.output_text.annotation.added":
        item["content"][event["content_index"]]["annotations"].append(event["annotation"])
    elif type_ == "response.function_call_arguments.delta":
        item["arguments"] += event["delta"]
    elif type_ == "response.code_interpreter_call_code.delta":
        item["code"] = (item.get("code") or "") + event["delta"]
    elif type_ == "response.code_interpreter_call_code.done":
        item["code"] = event["code"]
    elif type_ == "response.code_interpreter_call.interpreting":
        item["status"] = "interpreting"


def default_reply(body: JSON) -> Turn:
    """Echo the last user text; a small worked example for "3x + 11 = 14"."""
    text = last_user_text(body.get("input"))
    if "3x + 11 = 14" in text:
        return (
            Turn()
            .code("print((14-11)/3)", logs="1.0\n")
            .text(
                "Let's solve 3x + 11 = 14 step by step:\n\n"
                "1. Subtract 11 from both sides: 3x = 3\n"
                "2. Divide both sides by 3: **x = 1**\n\n"
                "Check: 3·1 + 11 = 14 ✓ (Python agrees: (14-11)/3 = 1.0)"
            )
        )
    return Turn().text(f"You said: {text}")


def last_user_text(input_: Any) -> str:
    if isinstance(input_, str):
        return input_
    outputs: list[str] = []
    for item in reversed(input_ or []):
        if not isinstance(item, dict):
            continue
        if item.get("type") == "function_call_output" and not outputs:
            outputs.append(str(item.get("output", "")))
        if item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content
            return " ".join(
                part.get("text", "") for part in content or [] if part.get("type") == "input_text"
            )
    return f"(tool output) {outputs[0]}" if outputs else ""
