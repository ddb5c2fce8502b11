"""Chat Completions for the OpenAI emulator: ``POST /v1/chat/completions`` streamed as SSE
chunks shaped like the API reference and ``openai/types/chat/chat_completion_chunk.py``
(text deltas, tool calls whose arguments arrive in pieces, a finish chunk, the usage chunk of
``stream_options.include_usage``, ``data: [DONE]``), or one ``chat.completion`` without
``stream``. The same ``Turn`` scripts it: ``text``, ``function_call``, ``usage``,
``incomplete`` (finish_reason ``length``), ``error_event`` (an ``{"error": …}`` data line, as
vLLM and LiteLLM send mid-stream), ``http_error``, ``drop_after``, ``gate``, ``delta_interval``.
Code interpreter and file search do not exist in this API: scripting them is an error."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.openai_emulator_events import (
    JSON,
    Turn,
    _Call,
    _Text,
    error_body,
    new_id,
    split_text,
)


@dataclass
class ChatCompletion:
    """One chat completion the emulator produced: the request and every chunk it sent."""

    id: str
    request: JSON
    chunks: list[JSON] = field(default_factory=list)
    done: bool = False


def chat_frame(data: JSON) -> bytes:
    return f"data: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n".encode()


def last_chat_user_text(messages: Any) -> str:
    for message in reversed(messages or []):
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool":
            return f"(tool output) {message.get('content')}"
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return " ".join(p.get("text", "") for p in content or [] if p.get("type") == "text")
    return ""


def default_chat_reply(body: JSON) -> Turn:
    return Turn().text(f"You said: {last_chat_user_text(body.get('messages'))}")


def check_chat_request(body: JSON) -> tuple[int, JSON] | None:
    """The API's own checks that matter to a client: a model, messages, and every tool call
    of an assistant message answered by a ``tool`` message right after it."""
    if not body.get("model"):
        return 400, error_body("you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, error_body("'messages' must contain at least one message", param="messages")
    pending: list[str] = []
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            return 400, error_body(f"Invalid value: '{role}'.", param=f"messages[{i}].role")
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return 400, error_body(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param=f"messages.[{i}].role",
                )
            pending.remove(message["tool_call_id"])
            continue
        if pending:
            return 400, error_body(
                "An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'. Missing: {', '.join(pending)}",
                param="messages",
            )
        if role == "assistant":
            pending = [c["id"] for c in message.get("tool_calls") or []]
    return None


class ChatPlan:
    """The chunks of one scripted turn, in order."""

    def __init__(self, turn: Turn, body: JSON, *, usage: bool = True) -> None:
        self.id = new_id("chatcmpl-")
        self.model = body["model"]
        self.created = int(time.time())
        asked = bool((body.get("stream_options") or {}).get("include_usage"))
        self.include_usage = asked and usage
        self.turn = turn
        self.chunks: list[JSON] = []
        self.error: JSON | None = None
        self._build()

    def _chunk(self, delta: JSON, finish_reason: str | None = None) -> JSON:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_emulator",
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
            "usage": None,
        }

    def _build(self) -> None:
        turn = self.turn
        self.chunks.append(self._chunk({"role": "assistant", "content": ""}))
        calls = 0
        for number, step in enumerate(turn.steps):
            if turn.error is not None and turn.error.after_steps == number:
                break
            if isinstance(step, _Text):
                for piece in step.deltas:
                    self.chunks.append(self._chunk({"content": piece}))
            elif isinstance(step, _Call):
                head = {
                    "index": calls,
                    "id": step.call_id,
                    "type": "function",
                    "function": {"name": step.name, "arguments": ""},
                }
                self.chunks.append(self._chunk({"tool_calls": [head]}))
                for piece in split_text(step.arguments, 3):
                    more = {"index": calls, "function": {"arguments": piece}}
                    self.chunks.append(self._chunk({"tool_calls": [more]}))
                calls += 1
            else:
                raise ValueError(f"{type(step).__name__} has no Chat Completions equivalent")
        if turn.error is not None:
            spec = turn.error
            self.error = error_body(spec.message, spec.error_type, None, spec.code)
            return
        reason = "length" if turn.incomplete_reason else "tool_calls" if calls else "stop"
        self.chunks.append(self._chunk({}, reason))
        if self.include_usage:
            prompt, completion = turn.usage_tokens
            self.chunks.append(
                {
                    "id": self.id,
                    "object": "chat.completion.chunk",
                    "created": self.created,
                    "model": self.model,
                    "system_fingerprint": "fp_emulator",
                    "choices": [],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                        "completion_tokens_details": {
                            "reasoning_tokens": 0,
                            "audio_tokens": 0,
                            "accepted_prediction_tokens": 0,
                            "rejected_prediction_tokens": 0,
                        },
                    },
                }
            )

    def completion(self) -> JSON:
        """The same answer as one non-streamed ``chat.completion``."""
        text = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in self.chunks if c["choices"]
        )
        calls: dict[int, JSON] = {}
        for chunk in self.chunks:
            for choice in chunk["choices"]:
                for call in choice["delta"].get("tool_calls") or []:
                    entry = calls.setdefault(
                        call["index"],
                        {
                            "id": call.get("id"),
                            "type": "function",
                            "function": {"name": "", "arguments": ""},
                        },
                    )
                    entry["function"]["name"] += call.get("function", {}).get("name") or ""
                    entry["function"]["arguments"] += (
                        call.get("function", {}).get("arguments") or ""
                    )
        finish = next(
            (
                c["choices"][0]["finish_reason"]
                for c in self.chunks
                if c["choices"] and c["choices"][0]["finish_reason"]
            ),
            "stop",
        )
        prompt, completion = self.turn.usage_tokens
        message: JSON = {"role": "assistant", "content": text or None, "refusal": None}
        if calls:
            message["tool_calls"] = [calls[i] for i in sorted(calls)]
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_emulator",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


async def pace(turn: Turn, index: int) -> None:
    """Before chunk ``index``: the turn's gates for it, and its interval between chunks."""
    for after, gate in turn.gates:
        if after == index:
            await gate.wait()
    if index and turn.interval:
        await asyncio.sleep(turn.interval)
