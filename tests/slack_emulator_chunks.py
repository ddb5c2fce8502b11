"""Streaming chunks and blocks as the Slack emulator checks and records them.

``chunks`` on chat.startStream / appendStream / stopStream (python-slack-sdk 3.40+,
``slack_sdk/models/messages/chunk.py``; "Using the chunks parameter" in Slack's method
reference): ``markdown_text {text}``, ``task_update {id, title, status, details?, output?,
sources?: [{type: "url", url, text}]}``, ``plan_update {title}``, ``blocks {blocks}``. A
malformed chunk is refused as Slack refuses arguments: ``{"ok": false, "error":
"invalid_arguments", "response_metadata": {"messages": ["[ERROR] …"]}}``."""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]

TASK_STATUSES = frozenset({"pending", "in_progress", "complete", "error"})
TASK_DISPLAY_MODES = frozenset({"timeline", "plan"})
TASK_TEXT_LIMIT = 256
"""``details`` and ``output`` of a task card."""


class ChunkError(ValueError):
    pass


def invalid(message: str) -> JSON:
    return {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": [f"[ERROR] {message}"]},
    }


def parse_chunks(args: JSON) -> list[JSON]:
    """The call's chunks, checked (``[]`` without any); ``ChunkError`` says what is wrong."""
    chunks = args.get("chunks")
    if chunks is None:
        return []
    if isinstance(chunks, str):  # a form-encoded call carries JSON text
        try:
            chunks = json.loads(chunks)
        except ValueError as exc:
            raise ChunkError("chunks must be a JSON array") from exc
    if not isinstance(chunks, list):
        raise ChunkError("chunks must be an array")
    if args.get("markdown_text") is not None and chunks:
        raise ChunkError("markdown_text and chunks cannot be used together")
    for n, chunk in enumerate(chunks):
        _check(chunk, f"chunks[{n}]")
    return chunks


def _text(chunk: JSON, name: str, where: str, *, required: bool = True) -> None:
    value = chunk.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise ChunkError(f"{where}.{name} must be a non-empty string")


def _check(chunk: Any, where: str) -> None:
    if not isinstance(chunk, dict):
        raise ChunkError(f"{where} must be an object")
    kind = chunk.get("type")
    if kind == "markdown_text":
        if not isinstance(chunk.get("text"), str):
            raise ChunkError(f"{where}.text is required")
    elif kind == "plan_update":
        _text(chunk, "title", where)
    elif kind == "task_update":
        _text(chunk, "id", where)
        _text(chunk, "title", where)
        if chunk.get("status") not in TASK_STATUSES:
            raise ChunkError(f"{where}.status must be one of {sorted(TASK_STATUSES)}")
        for name in ("details", "output"):
            _text(chunk, name, where, required=False)
            if len(chunk.get(name) or "") > TASK_TEXT_LIMIT:
                raise ChunkError(f"{where}.{name} is longer than {TASK_TEXT_LIMIT} characters")
        for m, source in enumerate(chunk.get("sources") or []):
            if not isinstance(source, dict) or source.get("type") != "url":
                raise ChunkError(f"{where}.sources[{m}].type must be url")
            _text(source, "url", f"{where}.sources[{m}]")
            _text(source, "text", f"{where}.sources[{m}]")
    elif kind == "blocks":
        if not isinstance(chunk.get("blocks"), list):
            raise ChunkError(f"{where}.blocks must be an array")
    else:
        raise ChunkError(f"{where}.type {kind!r} is not a chunk type")


def chunk_text(args: JSON, chunks: list[JSON]) -> str:
    """The Markdown a call adds to a stream."""
    parts = [str(args.get("markdown_text") or "")]
    parts += [c["text"] for c in chunks if c["type"] == "markdown_text"]
    return "".join(parts)


def parse_blocks(args: JSON) -> list[JSON] | None:
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        raise ChunkError("blocks must be an array")
    for n, block in enumerate(blocks):
        if not isinstance(block, dict) or not block.get("type"):
            raise ChunkError(f"blocks[{n}] needs a type")
        if block["type"] == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                raise ChunkError(f"blocks[{n}].elements: 1 to 10 elements")
            for element in elements:
                if element.get("type") == "mrkdwn" and len(element.get("text") or "") > 3000:
                    raise ChunkError(f"blocks[{n}]: text longer than 3000 characters")
        if block["type"] == "markdown" and not (block.get("text") or "").strip():
            raise ChunkError(f"blocks[{n}].text is required")
    return blocks
