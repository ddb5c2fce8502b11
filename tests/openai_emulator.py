"""A loopback OpenAI API emulator (Responses, Conversations, Files, Vector stores, Containers,
and Chat Completions as OpenAI-compatible servers such as Ollama or vLLM speak it).

The real `openai.AsyncOpenAI(base_url=emu.base_url, _strict_response_validation=True)` talks to
it over HTTP, so tests exercise the SDK's own SSE parsing, retries and typed errors. Tests
script what the model says with `Turn` and inject faults; synchronisation uses asyncio
primitives only (`Turn.gate`, `wait_requests`, `wait_for_response_count`, ...).

    async with OpenAIEmulator() as emu:
        emu.script(Turn().text("Hello!"))
        client = AsyncOpenAI(base_url=emu.base_url, api_key="sk-test")

CLI: `python -m tests.openai_emulator --port 8765` serves the default reply forever.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import mimetypes
import time
from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web

from tests.openai_emulator_chat import (
    ChatCompletion,
    ChatPlan,
    chat_frame,
    check_chat_request,
    default_chat_reply,
    pace,
)
from tests.openai_emulator_events import (
    JSON,
    TERMINAL_EVENTS,
    ContainerFile,
    Conversation,
    Plan,
    PlanContext,
    RecordedRequest,
    StoredFile,
    StoredResponse,
    Turn,
    apply_event,
    build_plan,
    conversation_id_of,
    default_reply,
    error_body,
    new_id,
    normalize_items,
    page_of,
)
from tests.openai_emulator_hosted import hosted_refusal
from tests.openai_emulator_mcp import ApiRefusal, check_mcp_request

__all__ = [
    "ChatCompletion",
    "ContainerFile",
    "Conversation",
    "OpenAIEmulator",
    "RecordedRequest",
    "StoredFile",
    "StoredResponse",
    "Turn",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


BODY_KEY = web.RequestKey("body", dict)
QUERY_KEY = web.RequestKey("query", dict)
RECORD_KEY = web.RequestKey("record", RecordedRequest)


def _has_more(stored: StoredResponse, idx: int) -> bool:
    return len(stored.frames) > idx or stored.done


class ApiError(Exception):
    """Raised by handlers; the middleware answers with the OpenAI error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type_: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, type_, param, code)
        self.headers = headers or {}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    headers = {"x-request-id": new_id("req_"), **(headers or {})}
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


