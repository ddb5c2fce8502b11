"""The records the Store keeps: plain frozen dataclasses, no behaviour. A field's column has
its name (``user``'s is ``user_id``); a tuple or dict field's holds JSON (``storage.dialect``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

JobStatus = Literal["queued", "running", "answered", "failed"]
RunStatus = Literal["in_progress", "completed", "failed", "incomplete", "cancelled", "interrupted"]
FileKind = Literal["container", "vector", "input"]
KnowledgeKind = Literal["document", "data"]

DELETION_LEASE = 600.0
"""Seconds a claimed deletion of a thread is left to its claimer before another may retry."""

WORKSPACE_DEFAULT = ""
"""The ``channel`` of a profile that applies to the whole workspace/guild."""

CONTINUATION_EVENT = "mcp:"
"""How the ``event_id`` of a job continuing an answer (a decision on MCP tool calls,
``bot.mcp_approvals.decide``) begins: such a job is no new message in the daily counts."""


def thread_key(platform: str, workspace: str, user: str) -> str:
    """What serialises a person's turns: one answer at a time per person and workspace."""
    return f"{platform}:{workspace}:{user}"


@dataclass(frozen=True)
class InWorkspace:
    """Where a record applies: a workspace (Slack team, Discord guild) of a platform."""

    platform: str
    workspace: str


@dataclass(frozen=True)
class InChannel(InWorkspace):
    """Where a record applies: a channel of a workspace."""

    channel: str


@dataclass(frozen=True)
class ByPerson(InChannel):
    """What a person did in a channel (the person's column is ``user_id``)."""

    user: str


@dataclass(frozen=True, kw_only=True)
class Added:
    """Who added a record (an admin's command) and when."""

    added_by: str = ""
    added_at: float = 0.0


@dataclass(frozen=True)
class Profile(InChannel):
    """Assistant settings for a workspace/guild, or an override for one channel.

    A ``None`` value means "inherit" (from the workspace profile, then the bot's settings).
    """

    channel: str = WORKSPACE_DEFAULT
    model: str | None = None
    instructions: str | None = None
    tools: tuple[str, ...] | None = None
    run_mode: str | None = None
    updated_by: str = ""
    updated_at: float = 0.0
    language: str | None = None
    prompts: str | None = None
    """Suggested prompts an admin wrote, one a line (``title | message`` or a message)."""
    model_api: str | None = None
    """``responses`` or ``chat_completions``; ``None`` = the deployment's ``MODEL_API``."""
    base_url: str | None = None
    """A Chat Completions server (one of ``MODEL_BASE_URLS``); ``None`` = ``OPENAI_BASE_URL``."""
    retention_days: int | None = None
    """Workspace profiles only: idle conversations older than this are deleted."""
    tutor: str | None = None
    """A tutor policy as JSON (``bot.tutor``); None = inherit."""


@dataclass(frozen=True)
class Viewing:
    """What a person last looked at in the platform's client: a channel, or a thread in it."""

    channel: str
    thread_ts: str = ""
    at: float = 0.0


@dataclass(frozen=True)
class ProfileChange(InChannel):
    """One admin change of one profile field; values are JSON (``null`` = inherit)."""

    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    changed_at: float = 0.0
    id: int = 0


@dataclass(frozen=True, kw_only=True)
class DailyLimits:
    """Per-person daily limits, and who set them when."""

    messages_per_day: int | None = None
    tokens_per_day: int | None = None
    updated_by: str = ""
    updated_at: float = 0.0


@dataclass(frozen=True)
class Quota(DailyLimits, InChannel):
    """The limits of a workspace ('' channel) or one channel; None = no limit."""

    channel: str = WORKSPACE_DEFAULT


@dataclass(frozen=True)
class RoleQuota(DailyLimits, InWorkspace):
    """The limits of people with one role; None = this role sets no such limit, 0 = no limit
    for them."""

    role: str


@dataclass(frozen=True)
class Usage:
    """What a run used: the model's tokens and the hosted tools it called."""

    input_tokens: int = 0
    output_tokens: int = 0
    web_searches: int = 0
    """Hosted tool calls, billed per call: web searches made, images generated."""
    images: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, kw_only=True)
