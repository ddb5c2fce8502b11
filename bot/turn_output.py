"""The render step of a turn: the renderer the model's events flow into, the reply editor
that shows them on the platform, generated files uploaded, and the reply's record."""

from __future__ import annotations

import logging
import time

from bot.backoff import retrying
from bot.buttons import Buttons
from bot.errors import PlatformUnavailable, RateLimited, RunError
from bot.events import FileOutput
from bot.feedback import feedback_buttons
from bot.i18n import t
from bot.metrics import FirstText, Metrics
from bot.render import AnswerRenderer
from bot.reply import ReplyEditor
from bot.reply_record import ReplyRecord
from bot.split import split_message
from bot.steps import StepTracker, steps_line, steps_summary
from bot.turn_deps import TurnDeps
from bot.tutor import TutorPolicy
from bot.types import Platform, ReplyTarget
from storage.records import Job

log = logging.getLogger(__name__)

UPLOAD_ATTEMPTS = 3
_PLATFORM_BUSY = (RateLimited, PlatformUnavailable)
"""Tries of a generated file's upload while the platform is rate limited or failing."""


class TurnOutput:
    """What the person sees of one answer."""

    def __init__(self, deps: TurnDeps, platform: Platform, job: Job) -> None:
        self._metrics: Metrics = deps.metrics
        self._limits = limits = platform.limits
        self._job = job
        self.lang = "en"
        self.policy: TutorPolicy | None = None
        """Set under a tutor policy: the answer is shown once it is checked."""
        self.profile_key = ""
        """The key of the profile that answers, which its ratings are counted under."""
        self.target: ReplyTarget = FirstText(
            platform.reply_target(job), limits.placeholder, self._first_text
        )
        budget = deps.budgets.get(
            self.target.budget_key,
            limits.calls_per_window,
            limits.window,
            headers=limits.budget_from_headers,
        )
        self.steps = StepTracker(self._steps_changed)
        self.renderer = AnswerRenderer(
            on_change=self._changed,
            on_status=self.target.set_status,
            on_file=self._upload,
            steps=self.steps,
            link_format=limits.web_link,
        )
        self.editor = ReplyEditor(
            self.target,
            limits,
            budget,
            source=self._live_text,
            refs=list(job.reply_state.get("refs", [])),
            save_refs=self._posted,
            before_post=self._opening,
        )
        self.record = ReplyRecord(deps.store, job, self.target, lambda: self.editor.refs)

    def set_language(self, lang: str) -> None:
        self.lang = self.renderer.lang = self.steps.lang = lang

    async def start(self) -> None:
        await self.editor.start()
        await self.target.set_status(t(self.lang, "status.thinking"))

    async def show(self) -> None:
        """The answer in full (or, under a tutor policy, what may be shown of it)."""
        rate = feedback_buttons(self.lang, self._job.id, self.profile_key)
        await self.editor.finish(self._checked_text(), buttons=rate)
        await self.target.close()
        await self.record.closed()

    def with_prompt(self, prompt: str) -> str:
        """The answer so far with ``prompt`` (MCP tool calls waiting for approval) below."""
        text = self._checked_text()
        return f"{text}\n\n{prompt}" if text.strip() else prompt

    def last_page(self, text: str) -> str:
        return split_message(text, self._limits.max_length)[-1]

    async def show_approval(self, text: str, buttons: Buttons) -> None:
        """The answer waits for a decision: ``text`` with Approve / Deny under it."""
        await self.editor.finish(text, buttons=buttons)
        await self.target.close()
        await self.record.closed()

    async def show_without_answer(self) -> None:
        """Only the notices: the job ends without asking the model."""
        await self.target.set_status(None)
        await self.editor.finish(self._final_text())
        await self.target.close()
        await self.record.closed()

    async def show_failure(self, error: RunError) -> None:
        await self.renderer.on_failed(error)
        try:
            await self.editor.finish(self._checked_text())
            await self.target.close()
        except Exception:
            log.exception("job %d: could not show the failure notice", self._job.id)
        try:
            await self.record.closed()  # what is still open stays listed for start-up recovery
        except Exception:
            log.exception("job %d: could not record its reply", self._job.id)

    async def abandon(self) -> None:
        await self.editor.abandon()

    def _final_text(self) -> str:
        return self.renderer.final_text(self._limits.file_link_note)

    def _changed(self) -> None:
        if self.policy is None:  # under a tutor policy the text is shown once checked
            self.editor.mark_dirty()

    def _steps_changed(self) -> None:
        self.target.show_steps(self.steps.steps, self.steps.lang)
        if self.policy is None:
            self.editor.mark_dirty(beside_text=True)

    def _live_text(self) -> str:
        return self._with_steps(self.renderer.text(), final=False)

    def _with_steps(self, text: str, *, final: bool) -> str:
        """The steps line above the answer where the platform shows steps as text: live while
        it is written, one summary line once it is complete."""
        form = self._limits.steps_line
        steps = self.steps.steps
        if form is None or not steps:
            return text
        line = (steps_summary if final else steps_line)(steps, self.lang)
        return f"{form.format(steps=line)}\n{text}" if line else text

    def _checked_text(self) -> str:
        """The final text, or, under a tutor policy, a notice in place of a solution."""
        text = self._final_text()
        if self.policy is None:
            return self._with_steps(text, final=True)
        reason = self.policy.violation(text)
        if reason is None:
            return self._with_steps(text, final=True)
        log.info("job %d: answer withheld by the tutor policy (%s)", self._job.id, reason)
        return t(self.lang, "tutor.withheld", reason=reason, preset=self.policy.preset)

    def _first_text(self) -> None:
        self._metrics.first_text(self._job.platform, time.time() - self._job.created_at)

    async def _opening(self) -> None:
        await self.record.opening()

    async def _posted(self, refs: list[str]) -> None:
        await self.record.posted(refs)

    async def _upload(self, file: FileOutput) -> None:
        limit = self._limits.max_upload_bytes
        if limit is not None and len(file.data) > limit:
            self.renderer.notices_at_end(
                t(self.lang, "file.too_large_to_upload", name=file.filename)
            )
            return
        if self.record.uploaded_before(file.file_id):
            return  # posted before a restart; the answer is being followed again

        async def upload() -> None:
            await self.target.upload(file.filename, file.data)
            await self.record.uploaded(file.file_id)

        def note(exc: Exception, wait: float) -> None:
            log.info("upload of %s: %s; trying again in %.1fs", file.filename, exc, wait)

        try:
            await retrying(upload, attempts=UPLOAD_ATTEMPTS, on=_PLATFORM_BUSY, note=note)
            log.info("job %d: uploaded %s", self._job.id, file.filename)
            return
        except Exception:
            log.warning("upload of %s failed", file.filename, exc_info=True)
        self.renderer.notices_at_end(t(self.lang, "file.upload_failed", name=file.filename))