class OpenAIEmulator:
    """The emulated API server. See the module docstring."""

    def __init__(self) -> None:
        self.base_url: str = ""
        self.requests: list[RecordedRequest] = []
        self.conversations: dict[str, Conversation] = {}
        self.files: dict[str, StoredFile] = {}
        self.container_files: dict[str, ContainerFile] = {}
        self.containers: set[str] = set()
        """Containers code interpreter ran in (``DELETE /v1/containers/{id}`` removes one)."""
        self.responses: dict[str, StoredResponse] = {}
        self.vector_stores: dict[str, JSON] = {}
        self.vector_store_files: dict[str, dict[str, JSON]] = {}
        self.default_reply: Callable[[JSON], Turn] = default_reply
        self.default_chat_reply: Callable[[JSON], Turn] = default_chat_reply
        self.chat_completions: list[ChatCompletion] = []
        self.chat_models: set[str] | None = None  # None: any model; else others answer 404
        self.chat_reports_usage = True  # False: include_usage ignored, as some servers do
        self.vector_store_file_polls: int = 1  # GETs still answering in_progress
        self.poll_after_ms: int = 5  # openai-poll-after-ms header
        self.wait_timeout: float = 5.0  # seconds before a wait_* helper raises TimeoutError
        self._script: deque[Turn] = deque()
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._vs_polls: dict[tuple[str, str], int] = {}
        self._path_faults: dict[tuple[str, str], list[int]] = {}
        self.holds: dict[tuple[str, str], asyncio.Event] = {}
        """(method, path prefix) → an event: such a request, once recorded, waits for it."""

    # ---- lifecycle ------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=1024**3)
        self._routes(app)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{bound}/v1"

    async def stop(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> OpenAIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- scripting and observation ----------------------------------------------------------
    def hold(self, method: str, path_prefix: str) -> asyncio.Event:
        """Requests like this are recorded, then wait (unanswered) until the event is set."""
        release = self.holds[(method, path_prefix)] = asyncio.Event()
        return release

    def script(self, *turns: Turn) -> None:
        self._script.extend(turns)

    def fail_path(self, method: str, path: str, *, status: int = 503, times: int = 1) -> None:
        """The next ``times`` requests ``method path`` (e.g. ``POST /v1/files``) get ``status``."""
        self._path_faults[(method, path)] = [status, times]

    def chat_requests(self) -> list[JSON]:
        return [
            r.json for r in self.requests if r.method == "POST" and r.path == "/v1/chat/completions"
        ]

    def response_requests(self) -> list[JSON]:
        return [r.json for r in self.requests if r.method == "POST" and r.path == "/v1/responses"]

    async def wait_requests(
        self, predicate: Callable[[RecordedRequest], bool], count: int = 1
    ) -> list[RecordedRequest]:
        """Wait until `count` recorded requests satisfy `predicate`; return them."""

        def matches() -> list[RecordedRequest]:
            return [r for r in self.requests if predicate(r)]

        await self._wait(lambda: len(matches()) >= count)
        return matches()

    async def wait_for_response_count(
        self, n: int, *, finished: bool = True
    ) -> list[StoredResponse]:
        """Wait until `n` responses exist (and, with finished=True, reached a terminal status)."""

        def ready() -> list[StoredResponse]:
            return [r for r in self.responses.values() if r.done or not finished]

        await self._wait(lambda: len(ready()) >= n)
        return ready()

    async def response_started(self, index: int = 0) -> StoredResponse:
        """Wait until the index-th response (creation order) has emitted its first event."""

        def started() -> bool:
            resps = list(self.responses.values())
            return len(resps) > index and bool(resps[index].events)

        await self._wait(started)
        return list(self.responses.values())[index]

    async def wait_events(self, response_id: str, count: int) -> StoredResponse:
        """Wait until that response has emitted `count` events (or finished)."""

        def ready() -> bool:
            r = self.responses.get(response_id)
            return r is not None and (len(r.events) >= count or r.done)

        await self._wait(ready)
        return self.responses[response_id]

    async def wait_done(self, response_id: str) -> StoredResponse:
        await self._wait(lambda: response_id in self.responses and self.responses[response_id].done)
        return self.responses[response_id]

    async def _wait(self, ready: Callable[[], bool], seconds: float | None = None) -> None:
        """Wait on the condition until `ready()`; TimeoutError after `wait_timeout` seconds."""
        async with asyncio.timeout(seconds or self.wait_timeout), self._changed:
            await self._changed.wait_for(lambda: ready() or self._closing)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- HTTP plumbing ----------------------------------------------------------------------
    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_post("/v1/conversations", self._conv_create)
        r.add_get("/v1/conversations/{cid}", self._conv_get)
        r.add_post("/v1/conversations/{cid}", self._conv_update)
        r.add_delete("/v1/conversations/{cid}", self._conv_delete)
        r.add_post("/v1/conversations/{cid}/items", self._items_create)
        r.add_get("/v1/conversations/{cid}/items", self._items_list)
        r.add_get("/v1/conversations/{cid}/items/{iid}", self._item_get)
        r.add_delete("/v1/conversations/{cid}/items/{iid}", self._item_delete)
        r.add_post("/v1/responses", self._resp_create)
        r.add_post("/v1/chat/completions", self._chat_create)
        r.add_get("/v1/responses/{rid}", self._resp_get)
        r.add_delete("/v1/responses/{rid}", self._resp_delete)
        r.add_post("/v1/responses/{rid}/cancel", self._resp_cancel)
        r.add_post("/v1/files", self._file_create)
        r.add_get("/v1/files", self._file_list)
        r.add_get("/v1/files/{fid}", self._file_get)
        r.add_get("/v1/files/{fid}/content", self._file_content)
        r.add_delete("/v1/files/{fid}", self._file_delete)
        r.add_post("/v1/vector_stores", self._vs_create)
        r.add_get("/v1/vector_stores", self._vs_list)
        r.add_get("/v1/vector_stores/{vid}", self._vs_get)
        r.add_post("/v1/vector_stores/{vid}", self._vs_update)
        r.add_delete("/v1/vector_stores/{vid}", self._vs_delete)
        r.add_post("/v1/vector_stores/{vid}/files", self._vsf_create)
        r.add_get("/v1/vector_stores/{vid}/files", self._vsf_list)
        r.add_get("/v1/vector_stores/{vid}/files/{fid}", self._vsf_get)
        r.add_delete("/v1/vector_stores/{vid}/files/{fid}", self._vsf_delete)
        r.add_delete("/v1/containers/{cid}", self._container_delete)
        r.add_get("/v1/containers/{cid}/files", self._cfile_list)
        r.add_get("/v1/containers/{cid}/files/{fid}", self._cfile_get)
        r.add_get("/v1/containers/{cid}/files/{fid}/content", self._cfile_content)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        query: dict[str, Any] = {}
        for key in set(request.query.keys()):
            values = request.query.getall(key)
            if key.endswith("[]"):
                query[key[:-2]] = list(values)
            else:
                query[key] = values[0] if len(values) == 1 else list(values)
        rec = RecordedRequest(
            request.method,
            request.path,
            query,
            None,
            {k.lower(): v for k, v in request.headers.items()},
        )
        self.requests.append(rec)
        try:
            try:
                await self._read_body(request, rec)
            finally:
                await self._notify()
            fault = self._path_faults.get((request.method, request.path))
            if fault is not None and fault[1] > 0:
                fault[1] -= 1
                raise ApiError(fault[0], f"Emulated HTTP {fault[0]} error.")
            for (method, prefix), release in list(self.holds.items()):
                if request.method == method and request.path.startswith(prefix):
                    await release.wait()
            request[BODY_KEY] = rec.json if isinstance(rec.json, dict) else {}
            request[QUERY_KEY] = query
            request[RECORD_KEY] = rec
            response = await handler(request)
        except ApiError as exc:
            response = _json(exc.body, exc.status, exc.headers)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            msg = f"Invalid URL ({request.method} {request.path})"
            response = _json(error_body(msg), 404)
        if rec.status is None:
            rec.status = response.status
            await self._notify()
        return response

    async def _read_body(self, request: web.Request, rec: RecordedRequest) -> None:
        if request.content_type == "application/json" and request.can_read_body:
            raw = await request.read()
            try:
                rec.json = json.loads(raw) if raw else None
            except ValueError as exc:
                raise ApiError(400, "We could not parse the JSON body of your request.") from exc
        elif request.content_type.startswith("multipart/"):
            form = await request.post()
            rec.form = {}
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    value.file.seek(0, 2)
                    rec.form[key] = {"filename": value.filename, "size": value.file.tell()}
                    value.file.seek(0)
                else:
                    rec.form[key] = value

    # ---- conversations ----------------------------------------------------------------------
    def _conv(self, request: web.Request) -> Conversation:
        cid = request.match_info["cid"]
        conv = self.conversations.get(cid)
        if conv is None:
            raise ApiError(404, f"Conversation with id '{cid}' not found.", param="conversation_id")
        return conv

    async def _conv_create(self, request: web.Request) -> web.Response:
        body = request[BODY_KEY]
        items = normalize_items(body.get("items") or [])
        if len(items) > 20:
            raise ApiError(400, "Too many items: at most 20 are allowed.", param="items")
        conv = Conversation(
            new_id("conv_", 24), int(time.time()), body.get("metadata") or {}, items
        )
        self.conversations[conv.id] = conv
        return _json(conv.to_json())

    async def _conv_get(self, request: web.Request) -> web.Response:
        return _json(self._conv(request).to_json())

    async def _conv_update(self, request: web.Request) -> web.Response:
        conv = self._conv(request)
        conv.metadata = request[BODY_KEY].get("metadata") or {}
        return _json(conv.to_json())

    async def _conv_delete(self, request: web.Request) -> web.Response:
        conv = self._conv(request)
        del self.conversations[conv.id]
        return _json({"id": conv.id, "object": "conversation.deleted", "deleted": True})

    async def _items_create(self, request: web.Request) -> web.Response:
        conv = self._conv(request)
        items = normalize_items(request[BODY_KEY].get("items") or [])
        if not items or len(items) > 20:
            raise ApiError(400, "Expected between 1 and 20 items.", param="items")
        conv.items.extend(items)
        return _json(
            {
                "object": "list",
                "data": items,
                "first_id": items[0]["id"],
                "last_id": items[-1]["id"],
                "has_more": False,
            }
        )

    async def _items_list(self, request: web.Request) -> web.Response:
        return _json(page_of(self._conv(request).items, request[QUERY_KEY], "desc"))

    def _item(self, request: web.Request) -> tuple[Conversation, JSON]:
        conv = self._conv(request)
        iid = request.match_info["iid"]
        for item in conv.items:
            if item["id"] == iid:
                return conv, item
        raise ApiError(404, f"Item with id '{iid}' not found.", param="item_id")

    async def _item_get(self, request: web.Request) -> web.Response:
        return _json(self._item(request)[1])

    async def _item_delete(self, request: web.Request) -> web.Response:
        conv, item = self._item(request)
        conv.items.remove(item)
        return _json(conv.to_json())

    # ---- responses ----------------------------------------------------------------------------
    def _check_tool_outputs(self, body: JSON, conv: Conversation | None) -> None:
        """The real API's checks on function calls: every pending call needs an output, and
        every output must answer a known call."""
        known: list[JSON] = list(conv.items) if conv else []
        prev = self.responses.get(body.get("previous_response_id") or "")
        if prev is not None:
            known += prev.snapshot.get("output") or []
        if conv is None and prev is None:
            return
        raw_input = body.get("input")
        input_: list[JSON] = raw_input if isinstance(raw_input, list) else []
        calls = {i.get("call_id") for i in known + input_ if i.get("type") == "function_call"}
        answered = {i.get("call_id") for i in known if i.get("type") == "function_call_output"}
        given = {i.get("call_id") for i in input_ if i.get("type") == "function_call_output"}
        unknown = sorted(c for c in given - calls if c)
        if unknown:
            raise ApiError(
                400,
                f"No tool call found for function call output with call_id {unknown[0]}.",
                param="input",
            )
        pending = sorted(c for c in calls - answered - given if c)
        if pending:
            raise ApiError(
                400, f"No tool output found for function call {pending[0]}.", param="input"
            )

    def _check_mcp(self, body: JSON, conv: Conversation | None) -> None:
        known: list[JSON] = list(conv.items) if conv else []
        prev = self.responses.get(body.get("previous_response_id") or "")
        if prev is not None:
            known += prev.snapshot.get("output") or []
        try:
            check_mcp_request(body, known)
        except ApiRefusal as exc:
            raise ApiError(400, exc.message, param=exc.param) from None

    def _next_turn(self, body: JSON, default: Callable[[JSON], Turn] | None = None) -> Turn:
        if self._script:
            turn = self._script[0]
            for fault in turn.http_faults:
                if fault.remaining > 0:
                    fault.remaining -= 1
                    headers: dict[str, str] = {}
                    if fault.retry_after is not None:
                        headers["retry-after"] = str(fault.retry_after)
                        headers["retry-after-ms"] = str(int(fault.retry_after * 1000))
                    type_ = (
                        "requests"
                        if fault.status == 429
                        else "server_error"
                        if fault.status >= 500
                        else "invalid_request_error"
                    )
                    raise ApiError(
                        fault.status, fault.message, code=fault.code, type_=type_, headers=headers
                    )
            return self._script.popleft()
        return (default or self.default_reply)(body)

    def _plan_context(self, body: JSON) -> PlanContext:
        vids = [
            v
            for t in body.get("tools") or []
            if t.get("type") == "file_search"
            for v in t.get("vector_store_ids") or []
        ]
        found = [
            self.files[f]
            for v in vids
            for f in self.vector_store_files.get(v, {})
            if f in self.files
        ]
        results = [
            {
                "file_id": f.id,
                "filename": f.filename,
                "score": 0.9,
                "attributes": {},
                "text": f.bytes.decode("utf-8", "replace")[:400],
            }
            for f in found
        ]
        known = {f.filename: f for f in self.container_files.values()}
        return PlanContext(known_files=known, search_results=results)

    async def _resp_create(self, request: web.Request) -> web.StreamResponse:
        body: JSON = request[BODY_KEY]
        if not body.get("model"):
            raise ApiError(400, "Missing required parameter: 'model'.", param="model")
        conv: Conversation | None = None
        conv_id = conversation_id_of(body)
        if conv_id:
            conv = self.conversations.get(conv_id)
            if conv is None:
                raise ApiError(
                    404, f"Conversation with id '{conv_id}' not found.", param="conversation"
                )
            if conv.active_response is not None:
                raise ApiError(
                    400,
                    "Another response is currently in progress for this conversation.",
                    param="conversation",
                    code="conversation_locked",
                )
        self._check_tool_outputs(body, conv)
        self._check_mcp(body, conv)
        self._check_container_files(body)
        turn = self._next_turn(body)
        refusal = hosted_refusal(turn, body)
        if refusal is not None:
            raise ApiError(400, refusal, param="tools")
        background = bool(body.get("background"))
        plan = build_plan(turn, body, self._plan_context(body), background=background)
        stored = StoredResponse(plan.response_id, body, plan.initial)
        self.responses[stored.id] = stored
        if conv is not None:
            conv.active_response = stored.id
        task = asyncio.get_running_loop().create_task(self._play(stored, plan, turn, conv))
        stored.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if body.get("stream"):
            return await self._sse(request, stored, -1, turn.drop_after_events)
        if not background:
            await self._wait(lambda: stored.done, 3600)
        return _json(stored.snapshot)

    async def _play(
        self, stored: StoredResponse, plan: Plan, turn: Turn, conv: Conversation | None
    ) -> None:
        gates = sorted(turn.gates, key=lambda g: g[0])
        for i, frame in enumerate(plan.events):
            for _, gate in (g for g in gates if g[0] == i):
                await gate.wait()
            if i and turn.interval:
                await asyncio.sleep(turn.interval)
            if stored.done:
                return
            stored.events.append(frame.data)
            stored.frames.append(frame.frame)
            apply_event(stored.snapshot, frame.data)
            item = frame.data.get("item") or {}
            if frame.data["type"] == "response.output_item.added" and item.get("container_id"):
                self.containers.add(item["container_id"])
            if frame.data["type"] == "response.output_item.done":
                for cfile in plan.files_by_item.get(item.get("id", ""), []):
                    self.container_files[cfile.id] = cfile
            if frame.data["type"] in TERMINAL_EVENTS:
                self._finish(stored, conv)
            await self._notify()
        for _, gate in (g for g in gates if g[0] >= len(plan.events)):
            await gate.wait()
        self._finish(stored, conv)
        await self._notify()

    def _finish(self, stored: StoredResponse, conv: Conversation | None) -> None:
        if stored.done:
            return
        stored.done = True
        if conv is None:
            return
        if conv.active_response == stored.id:
            conv.active_response = None
        if stored.status in ("completed", "incomplete"):
            conv.items.extend(normalize_items(stored.request.get("input")))
            conv.items.extend(normalize_items(stored.snapshot.get("output")))

    async def _sse(
        self,
        request: web.Request,
        stored: StoredResponse,
        starting_after: int,
        drop_after: int | None,
    ) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "x-request-id": new_id("req_"),
            }
        )
        await resp.prepare(request)
        request[RECORD_KEY].status = resp.status
        await self._notify()
        idx = sent = 0
        try:
            while True:
                await self._wait(partial(_has_more, stored, idx), 3600)
                while idx < len(stored.frames):
                    idx += 1
                    if stored.events[idx - 1].get("sequence_number", idx - 1) <= starting_after:
                        continue
                    await resp.write(stored.frames[idx - 1])
                    sent += 1
                    if drop_after is not None and sent >= drop_after:
                        assert request.transport is not None
                        request.transport.close()  # no terminating chunk: an abrupt cut
                        return resp
                if stored.done or self._closing:
                    break
            await resp.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client went away
        return resp

    # ---- chat completions ------------------------------------------------------------------------
    async def _chat_create(self, request: web.Request) -> web.StreamResponse:
        body: JSON = request[BODY_KEY]
        problem = check_chat_request(body)
        if problem is not None:
            return _json(problem[1], problem[0])
        if self.chat_models is not None and body["model"] not in self.chat_models:
            # Ollama's words for a model it has not pulled.
            msg = f'model "{body["model"]}" not found, try pulling it first'
            raise ApiError(404, msg, type_="api_error")
        turn = self._next_turn(body, self.default_chat_reply)
        plan = ChatPlan(turn, body, usage=self.chat_reports_usage)
        completion = ChatCompletion(plan.id, body)
        self.chat_completions.append(completion)
        if not body.get("stream"):
            completion.chunks, completion.done = plan.chunks, True
            await self._notify()
            return _json(plan.completion())
        resp = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "x-request-id": new_id("req_")}
        )
        await resp.prepare(request)
        request[RECORD_KEY].status = resp.status
        await self._notify()
        try:
            for index, chunk in enumerate(plan.chunks):
                await pace(turn, index)
                if self._closing:
                    return resp
                await resp.write(chat_frame(chunk))
                completion.chunks.append(chunk)
                await self._notify()
                if turn.drop_after_events is not None and index + 1 >= turn.drop_after_events:
                    assert request.transport is not None
                    request.transport.close()  # no terminating chunk: an abrupt cut
                    return resp
            await pace(turn, len(plan.chunks))
            if plan.error is not None:
                await resp.write(chat_frame(plan.error))
            else:
                await resp.write(b"data: [DONE]\n\n")
            await resp.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client went away
        finally:
            completion.done = True
            await self._notify()
        return resp

    def _resp(self, request: web.Request) -> StoredResponse:
        rid = request.match_info["rid"]
        stored = self.responses.get(rid)
        if stored is None or stored.request.get("store") is False:
            raise ApiError(404, f"Response with id '{rid}' not found.", param="response_id")
        return stored

    async def _resp_get(self, request: web.Request) -> web.StreamResponse:
        stored = self._resp(request)
        query = request[QUERY_KEY]
        if query.get("stream") == "true":
            return await self._sse(request, stored, int(query.get("starting_after", -1)), None)
        return _json(stored.snapshot)

    async def _resp_delete(self, request: web.Request) -> web.Response:
        stored = self._resp(request)
        del self.responses[stored.id]
        return _json({"id": stored.id, "object": "response.deleted", "deleted": True})

    async def _resp_cancel(self, request: web.Request) -> web.Response:
        stored = self._resp(request)
        if not stored.snapshot.get("background"):
            raise ApiError(
                400,
                "Only responses created with background=true can be cancelled.",
                param="response_id",
            )
        if not stored.done:
            if stored.task is not None:
                stored.task.cancel()
            stored.snapshot["status"] = "cancelled"
            conv = self.conversations.get(conversation_id_of(stored.request) or "")
            self._finish(stored, conv)
            await self._notify()
        elif stored.status != "cancelled":
            raise ApiError(
                400, f"Cannot cancel a response with status '{stored.status}'.", param="response_id"
            )
        return _json(stored.snapshot)

    # ---- files ------------------------------------------------------------------------------
    def _file(self, request: web.Request) -> StoredFile:
        fid = request.match_info["fid"]
        if fid not in self.files:
            raise ApiError(404, f"No such File object: {fid}", param="id")
        return self.files[fid]

    async def _file_create(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise ApiError(400, "Missing required parameter: 'file'.", param="file")
        stored = StoredFile(
            new_id("file-"), upload.filename, str(form.get("purpose", "")), upload.file.read()
        )
        self.files[stored.id] = stored
        return _json(stored.to_json())

    async def _file_list(self, request: web.Request) -> web.Response:
        data = [f.to_json() for f in self.files.values()]
        return _json(page_of(data, request[QUERY_KEY], "desc"))

    def _check_container_files(self, body: JSON) -> None:
        """As the service: an auto container's ``file_ids`` must name uploaded files."""
        for tool in body.get("tools") or []:
            container = tool.get("container") if tool.get("type") == "code_interpreter" else None
            for file_id in (container or {}).get("file_ids") or []:
                if file_id not in self.files:
                    raise ApiError(404, f"No such File object: {file_id}", param="tools")

    async def _file_get(self, request: web.Request) -> web.Response:
        return _json(self._file(request).to_json())

    async def _file_content(self, request: web.Request) -> web.Response:
        return web.Response(body=self._file(request).bytes, content_type="application/octet-stream")

    async def _file_delete(self, request: web.Request) -> web.Response:
        stored = self._file(request)
        del self.files[stored.id]
        return _json({"id": stored.id, "object": "file", "deleted": True})

    # ---- vector stores ------------------------------------------------------------------------
    def _poll_headers(self) -> dict[str, str]:
        return {"openai-poll-after-ms": str(self.poll_after_ms)}

    def _vs(self, request: web.Request) -> JSON:
        vid = request.match_info["vid"]
        if vid not in self.vector_stores:
            raise ApiError(404, f"No such vector store: {vid}", param="vector_store_id")
        return self._vs_json(vid)

    def _vs_json(self, vid: str) -> JSON:
        store = self.vector_stores[vid]
        files = self.vector_store_files[vid].values()
        counts = {
            s: sum(1 for f in files if f["status"] == s)
            for s in ("in_progress", "completed", "failed", "cancelled")
        }
        store["file_counts"] = {**counts, "total": len(files)}
        store["usage_bytes"] = sum(f["usage_bytes"] for f in files)
        store["status"] = "in_progress" if counts["in_progress"] else "completed"
        return store

    def _add_vs_file(self, vid: str, fid: str, body: JSON) -> JSON:
        if fid not in self.files:
            raise ApiError(404, f"No such File object: {fid}", param="file_id")
        vsf = {
            "id": fid,
            "object": "vector_store.file",
            "created_at": int(time.time()),
            "usage_bytes": len(self.files[fid].bytes),
            "vector_store_id": vid,
            "status": "in_progress" if self.vector_store_file_polls > 0 else "completed",
            "last_error": None,
            "attributes": body.get("attributes"),
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
            },
        }
        self.vector_store_files[vid][fid] = vsf
        self._vs_polls[(vid, fid)] = self.vector_store_file_polls
        return vsf

    async def _vs_create(self, request: web.Request) -> web.Response:
        body = request[BODY_KEY]
        vid = new_id("vs_", 16)
        now = int(time.time())
        expires = body.get("expires_after")
        self.vector_stores[vid] = {
            "id": vid,
            "object": "vector_store",
            "created_at": now,
            "name": body.get("name", ""),
            "last_active_at": now,
            "metadata": body.get("metadata") or {},
            "expires_after": expires,
            "expires_at": now + 86400 * int(expires.get("days", 1)) if expires else None,
        }
        self.vector_store_files[vid] = {}
        for fid in body.get("file_ids") or []:
            self._add_vs_file(vid, fid, {})["status"] = "completed"
        return _json(self._vs_json(vid), headers=self._poll_headers())

    async def _vs_list(self, request: web.Request) -> web.Response:
        data = [self._vs_json(v) for v in self.vector_stores]
        return _json(page_of(data, request[QUERY_KEY], "desc"))

    async def _vs_get(self, request: web.Request) -> web.Response:
        return _json(self._vs(request), headers=self._poll_headers())

    async def _vs_update(self, request: web.Request) -> web.Response:
        store = self._vs(request)
        body = request[BODY_KEY]
        for key in ("name", "metadata", "expires_after"):
            if key in body:
                store[key] = body[key]
        return _json(store)

    async def _vs_delete(self, request: web.Request) -> web.Response:
        vid = self._vs(request)["id"]
        del self.vector_stores[vid], self.vector_store_files[vid]
        return _json({"id": vid, "object": "vector_store.deleted", "deleted": True})

    async def _vsf_create(self, request: web.Request) -> web.Response:
        vid = self._vs(request)["id"]
        body = request[BODY_KEY]
        vsf = self._add_vs_file(vid, str(body.get("file_id")), body)
        return _json(vsf, headers=self._poll_headers())

    async def _vsf_list(self, request: web.Request) -> web.Response:
        vid = self._vs(request)["id"]
        data = list(self.vector_store_files[vid].values())
        return _json(page_of(data, request[QUERY_KEY], "desc"))

    def _vsf(self, request: web.Request) -> JSON:
        vid = self._vs(request)["id"]
        fid = request.match_info["fid"]
        vsf = self.vector_store_files[vid].get(fid)
        if vsf is None:
            raise ApiError(
                404, f"No file found with id '{fid}' in vector store '{vid}'.", param="file_id"
            )
        return vsf

    async def _vsf_get(self, request: web.Request) -> web.Response:
        vsf = self._vsf(request)
        key = (vsf["vector_store_id"], vsf["id"])
        if self._vs_polls.get(key, 0) > 0:
            self._vs_polls[key] -= 1
        else:
            vsf["status"] = "completed"
        return _json(vsf, headers=self._poll_headers())

    async def _vsf_delete(self, request: web.Request) -> web.Response:
        vsf = self._vsf(request)
        del self.vector_store_files[vsf["vector_store_id"]][vsf["id"]]
        return _json({"id": vsf["id"], "object": "vector_store.file.deleted", "deleted": True})

    # ---- containers -----------------------------------------------------------------------------
    async def _container_delete(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        if cid not in self.containers:
            raise ApiError(404, f"Container {cid} not found.", param="container_id")
        self.containers.discard(cid)
        for fid in [f.id for f in self.container_files.values() if f.container_id == cid]:
            del self.container_files[fid]
        return _json({"id": cid, "object": "container.deleted", "deleted": True})

    def _cfile(self, request: web.Request) -> ContainerFile:
        cid, fid = request.match_info["cid"], request.match_info["fid"]
        cfile = self.container_files.get(fid)
        if cfile is None or cfile.container_id != cid:
            raise ApiError(404, f"File {fid} not found in container {cid}.", param="file_id")
        return cfile

    async def _cfile_list(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        data = [f.to_json() for f in self.container_files.values() if f.container_id == cid]
        return _json(page_of(data, request[QUERY_KEY], "desc"))

    async def _cfile_get(self, request: web.Request) -> web.Response:
        return _json(self._cfile(request).to_json())

    async def _cfile_content(self, request: web.Request) -> web.Response:
        cfile = self._cfile(request)
        ctype = mimetypes.guess_type(cfile.filename)[0] or "application/octet-stream"
        return web.Response(body=cfile.bytes, content_type=ctype)


async def _serve(port: int) -> None:
    emu = OpenAIEmulator()
    await emu.start(port)
    print(f"OpenAI emulator listening: OPENAI_BASE_URL={emu.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the OpenAI API emulator.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
