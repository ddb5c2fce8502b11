"""The model backend for OpenAI-compatible Chat Completions servers (Ollama, vLLM, LiteLLM,
OpenRouter): streamed ``POST /chat/completions``, with the thread's history kept in our Store,
because such servers keep no conversation."""

from __future__ import annotations

import base64
import logging
import mimetypes
import uuid
from typing import Any, cast

import openai

from bot.chat_history import (
    arguments_text,
    assistant_message,
    chat_tools,
    estimate_tokens,
    for_history,
    repair,
    to_chat_messages,
    trim,
)
from bot.chat_stream import ChatFeeder
from bot.errors import ContextTooLong, StreamInterrupted
from bot.events import RunEventHandler, RunResult
from bot.model_backend import Checkpoint, HostedTools, ModelApi, TurnRequest
from bot.openai_errors import is_context_length, translate
from bot.ports import ChatHistory
from storage.records import ChatMessage

log = logging.getLogger(__name__)

CHAT_PREFIX = "chat_"
"""Starts the id of a thread the bot keeps in its database (no OpenAI conversation)."""

CONTEXT_RETRIES = 2
"""Times a request the server found too long is sent again with half the history budget."""


class ChatBackend:
    def __init__(
        self, client: openai.AsyncOpenAI, history: ChatHistory, *, history_tokens: int
    ) -> None:
        self.client = client
        self.history = history
        self.history_tokens = history_tokens

    @property
    def api(self) -> ModelApi:
        return "chat_completions"

    @property
    def hosted(self) -> HostedTools | None:
        return None

    async def close(self) -> None:
        await self.client.close()

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        return f"{CHAT_PREFIX}{uuid.uuid4().hex}"

    async def image_input(self, filename: str, data: bytes) -> dict[str, Any]:
        mime = mimetypes.guess_type(filename)[0] or "image/png"
        url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return {"type": "input_image", "image_url": url, "detail": "auto"}

    async def stream_turn(
        self, request: TurnRequest, handler: RunEventHandler, checkpoint: Checkpoint
    ) -> RunResult:
        """Chat completions cannot be resumed or followed after a restart, so no id is
        checkpointed: an interrupted turn is asked again, and its reply edited in place."""
        stored = await self.history.chat_messages(request.conversation_id)
        new = to_chat_messages(request.input)
        answering = bool(new) and new[0].get("role") == "tool"
        history = repair([(m.message, m.tokens) for m in stored], answering=answering)
        system = {"role": "system", "content": request.instructions}
        budget = self.history_tokens
        for attempt in range(CONTEXT_RETRIES + 1):
            kept, dropped = trim(history, new, system_tokens=estimate_tokens(system), budget=budget)
            if dropped:
                log.info(
                    "%s: %d older message(s) left out to fit %d tokens",
                    request.conversation_id,
                    dropped,
                    budget,
                )
            messages = [system, *kept, *new]
            try:
                feeder = await self._stream(request, messages, handler)
                break
            except openai.BadRequestError as exc:
                if not is_context_length(exc) or attempt == CONTEXT_RETRIES or not kept:
                    raise translate(exc, model=request.model) from exc
                budget = min(budget, sum(estimate_tokens(m) for m in messages)) // 2
                log.info(
                    "%s: the server found it too long; trying with less history", request.model
                )
        else:  # pragma: no cover - the loop breaks or raises
            raise ContextTooLong("unreachable")
        result = feeder.result(
            estimated_input=sum(estimate_tokens(m) for m in messages),
            estimated_output=estimate_tokens(
                assistant_message(
                    feeder.text, [(c.call_id, c.name, c.arguments) for c in feeder.function_calls()]
                )
            ),
        )
        await self._remember(request.conversation_id, new, result)
        await handler.on_done(result)
        return result

    async def _stream(
        self, request: TurnRequest, messages: list[dict[str, Any]], handler: RunEventHandler
    ) -> ChatFeeder:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        tools = chat_tools(request.tools)
        if tools:
            body["tools"] = tools
        feeder = ChatFeeder(handler)
        started = False
        try:
            # The SDK's request path (retries, SSE, error lines raised as APIError), with
            # chunks kept as plain dicts: a typed model per delta costs more than the rest of
            # the bot's work on it (bench/engine.py).
            stream = await self.client.post(
                "/chat/completions",
                cast_to=object,
                body=body,
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
            started = True
            async with stream:
                async for raw in stream:
                    await feeder.feed(cast(dict[str, Any], raw))
        except openai.BadRequestError:
            raise  # the caller decides: a context-length error is tried again, shorter
        except openai.OpenAIError as exc:
            raise translate(exc, streaming=started, model=request.model) from exc
        if feeder.finish_reason is None:
            raise StreamInterrupted("the stream ended before the answer finished")
        return feeder

    async def _remember(
        self, conversation_id: str, new: list[dict[str, Any]], result: RunResult
    ) -> None:
        """The question (or tool results) and the answer join the thread together, as the
        Conversations API appends a response's input and output when it completes."""
        calls = [(c.call_id, c.name, arguments_text(c.arguments)) for c in result.function_calls]
        kept = [for_history(m) for m in (*new, assistant_message(result.text, calls))]
        await self.history.append_chat_messages(
            [ChatMessage(conversation_id, m, estimate_tokens(m)) for m in kept]
        )
