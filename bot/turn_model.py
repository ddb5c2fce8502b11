"""The run step of a turn: the model's rounds (streamed, background or polled), the
function-calling loop between them, following a response again after a restart, and stopping
a run the person asked to stop."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace

from bot.backoff import retrying
from bot.errors import ConversationBusy, RunError, StreamInterrupted
from bot.events import RunEventHandler, RunResult
from bot.functions import ToolContext
from bot.i18n import t
from bot.model_backend import ModelBackend, TurnRequest
from bot.places import place
from bot.profiles import EffectiveProfile
from bot.quota import counted_tokens, tokens_reached
from bot.turn_deps import TurnDeps
from bot.turn_output import TurnOutput
from bot.types import InboundMessage
from storage.records import Job, RunRecord, Usage

log = logging.getLogger(__name__)

BUSY_RETRIES = 5


class ModelRun:
    """The model's side of one answer: its rounds, their usage, and the run's record."""

    def __init__(
        self, deps: TurnDeps, job: Job, message: InboundMessage, output: TurnOutput
    ) -> None:
        self._deps = deps
        self._job = job
        self._message = message
        self._output = output
        self.backend: ModelBackend = deps.backends.responses
        """The profile's backend, once the profile is known."""
        self.record: RunRecord | None = None
        self.usage = Usage()
        self._stopped = False
        self._mode = ""
        self._response_id: str | None = None
        self._call: asyncio.Task[RunResult] | None = None

    async def follow_again(self, previous: RunRecord, command_prefix: str) -> RunResult:
        """A run in flight at the last stop. A background response is polled to its end; a
        streamed one cannot be resumed or cancelled, so it is polled only while it makes
        progress (the server may finish it, or leave it in progress for good)."""
        assert previous.response_id is not None
        self.record = previous
        backend, renderer = self._deps.backends.responses, self._output.renderer
        if previous.mode in ("background", "poll"):
            return await backend.follow(previous.response_id, renderer)
        try:
            return await backend.follow(
                previous.response_id, renderer, stall_timeout=self._deps.settings.openai_timeout
            )
        except StreamInterrupted as exc:
            raise RunError(str(exc), key="answer.interrupted", p=command_prefix) from exc

    async def stop(self) -> None:
        """The person asked to stop: cancel a background response on the server (the poll
        then sees it end), or close the stream; what was shown stays, marked as stopped."""
        self._stopped = True
        if self._mode in ("background", "poll"):
            if self._response_id is None:
                return  # _checkpoint cancels it as soon as its id is known
            await self._deps.backends.responses.cancel(self._response_id)
        if self._mode != "poll" and self._call is not None:
            self._call.cancel()

    async def ask(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        """One model round; a conversation still busy with the round before is waited for."""
        result = await retrying(
            lambda: self._interruptible(request, profile),
            attempts=BUSY_RETRIES,
            on=(ConversationBusy,),
            note=lambda _, wait: log.info("job %d: conversation busy, waiting", self._job.id),
        )
        self._deps.metrics.model_response(
            profile.model, result.status, result.input_tokens, result.output_tokens
        )
        return result

    async def tool_rounds(
        self, result: RunResult, base: TurnRequest, profile: EffectiveProfile
    ) -> RunResult:
        """The function-calling loop: run what the model asked for, send the outputs back,
        until it answers without calls. Past ``max_tool_rounds``, calls get an error output
        instead and the functions are taken away; a model (or a compatible service) that keeps
        calling anyway is stopped at ``max_model_rounds`` requests for the question, and the
        answer ends with a sentence saying so. Every round's tokens count (``count``)."""
        functions, settings = self._deps.functions, self._deps.settings
        limit, hard_cap = settings.max_tool_rounds, settings.max_model_rounds
        job, lang, renderer = self._job, self._output.lang, self._output.renderer
        context = ToolContext(*place(job), job.user, self._message.user_name, language=lang)
        rounds = 0
        while result.function_calls:
            if rounds + 1 >= hard_cap:  # the first request and ``rounds`` more were made
                log.warning(
                    "job %d: stopped after %d model requests; the model kept calling functions",
                    job.id,
                    rounds + 1,
                )
                renderer.notices_at_end(t(lang, "answer.round_limit", n=rounds + 1))
                return replace(result, status="incomplete", function_calls=())
            spent = counted_tokens(self.usage) + counted_tokens(result)
            reached = await tokens_reached(self._deps.store, self._message, lang=lang, spent=spent)
            if reached is not None:
                log.info("job %d: stopped at %s's daily token limit", job.id, job.user)
                renderer.notices_at_end(reached)
                return replace(result, status="incomplete", function_calls=())
            rounds += 1
            self.count(result)
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
            result = await self.ask(replace(base, input=outputs, tools=tools), profile)
        return result

    def count(self, result: RunResult) -> None:
        self.usage = Usage(
            self.usage.input_tokens + result.input_tokens,
            self.usage.output_tokens + result.output_tokens,
            self.usage.web_searches + result.web_searches,
            self.usage.images + result.images,
        )

    async def _interruptible(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        self._mode = profile.run_mode
        self._call = asyncio.create_task(self._start(request, profile))
        try:
            return await self._call
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._stopped or (current is not None and current.cancelling()):
                raise
            renderer = self._output.renderer
            result = RunResult(
                response_id=self._response_id or "", status="cancelled", text=renderer.text()
            )
            await renderer.on_done(result)
            return result
        finally:
            self._call = None

    async def _start(self, request: TurnRequest, profile: EffectiveProfile) -> RunResult:
        handler: RunEventHandler = self._output.renderer
        hosted = self.backend.hosted
        if hosted is not None and profile.run_mode == "poll":
            return await hosted.background_turn(request, handler, self._checkpoint)
        if hosted is not None and profile.run_mode == "background":
            return await hosted.background_stream_turn(request, handler, self._checkpoint)
        return await self.backend.stream_turn(request, handler, self._checkpoint)

    async def _checkpoint(self, response_id: str, sequence: int | None) -> None:
        assert self.record is not None
        first = self._response_id is None
        self._response_id = response_id
        if first and self._stopped and self._mode in ("background", "poll"):
            await self._deps.backends.responses.cancel(response_id)
            if self._mode == "background" and self._call is not None:
                self._call.cancel()
        await self._deps.store.update_run(
            self.record.id, response_id=response_id, last_sequence=sequence
        )
        if first:
            log.info("job %d: following response %s", self._job.id, response_id)
