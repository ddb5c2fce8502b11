"""The one port to OpenAI: conversations, files, and turns streamed or polled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, cast

import openai

from bot.backoff import Backoff
from bot.config import Settings
from bot.errors import StreamInterrupted
from bot.events import RunEventHandler, RunResult
from bot.feed import SnapshotFeeder, StreamFeeder, result_from
from bot.hosted_output import SOURCES_INCLUDE
from bot.model_backend import Checkpoint, HostedTools, ModelApi, TurnRequest
from bot.openai_errors import translate

log = logging.getLogger(__name__)

INCLUDE = [
    "code_interpreter_call.outputs",
    "file_search_call.results",
]
TERMINAL = ("completed", "failed", "incomplete", "cancelled")
MAX_RESUMES = 5


def arguments(request: TurnRequest) -> dict[str, Any]:
    """A turn request as ``responses.create`` arguments."""
    args: dict[str, Any] = {
        "conversation": request.conversation_id,
        "model": request.model,
        "instructions": request.instructions,
        "input": request.input,
        "include": INCLUDE + _web_include(request.tools),
        "truncation": "auto",
        "metadata": request.metadata,
    }
    if request.tools:
        args["tools"] = request.tools
    if request.safety_identifier:
        args["safety_identifier"] = request.safety_identifier
    if request.reasoning_summary:
        args["reasoning"] = {"summary": request.reasoning_summary}
    return args


def _web_include(tools: list[dict[str, Any]]) -> list[str]:
    """A web search's pages (its step's sources, the links under the answer) are sent only
    when asked for."""
    return [SOURCES_INCLUDE] if any(t.get("type") == "web_search" for t in tools) else []


__all__ = ["Checkpoint", "OpenAIBackend", "TurnRequest", "arguments"]


class OpenAIBackend:
    """Responses + Conversations, with OpenAI's hosted tools."""

    def __init__(self, client: openai.AsyncOpenAI, *, poll_interval: float = 1.0) -> None:
        self.client = client
        self.poll_interval = poll_interval

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIBackend:
        client = openai.AsyncOpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            max_retries=settings.openai_max_retries,
            timeout=settings.openai_timeout,
        )
        return cls(client, poll_interval=settings.poll_interval)

    @property
    def api(self) -> ModelApi:
        return "responses"

    @property
    def hosted(self) -> HostedTools | None:
        return self

    async def close(self) -> None:
        await self.client.close()

    async def image_input(self, filename: str, data: bytes) -> dict[str, Any]:
        file_id = await self.upload_file(filename, data, "user_data")
        return {"type": "input_image", "file_id": file_id, "detail": "auto"}

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        try:
            conversation = await self.client.conversations.create(metadata=metadata)
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        return conversation.id

    async def upload_file(self, filename: str, data: bytes, purpose: str = "user_data") -> str:
        try:
            uploaded = await self.client.files.create(
                file=(filename, data),
                purpose=purpose,  # type: ignore[arg-type]
            )
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        return uploaded.id

    async def create_vector_store(self, name: str, *, expire_days: int | None = None) -> str:
        args: dict[str, Any] = {"name": name[:200]}
        if expire_days:
            args["expires_after"] = {"anchor": "last_active_at", "days": expire_days}
        try:
            created = await self.client.vector_stores.create(**args)
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        return created.id

    async def add_document(
        self, vector_store_id: str, filename: str, data: bytes
    ) -> tuple[str, str | None]:
        """Upload a document into a vector store and wait until it is searchable (the SDK's
        own polling helper). Returns (file id, None) or (file id, why it failed)."""
        try:
            uploaded = await self.client.files.create(
                file=(filename, data),
                purpose="assistants",  # type: ignore[arg-type]
            )
            attached = await self.client.vector_stores.files.create_and_poll(
                uploaded.id, vector_store_id=vector_store_id, max_wait_seconds=600
            )
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        if attached.status != "completed":
            reason = attached.last_error.message if attached.last_error else attached.status
            return uploaded.id, reason
        return uploaded.id, None

    async def remove_document(self, vector_store_id: str, file_id: str) -> None:
        try:
            await self.client.vector_stores.files.delete(file_id, vector_store_id=vector_store_id)
        except openai.NotFoundError:
            return
        except openai.OpenAIError as exc:
            raise translate(exc) from exc

    async def delete_file(self, file_id: str) -> None:
        """Delete an uploaded file (gone already counts as deleted)."""
        try:
            await self.client.files.delete(file_id)
        except openai.NotFoundError:
            return
        except openai.OpenAIError as exc:
            raise translate(exc) from exc

    async def delete_conversation(self, conversation_id: str) -> None:
        await self._delete(self.client.conversations.delete(conversation_id))

    async def delete_vector_store(self, vector_store_id: str) -> None:
        await self._delete(self.client.vector_stores.delete(vector_store_id))

    async def delete_container(self, container_id: str) -> None:
        await self._delete(self.client.containers.delete(container_id))

    async def _delete(self, call: Awaitable[object]) -> None:
        """A delete: gone already counts as deleted, so deleting again is harmless."""
        try:
            await call
        except openai.NotFoundError:
            return
        except openai.OpenAIError as exc:
            raise translate(exc) from exc

    async def conversation_items(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every item of a conversation, oldest first, as JSON (``[]`` if it is gone)."""
        items: list[dict[str, Any]] = []
        try:
            async for item in self.client.conversations.items.list(
                conversation_id, limit=100, order="asc"
            ):
                items.append(item.model_dump(mode="json", exclude_none=True))
        except openai.NotFoundError:
            return []
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        return items

    async def fetch_container_file(self, container_id: str, file_id: str) -> bytes:
        content = await self.client.containers.files.content.retrieve(
            file_id, container_id=container_id
        )
        return content.content

    async def stream_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult:
        """A streamed turn. Crash safety rests on ``checkpoint``, called with the response id
        the moment ``response.created`` arrives, before any event is rendered: after that a
        restart follows this response (``follow``) and never asks the question again.

        Before it, the id is unknown, and a process killed between sending the request and
        reading ``response.created`` leaves a response that nobody can find (the API has no
        idempotency key and no way to list a conversation's responses in progress). Its next
        start asks again: the only way to give the person an answer, at the price of at most
        one extra model request. The window is one network round trip plus the time to first
        event (the server sends ``response.created`` before any model work), and an orphan
        whose request did reach the model is the same question paid twice, never a second
        message: what the person sees is decided by the reply's recorded messages alone."""
        feeder = StreamFeeder(handler, self.fetch_container_file)
        started = False
        try:
            # The SDK's own request path (retries, SSE decoding, error events raised as
            # APIError), but events stay plain dicts: building a typed model per delta costs
            # ~60 µs, more than everything else the bot does with it (bench/engine.py).
            stream = await self.client.post(
                "/responses",
                cast_to=object,
                body={**arguments(request), "stream": True},
                stream=True,
                stream_cls=openai.AsyncStream[object],  # dict[...] would be walked per event
            )
            started = True
            async with stream:
                async for raw in stream:
                    event = cast(dict[str, Any], raw)
                    if event["type"] == "response.created":
                        # Recorded before anything is shown: from here on a restart follows
                        # this response and never pays for the question again.
                        await checkpoint(event["response"]["id"], event.get("sequence_number"))
                    await feeder.feed(event)
        except openai.OpenAIError as exc:
            raise translate(exc, streaming=started, model=request.model) from exc
        if feeder.final is None:
            raise StreamInterrupted("the stream ended before the response finished")
        result = result_from(feeder.final)
        await handler.on_done(result)
        return result

    async def background_stream_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult:
        """Started in the background and streamed: a dropped connection resumes from the last
        event seen (``starting_after``) instead of starting over, and a restart can find the
        response again by its id."""
        feeder = StreamFeeder(handler, self.fetch_container_file)
        response_id: str | None = None
        last_sequence: int | None = None
        resumes = 0
        body = {**arguments(request), "stream": True, "background": True}
        try:
            stream = await self._open_stream("post", "/responses", body=body)
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        while True:
            try:
                async with stream:
                    async for raw in stream:
                        event = cast(dict[str, Any], raw)
                        last_sequence = event.get("sequence_number", last_sequence)
                        if event["type"] == "response.created":
                            response_id = event["response"]["id"]
                            await checkpoint(response_id, last_sequence)  # before rendering
                        await feeder.feed(event)
                if feeder.final is not None:
                    break
                dropped: Exception = StreamInterrupted("stream ended early")
            except openai.APIConnectionError as exc:
                dropped = exc
            except openai.OpenAIError as exc:
                raise translate(exc, streaming=True) from exc
            if response_id is None or resumes >= MAX_RESUMES:
                if isinstance(dropped, openai.OpenAIError):
                    raise translate(dropped, streaming=True) from dropped
                raise dropped
            resumes += 1
            log.warning("stream of %s dropped; resuming after event %s", response_id, last_sequence)
            params: dict[str, Any] = {"stream": "true"}
            if last_sequence is not None:
                params["starting_after"] = last_sequence
            try:
                stream = await self._open_stream("get", f"/responses/{response_id}", params=params)
            except openai.OpenAIError as exc:
                raise translate(exc, streaming=True) from exc
        await checkpoint(response_id or "", last_sequence)
        result = result_from(feeder.final)
        await handler.on_done(result)
        return result

    async def _open_stream(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> openai.AsyncStream[object]:
        # Events stay plain dicts: see stream_turn.
        if method == "post":
            return await self.client.post(
                path,
                cast_to=object,
                body=body,
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
        return await self.client.get(
            path,
            cast_to=object,
            options={"params": params or {}},
            stream=True,
            stream_cls=openai.AsyncStream[object],
        )

    async def background_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult:
        """The seed's ``create_and_poll``: start in the background, then poll to the end."""
        try:
            response = await self.client.responses.create(**arguments(request), background=True)
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
        await checkpoint(response.id, None)
        return await self.follow(response.id, handler, first=response)

    async def follow(
        self,
        response_id: str,
        handler: RunEventHandler,
        *,
        first: Any = None,
        stall_timeout: float | None = None,
    ) -> RunResult:
        """Poll a response (ours, possibly from before a restart) until it ends.

        ``stall_timeout``: give up (``StreamInterrupted``) once the response has shown no
        progress for that long. For a streamed response whose stream is gone: the server
        may finish it or leave it in progress, and it can be neither resumed nor cancelled."""
        feeder = SnapshotFeeder(handler, self.fetch_container_file)
        response = first
        failures = 0
        progress: tuple[str, str] | None = None
        progressed_at = time.monotonic()
        while True:
            if response is not None:
                await feeder.feed(response)
                if response.status in TERMINAL:
                    break
                mark = (str(response.status), repr(response.output)) if stall_timeout else None
                if mark != progress:
                    progress, progressed_at = mark, time.monotonic()
            if stall_timeout is not None and time.monotonic() - progressed_at > stall_timeout:
                raise StreamInterrupted(
                    f"response {response_id} made no progress for {stall_timeout:g} s"
                )
            if response is not None:
                await asyncio.sleep(self.poll_interval)
            try:
                response = await self.client.responses.retrieve(
                    response_id,
                    include=[*INCLUDE, SOURCES_INCLUDE],  # type: ignore[list-item]
                )
                failures = 0
            except (openai.APIConnectionError, openai.InternalServerError) as exc:
                failures += 1
                if failures >= 5:
                    raise translate(exc) from exc
                log.warning("polling %s failed (%s); trying again", response_id, type(exc).__name__)
                response = None
                await asyncio.sleep(Backoff(first=self.poll_interval).delay(failures))
            except openai.OpenAIError as exc:
                raise translate(exc) from exc
        result = result_from(response)
        await handler.on_done(result)
        return result

    async def cancel(self, response_id: str) -> None:
        try:
            await self.client.responses.cancel(response_id)
        except openai.OpenAIError as exc:
            raise translate(exc) from exc
