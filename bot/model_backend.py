"""The one port between a turn and a model: what every backend offers, and what only a
backend with OpenAI's hosted tools offers.

Two backends implement it: ``bot.openai_backend.OpenAIBackend`` (Responses + Conversations,
with code interpreter, file search, background runs) and ``bot.chat_backend.ChatBackend``
(any OpenAI-compatible Chat Completions server; the thread's history lives in our Store)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.events import RunEventHandler, RunResult

ModelApi = Literal["responses", "chat_completions"]
MODEL_APIS: tuple[ModelApi, ...] = ("responses", "chat_completions")

Checkpoint = Callable[[str, int | None], Awaitable[None]]
"""Called with (response_id, last sequence number) so a restart can find the run again."""


@dataclass(frozen=True)
class TurnRequest:
    """One request of a turn, in the Responses API's vocabulary (input items, tools); a
    backend speaking another API translates it."""

    conversation_id: str
    model: str
    instructions: str
    input: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    safety_identifier: str | None = None
    reasoning_summary: str | None = None
    """``auto``/``concise``/``detailed``: the reasoning model sends summaries (a step)."""


class HostedTools(Protocol):
    """OpenAI's hosted side: files, vector stores, code-interpreter containers, and responses
    that live on the server (background runs, polled, cancelled, followed after a restart)."""

    async def upload_file(self, filename: str, data: bytes, purpose: str = "user_data") -> str: ...

    async def create_vector_store(self, name: str, *, expire_days: int | None = None) -> str: ...

    async def add_document(
        self, vector_store_id: str, filename: str, data: bytes
    ) -> tuple[str, str | None]: ...

    async def remove_document(self, vector_store_id: str, file_id: str) -> None: ...

    async def background_stream_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult: ...

    async def background_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult: ...

    async def follow(
        self, response_id: str, handler: RunEventHandler, *, stall_timeout: float | None = None
    ) -> RunResult: ...

    async def cancel(self, response_id: str) -> None: ...


class ModelBackend(Protocol):
    @property
    def api(self) -> ModelApi:
        """Which API it speaks (shown by ``config show``)."""

    @property
    def hosted(self) -> HostedTools | None:
        """Its hosted tools, or ``None`` when the server has none (Chat Completions)."""

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        """A new thread; the id goes into ``TurnRequest.conversation_id``."""

    async def image_input(self, filename: str, data: bytes) -> dict[str, Any]:
        """An ``input_image`` item part for an attached picture."""

    async def stream_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult:
        """Stream one response into ``handler``; its input and output join the thread."""

    async def close(self) -> None: ...
