"""Answering one inbox job, in the seed's steps: the profile, the conversation, the input
(ingest), the run, rendering it into the reply, and the record. Each step's details live in
its own module (``turn_setup``, ``ingest``, ``turn_model``, ``turn_output``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.errors import RunError
from bot.events import RunResult
from bot.i18n import t
from bot.ingest import prepare_input
from bot.mcp import channel_servers, mcp_tools
from bot.mcp_approvals import approval_buttons, approval_inputs, pending_approvals, prompt_text
from bot.metrics import COMPLETED
from bot.model_backend import TurnRequest
from bot.quota import over_quota
from bot.turn_deps import TurnDeps
from bot.turn_model import ModelRun
from bot.turn_output import TurnOutput
from bot.turn_setup import (
    Plan,
    base_request,
    open_thread,
    plan_turn,
    request_tools,
    unavailable_tools,
)
from bot.types import InboundMessage, Platform
from storage.records import Job, ThreadRecord

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class Turn:
    """Everything about answering one job: what is shown (``output``) and the model's run."""

    def __init__(self, deps: TurnDeps, platform: Platform, job: Job) -> None:
        self.deps = deps
        self.store = deps.store
        self.platform = platform
        self.job = job
        self.message = InboundMessage.from_payload(job.payload)
        self.output = TurnOutput(deps, platform, job)
        self.model = ModelRun(deps, job, self.message, self.output)
        self.claimed_at = time.time()
        self.plan: Plan | None = None
        self.approvals_waiting: Callable[[], None] = lambda: None
        """Told when the answer waits for approvals (the engine's expiry clock)."""

    async def run(self) -> None:
        """The seed's steps: profile → conversation → ingest → run (→ render → record)."""
        plan = await self._profile()
        thread = await open_thread(self.store, plan.backend, self.job, plan.profile)
        base = base_request(plan, thread, self.job)
        if await self._followed_again(plan, thread, base) or not await self._may_answer(plan):
            return
        if self.message.continues:  # a decision on MCP tool calls: no new question
            await self._continue(plan, thread, base)
            return
        ingested = await self._ingest(plan, thread)
        if ingested is None:
            return
        thread, items = ingested
        base = replace(base, tools=await self._tools(plan, thread))
        self.model.record = await self.store.start_run(
            self.job.id, thread.id, plan.profile.run_mode
        )
        result = await self.model.ask(replace(base, input=items), plan.profile)
        await self._finish(await self.model.tool_rounds(result, base, plan.profile))

    async def _profile(self) -> Plan:
        """The person's language, the placeholder, then the profile, backend and policy."""
        output = self.output
        output.set_language(await self.deps.languages.language_of(self.message))
        await output.start()
        plan = self.plan = await plan_turn(self.deps, self.job, self.message)
        self.model.backend = plan.backend
        output.policy = plan.policy
        output.profile_key = plan.profile.key
        return plan

    async def _may_answer(self, plan: Plan) -> bool:
        """False when the person is over a quota (already told); tools the backend lacks
        become a notice."""
        if self.job.attempts > MAX_ATTEMPTS:
            raise RunError("too many attempts", key="answer.interrupted", p=self._prefix)
        if await self._declined_over_quota():
            return False
        missing = unavailable_tools(plan)
        if missing:
            lang = self.output.lang
            tools = ", ".join(t(lang, f"tool.{name}") for name in missing)
            self.output.renderer.notices.append(t(lang, "answer.tools_unavailable", tools=tools))
        return True

    async def _ingest(
        self, plan: Plan, thread: ThreadRecord
    ) -> tuple[ThreadRecord, list[dict[str, Any]]] | None:
        """The message and its files as model input, and the thread again (a first document
        gave it a vector store); None when there is nothing to ask (the reply says why)."""
        output = self.output
        prepared = await prepare_input(
            self.message,
            thread,
            platform=self.platform,
            backend=plan.backend,
            store=self.store,
            settings=self.deps.settings,
            lang=output.lang,
        )
        output.renderer.notices.extend(prepared.notices)
        if not prepared.items:
            if not prepared.notices:
                output.renderer.notices.append(t(output.lang, "answer.empty_message"))
            await output.show_without_answer()
            await self.store.finish_job(self.job.id, "answered")
            self._ended(COMPLETED)
            return None
        return await open_thread(self.store, plan.backend, self.job, plan.profile), prepared.items

    async def _followed_again(self, plan: Plan, thread: ThreadRecord, base: TurnRequest) -> bool:
        """A run of this job was in flight at the last stop: follow its response to the end
        (True), or mark it interrupted when it never got one (False: ask again)."""
        previous = await self.store.latest_run(self.job.id)
        if previous is None or previous.status != "in_progress":
            return False
        if not previous.response_id:
            await self.store.finish_run(previous.id, "interrupted")
            return False
        log.info("job %d: following response %s again", self.job.id, previous.response_id)
        result = await self.model.follow_again(previous, self._prefix)
        base = replace(base, tools=await self._tools(plan, thread))
        await self._finish(await self.model.tool_rounds(result, base, plan.profile))
        return True

    async def _declined_over_quota(self) -> bool:
        refusal = await over_quota(
            self.store, self.message, lang=self.output.lang, command_prefix=self._prefix
        )
        if refusal is None:
            return False
        log.info("job %d declined: %s is over quota", self.job.id, self.job.user)
        self.output.renderer.notices.append(refusal)
        await self.output.show_without_answer()
        await self.store.finish_job(self.job.id, "failed", "over quota")
        self._ended("over_quota")
        return True

    async def _continue(self, plan: Plan, thread: ThreadRecord, base: TurnRequest) -> None:
        """The answer goes on with the person's decisions (``mcp_approval_response``)."""
        base = replace(base, tools=await self._tools(plan, thread))
        self.model.record = await self.store.start_run(
            self.job.id, thread.id, plan.profile.run_mode
        )
        request = replace(base, input=approval_inputs(self.message.continues))
        result = await self.model.ask(request, plan.profile)
        await self._finish(await self.model.tool_rounds(result, base, plan.profile))

    async def _tools(self, plan: Plan, thread: ThreadRecord) -> list[dict[str, Any]]:
        tools = await request_tools(
            self.store, self.deps.functions, plan, thread, self.job, self.message
        )
        job, lang = self.job, self.output.lang
        mcp, notices = await mcp_tools(
            self.store,
            job.platform,
            job.workspace,
            self._channels,
            responses_api=plan.backend.api == "responses",
            lang=lang,
        )
        for notice in notices:
            if notice not in self.output.renderer.notices:
                self.output.renderer.notices.append(notice)
        return tools + mcp

    @property
    def _channels(self) -> tuple[str, str]:
        """Where MCP servers are looked up, least specific first (after the workspace)."""
        return (self.message.parent_channel, self.job.channel)

    @property
    def _prefix(self) -> str:
        return self.platform.limits.command_prefix

    async def stop(self) -> None:
        await self.model.stop()

    async def _finish(self, result: RunResult) -> None:
        model = self.model
        assert model.record is not None
        if result.approvals:
            await self._ask_approval(result)
        else:
            await self.output.show()
        model.count(result)
        await self.store.finish_run(model.record.id, result.status, model.usage)
        await self.store.finish_job(self.job.id, "answered")
        self._ended(COMPLETED)

    async def _ask_approval(self, result: RunResult) -> None:
        """The answer waits for a person's decision on MCP tool calls: recorded first (a
        click must find them), then shown with Approve / Deny."""
        assert self.plan is not None
        job, lang = self.job, self.output.lang
        servers = await channel_servers(self.store, job.platform, job.workspace, self._channels)
        timeout = self.deps.settings.mcp_approval_timeout
        shown = self.output.with_prompt(prompt_text(lang, result.approvals, timeout))
        approvals = pending_approvals(
            job,
            result.response_id,
            result.approvals,
            approvers={s.label: s.approvers for s in servers},
            prompt=self.output.last_page(shown),
            timeout=timeout,
        )
        await self.store.add_approvals(approvals)
        log.info(
            "job %d: waiting for approval of %s",
            job.id,
            ", ".join(f"{a.server_label}/{a.name}" for a in result.approvals),
        )
        await self.output.show_approval(shown, approval_buttons(lang, approvals[0].answers))
        self.approvals_waiting()

    async def fail(self, error: RunError) -> None:
        log.warning("job %d failed: %s", self.job.id, error)
        await self.output.show_failure(error)
        if self.model.record is not None:
            await self.store.finish_run(
                self.model.record.id, "failed", self.model.usage, error=str(error)[:500]
            )
        await self.store.finish_job(self.job.id, "failed", str(error)[:500])
        self._ended(type(error).__name__)

    async def abandon(self) -> None:
        await self.output.abandon()

    def _ended(self, outcome: str) -> None:
        since = time.time() - self.job.created_at
        self.deps.metrics.answer_finished(self.job.platform, outcome, since)
        # After the metrics: an operator (or a test) who sees this line sees it counted.
        log.info("job %d: ended %s, %.1f s after it was accepted", self.job.id, outcome, since)
