"""The first steps of a turn: the profile (and the model backend and tutor policy it picks),
the person's conversation, and the request every model round of the turn starts from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.config import RunMode
from bot.functions import FunctionRegistry
from bot.hosted_output import SEARCH_AND_IMAGES
from bot.ingest import admin_data_files, code_interpreter_tool, file_search_tool
from bot.model_backend import ModelBackend, TurnRequest
from bot.places import place
from bot.ports import Conversations, Knowledge
from bot.profiles import EffectiveProfile, resolve_profile
from bot.turn_deps import TurnDeps
from bot.tutor import TutorPolicy
from bot.types import InboundMessage
from storage.records import Job, KnowledgeFile, ThreadRecord


@dataclass(frozen=True)
class Plan:
    """How this job is answered: the effective profile and what it decides."""

    profile: EffectiveProfile
    backend: ModelBackend
    policy: TutorPolicy | None
    admin_files: list[KnowledgeFile]
    """The admins' data files for code interpreter (hosted backends only)."""
    reasoning_summary: str | None = None


async def plan_turn(deps: TurnDeps, job: Job, message: InboundMessage) -> Plan:
    profile = await resolve_profile(deps.store, deps.settings, *place(job), message.parent_channel)
    backend = deps.backends.for_profile(profile)
    if backend.hosted is None:
        profile = replace(profile, run_mode=RunMode.STREAM)  # nothing to poll or resume
    policy = TutorPolicy.from_json(profile.tutor)
    if policy is not None and not policy.active():
        policy = None
    if policy is not None and policy.preset == "exam":
        # Its code and logs would show a solution as it runs.
        tools = tuple(t_ for t_ in profile.tools if t_ != "code_interpreter")
        profile = replace(profile, tools=tools)
    admin_files: list[KnowledgeFile] = []
    if "code_interpreter" in profile.tools and backend.hosted is not None:
        admin_files = await admin_data_files(
            deps.store, job.platform, job.workspace, (message.parent_channel, job.channel)
        )
    summary = deps.settings.assistant_reasoning_summary
    reasoning_summary = summary if summary != "off" and backend.api == "responses" else None
    return Plan(profile, backend, policy, admin_files, reasoning_summary)


async def open_thread(
    store: Conversations, backend: ModelBackend, job: Job, profile: EffectiveProfile
) -> ThreadRecord:
    """The person's conversation for this profile, created on first use."""
    # Each API keeps its own thread: a conversation of one means nothing to the other.
    key = profile.key if backend.api == "responses" else f"{profile.key}|chat"
    thread = await store.get_thread(job.platform, job.workspace, job.user, key)
    if thread is not None:
        await store.touch_thread(thread.id)
        return thread
    conversation_id = await backend.create_conversation(
        {"platform": job.platform, "workspace": job.workspace[:64], "user": job.user[:64]}
    )
    return await store.create_thread(job.platform, job.workspace, job.user, key, conversation_id)


def base_request(plan: Plan, thread: ThreadRecord, job: Job) -> TurnRequest:
    """The request without input or tools: what every round of the turn sends."""
    profile, policy = plan.profile, plan.policy
    return TurnRequest(
        conversation_id=thread.conversation_id,
        model=profile.model,
        instructions=profile.instructions
        + _data_files_note(plan.admin_files)
        + (f"\n\n{policy.instructions()}" if policy is not None else ""),
        input=[],
        metadata={
            "platform": job.platform,
            "workspace": job.workspace[:64],
            "channel": job.channel[:64],
            "job": str(job.id),
        },
        safety_identifier=_safety_id(job),
        reasoning_summary=plan.reasoning_summary,
    )


class ToolStore(Conversations, Knowledge, Protocol):
    """Where a thread's files and the knowledge bases are kept."""


async def request_tools(
    store: ToolStore,
    functions: FunctionRegistry,
    plan: Plan,
    thread: ThreadRecord,
    job: Job,
    message: InboundMessage,
) -> list[dict[str, Any]]:
    """The tools of this turn's requests, after the input: a file attached now is in the
    container from this turn on."""
    profile = plan.profile
    if plan.backend.hosted is None:
        return functions.tools(profile.tools)  # no hosted tools there
    tools: list[dict[str, Any]] = []
    if "code_interpreter" in profile.tools:
        tools.append(await code_interpreter_tool(store, thread, plan.admin_files))
    if "file_search" in profile.tools:
        channel = message.parent_channel or job.channel
        search = await file_search_tool(store, thread, channel)
        if search is not None:
            tools.append(search)
    tools.extend(dict(tool) for name, tool in SEARCH_AND_IMAGES.items() if name in profile.tools)
    tools.extend(functions.tools(profile.tools, job.platform))
    return tools


def unavailable_tools(plan: Plan) -> list[str]:
    """The profile's web search and image generation, when its backend has neither."""
    if plan.backend.hosted is not None:
        return []
    return [name for name in SEARCH_AND_IMAGES if name in plan.profile.tools]


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
