"""A thread's messages for a Chat Completions server: the turn's input (Responses-style items)
translated to chat messages, their estimated size, and the history trimmed to a budget."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

IMAGE_TOKENS = 800
"""What an image is counted as: vision models charge roughly this for a picture."""
MESSAGE_OVERHEAD = 4


def estimate_tokens(message: dict[str, Any]) -> int:
    """About four characters a token (English; fewer for Korean, so this errs long), plus a
    few for the message frame. Servers count with their own tokenizer; this only has to keep
    the request under the model's context."""
    chars = 0
    images = 0
    content = message.get("content")
    if isinstance(content, str):
        chars += len(content)
    elif isinstance(content, list):
        for part in content:
            if part.get("type") == "image_url":
                images += 1
            else:
                chars += len(part.get("text") or "")
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        chars += len(function.get("name") or "") + len(function.get("arguments") or "")
    return MESSAGE_OVERHEAD + (chars + 3) // 4 + images * IMAGE_TOKENS


def to_chat_messages(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Responses input items → chat messages: a user message's ``input_text``/``input_image``
    parts, and ``function_call_output`` items as ``tool`` messages."""
    messages: list[dict[str, Any]] = []
    for item in items:
        if item.get("type") == "function_call_output":
            messages.append(
                {"role": "tool", "tool_call_id": item["call_id"], "content": item["output"]}
            )
            continue
        content = item.get("content")
        if isinstance(content, str):
            messages.append({"role": item.get("role", "user"), "content": content})
            continue
        parts: list[dict[str, Any]] = []
        for part in content or []:
            if part.get("type") == "input_text":
                parts.append({"type": "text", "text": part["text"]})
            elif part.get("type") == "input_image" and part.get("image_url"):
                parts.append({"type": "image_url", "image_url": {"url": part["image_url"]}})
        if len(parts) == 1 and parts[0]["type"] == "text":
            messages.append({"role": item.get("role", "user"), "content": parts[0]["text"]})
        elif parts:
            messages.append({"role": item.get("role", "user"), "content": parts})
    return messages


def for_history(message: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a message: pictures are sent with the question that brought them but
    not stored (a data URL is megabytes); a short note keeps their place."""
    content = message.get("content")
    if not isinstance(content, list):
        return message
    texts = [
        part["text"] if part.get("type") == "text" else "[image attached earlier]"
        for part in content
    ]
    return {**message, "content": "\n".join(texts)}


def assistant_message(text: str, calls: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """The answer as the thread keeps it; ``calls`` are (call id, name, arguments)."""
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
            for cid, name, args in calls
        ]
    return message


def chat_tools(tools: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Function tools in the Chat Completions shape; hosted tools have no equivalent."""
    converted = []
    for tool in tools:
        if tool.get("type") != "function":
            continue
        function = {
            "name": tool["name"],
            "description": tool.get("description") or "",
            "parameters": tool.get("parameters") or {"type": "object", "properties": {}},
        }
        if tool.get("strict"):
            function["strict"] = True
        converted.append({"type": "function", "function": function})
    return converted


INTERRUPTED_OUTPUT = '{"error": "no result: this step was interrupted"}'


def repair(
    history: Sequence[tuple[dict[str, Any], int]], *, answering: bool = False
) -> list[tuple[dict[str, Any], int]]:
    """Answer tool calls left without results (a turn interrupted between a call and its
    result, then asked again): servers reject an assistant ``tool_calls`` message that is not
    followed by a ``tool`` message for each call. ``answering``: the new input holds the
    results of the last message's calls."""
    repaired: list[tuple[dict[str, Any], int]] = []
    pending: list[str] = []
    for message, tokens in history:
        if message.get("role") == "tool" and message.get("tool_call_id") in pending:
            pending.remove(message["tool_call_id"])
        elif pending:
            repaired.extend(_interrupted(pending))
            pending = []
        repaired.append((message, tokens))
        if message.get("role") == "assistant":
            pending = [call["id"] for call in message.get("tool_calls") or []]
    return repaired if answering else repaired + _interrupted(pending)


def _interrupted(call_ids: Sequence[str]) -> list[tuple[dict[str, Any], int]]:
    return [
        ({"role": "tool", "tool_call_id": cid, "content": INTERRUPTED_OUTPUT}, 16)
        for cid in call_ids
    ]


def trim(
    history: Sequence[tuple[dict[str, Any], int]],
    new: Sequence[dict[str, Any]],
    *,
    system_tokens: int,
    budget: int,
) -> tuple[list[dict[str, Any]], int]:
    """The history to send before ``new``, oldest exchanges dropped first until the request
    fits ``budget`` tokens; returns (messages, how many were dropped).

    An exchange starts at a user message and holds the answer and any tool calls and results
    after it, so a ``tool`` message never loses the assistant message that asked for it. The
    instructions and the new input are always sent; while a tool round is in progress (the
    new input is tool results) the exchange it belongs to is kept whole too."""
    exchanges: list[list[tuple[dict[str, Any], int]]] = []
    for message, tokens in history:
        if message.get("role") == "user" or not exchanges:
            exchanges.append([])
        exchanges[-1].append((message, tokens))
    keep_last = bool(new) and new[0].get("role") == "tool" and bool(exchanges)
    used = system_tokens + sum(estimate_tokens(m) for m in new)
    used += sum(tokens for exchange in exchanges for _, tokens in exchange)
    dropped = 0
    while exchanges and used > budget and (len(exchanges) > 1 or not keep_last):
        oldest = exchanges.pop(0)
        used -= sum(tokens for _, tokens in oldest)
        dropped += len(oldest)
    # A history must start with a user message (stray tool results would be rejected).
    while (
        exchanges
        and exchanges[0][0][0].get("role") != "user"
        and not (keep_last and len(exchanges) == 1)
    ):
        dropped += len(exchanges.pop(0))
    return [message for exchange in exchanges for message, _ in exchange], dropped


def arguments_text(arguments: str) -> str:
    """Arguments as a server expects them back: valid JSON, else an empty object."""
    try:
        json.loads(arguments or "{}")
    except ValueError:
        return "{}"
    return arguments or "{}"
