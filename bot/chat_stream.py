"""Feed Chat Completions stream chunks (plain dicts) into a ``RunEventHandler``: text deltas,
tool calls assembled from their argument deltas, the finish reason and the usage chunk."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.events import RunEventHandler, RunResult
from bot.functions import FunctionCall

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


@dataclass
class _PendingCall:
    call_id: str
    name: str
    arguments: list[str] = field(default_factory=list)
    announced: bool = False


class ChatFeeder:
    """One streamed completion. Only the first choice is read (the bot asks for one)."""

    def __init__(self, handler: RunEventHandler) -> None:
        self._handler = handler
        self._text: list[str] = []
        self._calls: dict[int, _PendingCall] = {}
        self._started = False
        self.completion_id = ""
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None

    async def feed(self, chunk: dict[str, Any]) -> None:
        if not self._started:
            self._started = True
            self.completion_id = str(chunk.get("id") or "")
            await self._handler.on_status("in_progress")
        usage = chunk.get("usage")
        if usage:
            self.usage = usage
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if content:
                if not self._text:
                    await self._handler.on_text_created()
                self._text.append(content)
                await self._handler.on_text_delta(content)
            for call_delta in delta.get("tool_calls") or ():
                await self._call_delta(call_delta)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]

    async def _call_delta(self, delta: dict[str, Any]) -> None:
        index = int(delta.get("index") or 0)
        function = delta.get("function") or {}
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = _PendingCall(delta.get("id") or "", "")
        elif delta.get("id") and not call.call_id:
            call.call_id = delta["id"]
        if function.get("name") and not call.name:
            call.name = function["name"]
        if function.get("arguments"):
            call.arguments.append(function["arguments"])
        if call.name and not call.announced:
            call.announced = True
            if not call.call_id:  # some servers send none; the thread needs one to match
                call.call_id = f"call_{uuid.uuid4().hex[:24]}"
            # A status only: steps (bot/steps.py) are the Responses API's output items.
            await self._handler.on_status("function")

    @property
    def text(self) -> str:
        return "".join(self._text)

    def function_calls(self) -> tuple[FunctionCall, ...]:
        return tuple(
            FunctionCall(c.call_id, c.name, "".join(c.arguments))
            for _, c in sorted(self._calls.items())
            if c.name
        )

    def result(self, *, estimated_input: int, estimated_output: int) -> RunResult:
        """The answer; the server's token counts when it sent a usage chunk, else estimates."""
        reason = _INCOMPLETE.get(self.finish_reason or "")
        status: Literal["completed", "incomplete"] = "incomplete" if reason else "completed"
        usage = self.usage or {}
        return RunResult(
            response_id=self.completion_id,
            status=status,
            text=self.text,
            input_tokens=int(usage.get("prompt_tokens") or 0) or estimated_input,
            output_tokens=int(usage.get("completion_tokens") or 0) or estimated_output,
            incomplete_reason=reason,
            function_calls=self.function_calls(),
        )