class UserUsage(Usage):
    """One person's usage: the messages answered and what answering them used."""

    user: str
    messages: int


@dataclass(frozen=True, kw_only=True)
class DailyUsage(UserUsage):
    """One person's usage on one day (UTC, ``YYYY-MM-DD``)."""

    day: str


@dataclass(frozen=True)
class ThreadRecord(InWorkspace):
    """One person's assistant thread: an OpenAI conversation."""

    id: int
    user: str
    profile_key: str
    conversation_id: str
    created_at: float
    last_used_at: float
    vector_store_id: str | None = None


@dataclass(frozen=True)
class KnowledgeFile(Added, InChannel):
    """A file an admin added for a whole workspace (``channel`` '') or one channel: a
    ``document`` in its knowledge base, or a ``data`` file for the code interpreter."""

    file_id: str
    filename: str
    kind: KnowledgeKind = "document"


@dataclass(frozen=True)
class ThreadFile:
    """A file of a person's thread: sent with a message (``input``), in the code interpreter's
    container (``container``) or in the thread's vector store (``vector``)."""

    thread_id: int
    file_id: str
    filename: str
    kind: FileKind
    created_at: float = 0.0


@dataclass(frozen=True)
class NewJob(ByPerson):
    """An inbound message as an adapter hands it to the inbox."""

    event_id: str
    payload: dict[str, Any]
    thread_key: str = ""


@dataclass(frozen=True, kw_only=True)
class Job(NewJob):
    """An inbound message in the inbox, and how answering it goes."""

    id: int
    status: JobStatus
    attempts: int
    reply_state: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


class JobFilters(TypedDict, total=False):
    """Which finished jobs ``Privacy.delete_jobs`` deletes: a person's, a workspace's, those
    created before a time; ``None`` or left out, any."""

    user: str | None
    workspace: str | None
    before: float | None


@dataclass(frozen=True, kw_only=True)
class RunRecord(Usage):
    """One try at answering a job, and what it used."""

    id: int
    job_id: int
    thread_id: int
    mode: str
    status: RunStatus
    response_id: str | None = None
    last_sequence: int | None = None
    error: str | None = None
    started_at: float = 0.0
    finished_at: float | None = None


@dataclass(frozen=True)
class ChatMessage:
    """One message of a thread kept by us (Chat Completions backend), in the API's JSON shape;
    ``tokens`` is its estimated size, for trimming the history to a budget."""

    conversation_id: str
    message: dict[str, Any]
    tokens: int
    id: int = 0
    created_at: float = 0.0


Rating = Literal["up", "down"]


@dataclass(frozen=True)
class Feedback(ByPerson):
    """A person's thumbs up or down on an answer (the inbox job it answered)."""

    job_id: int
    rating: Rating
    profile: str = ""
    response_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(frozen=True)
class FeedbackCount:
    """Ratings of one profile's answers (``profile`` '' is the workspace's own)."""

    profile: str
    up: int
    down: int


ApprovalStatus = Literal["pending", "approved", "denied", "expired"]


@dataclass(frozen=True)
class McpServer(Added, InChannel):
    """A remote MCP server of a profile (``channel`` '' is the workspace's). ``headers`` maps
    each header's name to the environment variable that holds its value."""

    label: str
    url: str
    allowed_tools: tuple[str, ...] | None = None
    require_approval: Literal["always", "never"] = "always"
    headers: dict[str, str] = field(default_factory=dict)
    approvers: Literal["asker", "admins"] = "asker"
    """Who may answer its approval requests: the person who asked, or also the admins."""


@dataclass(frozen=True)
class McpApproval(ByPerson):
    """An MCP tool call waiting for a person's yes or no (an ``mcp_approval_request``)."""

    id: str
    answers: str
    """The group decided by one click: the id of the response's first request."""
    job_id: int
    server_label: str
    tool: str
    arguments: str
    response_id: str
    expires_at: float
    approvers: str = "asker"
    prompt: str = ""
    """What the prompt message says above its buttons (edited when decided or expired)."""
    status: ApprovalStatus = "pending"
    decided_by: str | None = None
    created_at: float = 0.0
    decided_at: float | None = None
    continuation_job: int | None = None
