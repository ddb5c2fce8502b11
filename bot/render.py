"""Turns run events into the Markdown an answer shows: text, code being written, its logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from bot.errors import RunError
from bot.events import FileOutput, RunResult, ToolCall, ToolCallDone
from bot.hosted_output import WebSources, decode_image
from bot.i18n import t
from bot.steps import Source, StepTracker

log = logging.getLogger(__name__)

_SANDBOX_LINK = re.compile(r"\[([^\]]*)\]\(sandbox:[^)\s]*\)")
_SANDBOX_URL = re.compile(r"sandbox:/mnt/data/(\S+)")

STATUS_KEYS = {
    "queued": "status.queued_model",
    "in_progress": "status.thinking",
    "code_interpreter": "status.code",
    "file_search": "status.search",
    "function": "status.function",
    "web_search": "status.web_search",
    "image_generation": "status.image",
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
        lang: str = "en",
        steps: StepTracker | None = None,
        link_format: str = "[{title}]({url})",
    ) -> None:
        self.lang = lang
        self.steps = steps if steps is not None else StepTracker(lambda: None, lang)
        """Each tool call and reasoning summary as a step, shown apart from the text."""
        self._pieces: list[str] = []
        self._open_code: str | None = None
        self._on_change = on_change
        self._set_status = on_status
        self._on_file = on_file
        self.notices = list(notices or [])
        self.result: RunResult | None = None
        self.files: list[FileOutput] = []
        self.sources: list[str] = []
        self.web = WebSources()
        self._link_format = link_format
        self._images: set[str] = set()

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
        await self._set_status(t(self.lang, STATUS_KEYS.get(status, "status.working")))

    async def on_text_created(self) -> None:
        self._close_code()
        self._separate()
        await self._set_status(None)

    async def on_text_delta(self, delta: str) -> None:
        self._append(delta)

    async def on_tool_call_created(self, call: ToolCall) -> None:
        if call.type != "other":
            self.steps.started(call.id, call.type, call.name)
        self._close_code()
        await self._set_status(t(self.lang, STATUS_KEYS.get(call.type, "status.working")))
        if call.type == "code_interpreter":
            self._separate()
            self._pieces.append("```python\n")
            self._open_code = call.id
            self._on_change()

    async def on_tool_call_delta(self, call: ToolCall, *, code: str = "", logs: str = "") -> None:
        if code and self._open_code == call.id:
            self._append(code)
        if logs:
            self.steps.printed(call.id, logs)
            self._close_code()
            self._separate()
            self._append(f"```text\n{logs.rstrip()}\n```\n")

    async def on_tool_call_done(self, call: ToolCall, done: ToolCallDone) -> None:
        if call.type != "other":
            self.steps.finished(
                call.id,
                failed=done.failed,
                label=done.label,
                sources=done.sources,
                kind=call.type,
                output=done.output,
            )
        for source in done.sources:
            self.web.add(source, cited=False)

    async def on_web_citation(self, source: Source) -> None:
        self.steps.cited(source)
        self.web.add(source, cited=True)

    async def on_reasoning(self, item_id: str, delta: str = "", *, done: bool = False) -> None:
        self.steps.reasoning(item_id, delta, done=done)

    async def on_file_output(self, file: FileOutput) -> None:
        self.files.append(file)
        await self._on_file(file)

    async def on_citation(self, filename: str) -> None:
        if filename and filename not in self.sources:
            self.sources.append(filename)

    async def on_image(self, item_id: str, result: str | None) -> None:
        if item_id in self._images:
            return
        self._images.add(item_id)
        image = decode_image(result)
        if image is None:
            if result:
                log.warning(
                    "generated image %s is not a readable image (%d characters of base64)",
                    item_id,
                    len(result),
                )
            else:
                log.warning("image generation %s ended without an image", item_id)
            self.notices_at_end(t(self.lang, "image.unreadable" if result else "image.not_made"))
            return
        n = len(self._images)
        await self.on_file_output(FileOutput(f"image-{n}.{image.extension}", image.data, item_id))

    async def on_done(self, result: RunResult) -> None:
        self._close_code()
        self.result = result
        self.steps.end(failed=result.status == "cancelled")  # a stopped step did not finish
        await self._set_status(None)
        if result.status == "incomplete":
            length = result.incomplete_reason == "max_output_tokens"
            reason = t(self.lang, "answer.cut_short.length" if length else "answer.cut_short.other")
            self.notices_at_end(t(self.lang, "answer.cut_short", reason=reason))
        elif result.status == "cancelled":
            self.notices_at_end(t(self.lang, "answer.stopped"))

    async def on_failed(self, error: RunError) -> None:
        self._close_code()
        self.steps.end(failed=True)
        await self._set_status(None)
        self.notices_at_end(error.message_for(self.lang))

    def notices_at_end(self, sentence: str) -> None:
        self._separate()
        self._append(f"⚠️ {sentence}")

    def final_text(self, link_note: str | None = "attached") -> str:
        if link_note == "attached":
            link_note = t(self.lang, "answer.attached")
        text = self.text()
        if not text.strip() and self.files:  # an answer that is only an image
            text = t(
                self.lang, "answer.files_only", names=", ".join(f.filename for f in self.files)
            )
        if self.sources:
            cited = ", ".join(f"[{n}] {name}" for n, name in enumerate(self.sources, 1))
            text += f"\n\n{t(self.lang, 'answer.sources')}: {cited}"
        links = self.web.links(self._link_format)
        if links:
            text += f"\n\n{t(self.lang, 'answer.web_sources')}: {links}"
        if self.files and link_note:
            text = replace_sandbox_links(text, link_note)
        return text
