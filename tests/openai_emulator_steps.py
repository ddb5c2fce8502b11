"""Output items for the OpenAI emulator beyond text, code, functions and file search, shaped
from the Responses API reference (``openai/types/responses``): a reasoning item with summary
deltas and a code interpreter call that fails. Each is an ``ItemScript`` for ``Turn.item(…)``:

    Turn().item(Reasoning(["**Looking it up**\n\nA search will do."])).text("…")

Streams: reasoning ``response.reasoning_summary_part.added``,
``response.reasoning_summary_text.delta/done``, ``response.reasoning_summary_part.done``.
Web searches and ``url_citation`` are in ``tests/openai_emulator_hosted.py``, MCP calls in
``tests/openai_emulator_mcp.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.openai_emulator_events import JSON, _obfuscation, new_id, split_text

if TYPE_CHECKING:
    from tests.openai_emulator_events import _Builder


@dataclass
class Reasoning:
    """A reasoning item whose summary parts stream as deltas. Like the API, the summary is
    sent only when the request asks for one (``reasoning: {"summary": …}``); else the item
    comes and goes with an empty summary."""

    parts: list[str]
    deltas: int = 3

    def play(self, b: _Builder, index: int) -> None:
        item_id = new_id("rs_", 24)
        item: JSON = {"id": item_id, "type": "reasoning", "summary": [], "encrypted_content": None}
        b.added(index, item)
        if not (b.body.get("reasoning") or {}).get("summary"):
            b.done(index, item)
            return
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
