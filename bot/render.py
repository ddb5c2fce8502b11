"""Turns run events into the Markdown an answer shows: text, code being written, its logs."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.errors import RunError
from bot.events import FileOutput, RunResult, ToolCall

_SANDBOX_LINK = re.compile(r"\[([^\]]*)\]\(sandbox:[^)\s]*\)")
_SANDBOX_URL = re.compile(r"sandbox:/mnt/data/(\S+)")

STATUS_TEXT = {
    "queued": "Waiting for the model…",
    "in_progress": "Thinking…",
    "code_interpreter": "Running code…",
    "file_search": "Searching documents…",
    "function": "Calling a function…",
}


def replace_sandbox_links(text: str, note: str = "attached") -> str:
    """``[chart.png](sandbox:/mnt/data/chart.png)`` → ``chart.png (attached)``."""
    text = _SANDBOX_LINK.sub(lambda m: f"**{m.group(1)}** ({note})", text)
    return _SANDBOX_URL.sub(lambda m: f"{m.group(1)} ({note})", text)


class AnswerRenderer:
    """Implements ``RunEventHandler``; keeps the answer as an append-only list of pieces."""

    def __init__(
        self,
        *,
        on_change: Callable[[], None],
        on_status: Callable[[str | None], Awaitable[None]],
        on_file: Callable[[FileOutput], Awaitable[None]],
        notices: list[str] | None = None,
    ) -> None:
        self._pieces: list[str] = []
        self._open_code: str | None = None
        self._on_change = on_change
        self._set_status = on_status
        self._on_file = on_file
        self.notices = list(notices or [])
        self.result: RunResult | None = None
        self.files: list[FileOutput] = []
        self.sources: list[str] = []

    def text(self) -> str:
        head = "".join(f"_{notice}_\n\n" for notice in self.notices)
        return head + "".join(self._pieces)

    def _append(self, piece: str) -> None:
        self._pieces.append(piece)
        self._on_change()

    def _separate(self) -> None:
        if self._pieces and not "".join(self._pieces[-2:]).endswith("\n\n"):
            self._pieces.append("\n\n" if not self._pieces[-1].endswith("\n") else "\n")

    def _close_code(self) -> None:
        if self._open_code is not None:
            self._pieces.append("\n```\n")
            self._open_code = None

    async def on_status(self, status: str) -> None:
        await self._set_status(STATUS_TEXT.get(status, status))

    async def on_text_created(self) -> None:
        self._close_code()
        self._separate()
        await self._set_status(None)

    async def on_text_delta(self, delta: str) -> None:
        self._append(delta)

    async def on_tool_call_created(self, call: ToolCall) -> None:
        self._close_code()
        await self._set_status(STATUS_TEXT.get(call.type, "Working…"))
        if call.type == "code_interpreter":
            self._separate()
            self._pieces.append("```python\n")
            self._open_code = call.id
            self._on_change()

    async def on_tool_call_delta(self, call: ToolCall, *, code: str = "", logs: str = "") -> None:
        if code and self._open_code == call.id:
            self._append(code)
        if logs:
            self._close_code()
            self._separate()
            self._append(f"```text\n{logs.rstrip()}\n```\n")

    async def on_file_output(self, file: FileOutput) -> None:
        self.files.append(file)
        await self._on_file(file)

    async def on_citation(self, filename: str) -> None:
        if filename and filename not in self.sources:
            self.sources.append(filename)

    async def on_done(self, result: RunResult) -> None:
        self._close_code()
        self.result = result
        await self._set_status(None)
        if result.status == "incomplete":
            reason = (
                "the length limit"
                if result.incomplete_reason == "max_output_tokens"
                else (result.incomplete_reason or "a limit")
            )
            self.notices_at_end(f"The answer was cut short by {reason}.")
        elif result.status == "cancelled":
            self.notices_at_end("The answer was stopped.")

    async def on_failed(self, error: RunError) -> None:
        self._close_code()
        await self._set_status(None)
        self.notices_at_end(error.user_message)

    def notices_at_end(self, sentence: str) -> None:
        self._separate()
        self._append(f"⚠️ {sentence}")

    def final_text(self, link_note: str | None = "attached") -> str:
        text = self.text()
        if self.sources:
            text += (
                "\n\n"
                + "Sources: "
                + ", ".join(f"[{n}] {name}" for n, name in enumerate(self.sources, 1))
            )
        if self.files and link_note:
            text = replace_sandbox_links(text, link_note)
        return text
