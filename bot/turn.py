"""Answering one inbox job: the reply editor and renderer, the thread, the input, the run
(streamed, background or polled), the function-calling rounds, and the run's record."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.errors import (
    ConversationBusy,
    PlatformUnavailable,
    RateLimited,
    RunError,
    StreamInterrupted,
)
from bot.events import FileOutput, RunEventHandler, RunResult
from bot.functions import ToolContext
from bot.i18n import t
from bot.ingest import admin_data_files, code_interpreter_tool, file_search_tool, prepare_input
from bot.metrics import COMPLETED, FirstText
from bot.model_backend import ModelBackend, TurnRequest
from bot.profiles import EffectiveProfile, resolve_profile
from bot.quota import over_quota, tokens_reached
from bot.render import AnswerRenderer
from bot.reply import ReplyEditor
from bot.reply_record import ReplyRecord
from bot.tutor import TutorPolicy
from bot.types import InboundMessage, Platform, ReplyTarget
from storage.records import Job, KnowledgeFile, RunRecord, ThreadRecord, Usage

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
UPLOAD_ATTEMPTS = 3
"""Tries of a generated file's upload while the platform is rate limited or failing."""
BUSY_RETRIES = 5


class Turn:
    """Everything about answering one job: renderer, reply editor, run record."""

    def __init__(self, engine: Engine, platform: Platform, job: Job) -> None:
        self.engine = engine
        self.store = engine.store
        self.platform = platform
        self.job = job
        self.message = InboundMessage.from_payload(job.payload)
        self.target: ReplyTarget = FirstText(
            platform.reply_target(job), platform.limits.placeholder, self._first_text
        )
        limits = platform.limits
        budget = engine.budgets.get(
            platform.budget_key(job),
            limits.calls_per_window,
            limits.window,
            headers=limits.budget_from_headers,
        )
        self.renderer = AnswerRenderer(
            on_change=self._changed, on_status=self.target.set_status, on_file=self._upload
        )
        self.editor = ReplyEditor(
            self.target,
            limits,
            budget,
            source=self.renderer.text,
            refs=list(job.reply_state.get("refs", [])),
            save_refs=self._posted,
            before_post=self._opening,
        )
        self.record = ReplyRecord(self.store, job, self.target, lambda: self.editor.refs)
        self.run_record: RunRecord | None = None
        self.usage = Usage()
        self.claimed_at = time.time()
        self.lang = "en"
        self._stopped = False
        self._mode = ""
        self._response_id: str | None = None
        self._call: asyncio.Task[RunResult] | None = None
        self._admin_files: list[KnowledgeFile] = []
        self._policy: TutorPolicy | None = None
        self.backend: ModelBackend = engine.backend

    def _final_text(self) -> str:
        return self.renderer.final_text(self.platform.limits.file_link_note)

    def _changed(self) -> None:
        if self._policy is None:  # under a tutor policy the text is shown once checked
            self.editor.mark_dirty()

    def _checked_text(self) -> str:
        """The final text, or, under a tutor policy, a notice in place of a solution."""
        text = self._final_text()
        if self._policy is None:
            return text
        reason = self._policy.violation(text)
        if reason is None:
            return text
        log.info("job %d: answer withheld by the tutor policy (%s)", self.job.id, reason)
        return t(self.lang, "tutor.withheld", reason=reason, preset=self._policy.preset)

    def _first_text(self) -> None:
        self.engine.metrics.first_text(self.job.platform, time.time() - self.job.created_at)

    def _ended(self, outcome: str) -> None:
        since = time.time() - self.job.created_at
        self.engine.metrics.answer_finished(self.job.platform, outcome, since)
        # After the metrics: an operator (or a test) who sees this line sees it counted.
        log.info("job %d: ended %s, %.1f s after it was accepted", self.job.id, outcome, since)

    async def _opening(self) -> None:
        await self.record.opening()

    async def _posted(self, refs: list[str]) -> None:
        await self.record.posted(refs)

    async def _upload(self, file: FileOutput) -> None:
        limit = self.platform.limits.max_upload_bytes
        if limit is not None and len(file.data) > limit:
            self.renderer.notices_at_end(
                t(self.lang, "file.too_large_to_upload", name=file.filename)
            )
            return
        if self.record.uploaded_before(file.file_id):
            return  # posted before a restart; the answer is being followed again
        for attempt in range(1, UPLOAD_ATTEMPTS + 1):
            try:
                await self.target.upload(file.filename, file.data)
                await self.record.uploaded(file.file_id)
                log.info("job %d: uploaded %s", self.job.id, file.filename)
                return
            except (RateLimited, PlatformUnavailable) as exc:
                if attempt < UPLOAD_ATTEMPTS:
                    backoff = 0.5 * 2 ** (attempt - 1)
                    wait = exc.retry_after if isinstance(exc, RateLimited) else backoff
                    log.info("upload of %s: %s; trying again in %.1fs", file.filename, exc, wait)
                    await asyncio.sleep(wait or 1.0)
                    continue
                log.warning("upload of %s failed", file.filename, exc_info=True)
            except Exception:
                log.warning("upload of %s failed", file.filename, exc_info=True)
            break
        self.renderer.notices_at_end(t(self.lang, "file.upload_failed", name=file.filename))

    async def run(self) -> None:
        engine, job = self.engine, self.job
        self.lang = self.renderer.lang = await engine.language_of(self.message)
        await self.editor.start()
        await self.target.set_status(t(self.lang, "status.thinking"))
        profile = await resolve_profile(
            self.store,
            engine.settings,
            job.platform,
            job.workspace,
            job.channel,
            self.message.parent_channel,
        )
        self.backend = engine.backends.for_profile(profile)
        if self.backend.hosted is None:
            profile = replace(profile, run_mode="stream")  # nothing to poll or resume
        policy = TutorPolicy.from_json(profile.tutor)
        if policy is not None and policy.active():
            self._policy = policy
            if policy.preset == "exam":  # its code and logs would show a solution as it runs
                tools = tuple(t_ for t_ in profile.tools if t_ != "code_interpreter")
                profile = replace(profile, tools=tools)
        thread = await self._thread(profile)
        if "code_interpreter" in profile.tools and self.backend.hosted is not None:
            self._admin_files = await admin_data_files(
                self.store,
                job.platform,
                job.workspace,
                (self.message.parent_channel, job.channel),
            )
        base = TurnRequest(
            conversation_id=thread.conversation_id,
            model=profile.model,
            instructions=profile.instructions
            + _data_files_note(self._admin_files)
            + (f"\n\n{self._policy.instructions()}" if self._policy is not None else ""),
            input=[],
            metadata={
                "platform": job.platform,
                "workspace": job.workspace[:64],
                "channel": job.channel[:64],
                "job": str(job.id),
            },
            safety_identifier=_safety_id(job),
        )
        previous = await self.store.latest_run(job.id)
        if previous is not None and previous.status == "in_progress":
            if previous.response_id:
                self.run_record = previous
                log.info("job %d: following response %s again", job.id, previous.response_id)
                result = await self._follow_again(previous)
                base = replace(base, tools=await self._tools(profile, thread))
                await self._finish(await self._tool_rounds(result, base, profile))
                return
            await self.store.finish_run(previous.id, "interrupted")
        if job.attempts > MAX_ATTEMPTS:
            raise RunError(
                "too many attempts", key="answer.interrupted", p=self.platform.limits.command_prefix
            )
        refusal = await over_quota(
            self.store,
            self.message,
            lang=self.lang,
            command_prefix=self.platform.limits.command_prefix,
        )
        if refusal is not None:
            log.info("job %d declined: %s is over quota", job.id, job.user)
            self.renderer.notices.append(refusal)
            await self._close_without_answer()
            await self.store.finish_job(job.id, "failed", "over quota")
            self._ended("over_quota")
            return
        prepared = await prepare_input(
            self.message,
            thread,
            platform=self.platform,
            backend=self.backend,
            store=self.store,
            settings=engine.settings,
            lang=self.lang,
        )
        thread = await self._thread(profile)  # a first document gave it a vector store
        self.renderer.notices.extend(prepared.notices)
        if not prepared.items:
            if not prepared.notices:
                self.renderer.notices.append(t(self.lang, "answer.empty_message"))
            await self._close_without_answer()
            await self.store.finish_job(job.id, "answered")
            self._ended(COMPLETED)
            return
        # Tools after the input: a file attached now is in the container from this turn on.
        base = replace(base, tools=await self._tools(profile, thread))
        request = replace(base, input=prepared.items)
        self.run_record = await self.store.start_run(job.id, thread.id, profile.run_mode)
        result = await self._with_busy_retry(request, profile)
        await self._finish(await self._tool_rounds(result, base, profile))

    async def _follow_again(self, previous: RunRecord) -> RunResult:
        """A run in flight at the last stop. A background response is polled to its end; a
        streamed one cannot be resumed or cancelled, so it is polled only while it makes
        progress (the server may finish it, or leave it in progress for good)."""
        assert previous.response_id is not None
        backend = self.engine.backend
        if previous.mode in ("background", "poll"):
            return await backend.follow(previous.response_id, self.renderer)
        try:
            return await backend.follow(
                previous.response_id,
                self.renderer,
                stall_timeout=self.engine.settings.openai_timeout,
            )
        except StreamInterrupted as exc:
            raise RunError(
                str(exc), key="answer.interrupted", p=self.platform.limits.command_prefix
            ) from exc

    async def _close_without_answer(self) -> None:
        await self.target.set_status(None)
        await self.editor.finish(self._final_text())
        await self.target.close()
        await self.record.closed()

    async def stop(self) -> None:
        """The person asked to stop: cancel a background response on the server (the poll
        then sees it end), or close the stream; what was shown stays, marked as stopped."""
        self._stopped = True
        if self._mode in ("background", "poll"):
            if self._response_id is None:
                return  # _checkpoint cancels it as soon as its id is known
            await self.engine.backend.cancel(self._response_id)
        if self._mode != "poll" and self._call is not None:
            self._call.cancel()

    async def _interruptible(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        self._mode = profile.run_mode
        self._call = asyncio.create_task(self._start(request, profile))
        try:
            return await self._call
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._stopped or (current is not None and current.cancelling()):
                raise
            result = RunResult(self._response_id or "", "cancelled", self.renderer.text())
            await self.renderer.on_done(result)
            return result
        finally:
            self._call = None

    async def _tool_rounds(
        self, result: RunResult, base: TurnRequest, profile: EffectiveProfile
    ) -> RunResult:
        """The function-calling loop: run what the model asked for, send the outputs back,
        until it answers without calls. Past ``MAX_TOOL_ROUNDS``, calls get an error output
        instead and the functions are taken away; a model (or a compatible service) that keeps
        calling anyway is stopped at ``MAX_MODEL_ROUNDS`` requests for the question, and the
        answer ends with a sentence saying so. Every round's tokens count (``_count``)."""
        functions = self.engine.functions
        limit = self.engine.settings.max_tool_rounds
        hard_cap = self.engine.settings.max_model_rounds
        context = ToolContext(
            self.job.platform,
            self.job.workspace,
            self.job.channel,
            self.job.user,
            self.message.user_name,
            language=self.lang,
        )
        rounds = 0
        while result.function_calls:
            if rounds + 1 >= hard_cap:  # the first request and ``rounds`` more were made
                log.warning(
                    "job %d: stopped after %d model requests; the model kept calling functions",
                    self.job.id,
                    rounds + 1,
                )
                self.renderer.notices_at_end(t(self.lang, "answer.round_limit", n=rounds + 1))
                return replace(result, status="incomplete", function_calls=())
            spent = (
                self.usage.input_tokens
                + self.usage.output_tokens
                + result.input_tokens
                + result.output_tokens
            )
            reached = await tokens_reached(self.store, self.message, lang=self.lang, spent=spent)
            if reached is not None:
                log.info("job %d: stopped at %s's daily token limit", self.job.id, self.job.user)
                self.renderer.notices_at_end(reached)
                return replace(result, status="incomplete", function_calls=())
            rounds += 1
            self._count(result)
            outputs = []
            for call in result.function_calls:
                if rounds > limit:
                    output = json.dumps(
                        {
                            "error": "too many function calls in one answer; "
                            "answer with what you have"
                        }
                    )
                else:
                    output = await functions.call(call, context)
                outputs.append(
                    {"type": "function_call_output", "call_id": call.call_id, "output": output}
                )
            tools = (
                base.tools
                if rounds <= limit
                else [t for t in base.tools if t.get("type") != "function"]
            )
            request = replace(base, input=outputs, tools=tools)
            result = await self._with_busy_retry(request, profile)
        return result

    async def _start(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        handler: RunEventHandler = self.renderer
        hosted = self.backend.hosted
        if hosted is not None and profile.run_mode == "poll":
            return await hosted.background_turn(request, handler, self._checkpoint)
        if hosted is not None and profile.run_mode == "background":
            return await hosted.background_stream_turn(request, handler, self._checkpoint)
        return await self.backend.stream_turn(request, handler, self._checkpoint)

    def _count(self, result: RunResult) -> None:
        self.usage = Usage(
            self.usage.input_tokens + result.input_tokens,
            self.usage.output_tokens + result.output_tokens,
        )

    async def _with_busy_retry(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        for attempt in range(BUSY_RETRIES):
            try:
                result = await self._interruptible(request, profile)
            except ConversationBusy:
                if attempt == BUSY_RETRIES - 1:
                    raise
                log.info("job %d: conversation busy, waiting", self.job.id)
                await asyncio.sleep(0.5 * 2**attempt)
                continue
            self.engine.metrics.model_response(
                profile.model, result.status, result.input_tokens, result.output_tokens
            )
            return result
        raise AssertionError("unreachable")

    async def _checkpoint(self, response_id: str, sequence: int | None) -> None:
        assert self.run_record is not None
        first = self._response_id is None
        self._response_id = response_id
        if first and self._stopped and self._mode in ("background", "poll"):
            await self.engine.backend.cancel(response_id)
            if self._mode == "background" and self._call is not None:
                self._call.cancel()
        await self.store.update_run(
            self.run_record.id, response_id=response_id, last_sequence=sequence
        )
        if first:
            log.info("job %d: following response %s", self.job.id, response_id)

    async def _finish(self, result: RunResult) -> None:
        assert self.run_record is not None
        await self.editor.finish(self._checked_text())
        await self.target.close()
        await self.record.closed()
        self._count(result)
        await self.store.finish_run(self.run_record.id, result.status, self.usage)
        await self.store.finish_job(self.job.id, "answered")
        self._ended(COMPLETED)

    async def fail(self, error: RunError) -> None:
        log.warning("job %d failed: %s", self.job.id, error)
        await self.renderer.on_failed(error)
        try:
            await self.editor.finish(self._checked_text())
            await self.target.close()
        except Exception:
            log.exception("job %d: could not show the failure notice", self.job.id)
        try:
            await self.record.closed()  # what is still open stays listed for start-up recovery
        except Exception:
            log.exception("job %d: could not record its reply", self.job.id)
        if self.run_record is not None:
            await self.store.finish_run(
                self.run_record.id, "failed", self.usage, error=str(error)[:500]
            )
        await self.store.finish_job(self.job.id, "failed", str(error)[:500])
        self._ended(type(error).__name__)

    async def abandon(self) -> None:
        await self.editor.abandon()

    async def _thread(self, profile: EffectiveProfile) -> ThreadRecord:
        job = self.job
        # Each API keeps its own thread: a conversation of one means nothing to the other.
        key = profile.key if self.backend.api == "responses" else f"{profile.key}|chat"
        thread = await self.store.get_thread(job.platform, job.workspace, job.user, key)
        if thread is not None:
            await self.store.touch_thread(thread.id)
            return thread
        conversation_id = await self.backend.create_conversation(
            {"platform": job.platform, "workspace": job.workspace[:64], "user": job.user[:64]}
        )
        return await self.store.create_thread(
            job.platform, job.workspace, job.user, key, conversation_id
        )

    async def _tools(self, profile: EffectiveProfile, thread: ThreadRecord) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        if self.backend.hosted is None:
            return self.engine.functions.tools(profile.tools)  # no hosted tools there
        if "code_interpreter" in profile.tools:
            tools.append(await code_interpreter_tool(self.store, thread, self._admin_files))
        if "file_search" in profile.tools:
            channel = self.message.parent_channel or self.job.channel
            search = await file_search_tool(self.store, thread, channel)
            if search is not None:
                tools.append(search)
        tools.extend(self.engine.functions.tools(profile.tools, self.job.platform))
        return tools


def _data_files_note(files: list[KnowledgeFile]) -> str:
    """Tell the model about the admins' data files (for the model: always English)."""
    if not files:
        return ""
    names = ", ".join(sorted({f.filename for f in files}))
    return (
        f"\n\nData files provided for everyone here, in /mnt/data/ when you run Python: {names}."
        " Use them to answer questions about their contents."
    )


def _safety_id(job: Job) -> str:
    return hashlib.sha256(f"{job.platform}:{job.workspace}:{job.user}".encode()).hexdigest()
