"""The Store's interfaces, one per role its callers play: a module asks for the role it uses
(``Inbox``, ``Conversations``, ``Profiles``…), and ``Store`` is all of them, which the one SQL
store (``storage/store.py``) implements on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, Unpack

from storage.records import (
    ApprovalStatus,
    ChatMessage,
    DailyUsage,
    Feedback,
    FeedbackCount,
    FileKind,
    Job,
    JobFilters,
    JobStatus,
    KnowledgeFile,
    McpApproval,
    McpServer,
    NewJob,
    Profile,
    ProfileChange,
    Quota,
    RoleQuota,
    RunRecord,
    RunStatus,
    ThreadFile,
    ThreadRecord,
    Usage,
    UserUsage,
    Viewing,
)


class RateLedger(Protocol):
    """Platform rate limits counted in the database, for processes that share it."""

    async def take(self, key: str, limit: int, window: float) -> float:
        """0 if a call was recorded under ``key`` (fewer than ``limit`` were in the last
        ``window`` seconds); else the seconds until there will be room (nothing recorded)."""

    async def check_in(self, platform: str, worker: str) -> dict[str, float]:
        """Note that ``worker`` spends ``platform``'s limits now; every worker that did, with
        how many seconds ago it was last seen."""


class SharedLimits(Protocol):
    @property
    def rate_ledger(self) -> RateLedger | None:
        """The ledger when several processes share the database (PostgreSQL); else ``None``,
        and a process keeps its budgets in memory."""


class Inbox(Protocol):
    """The inbox and its jobs: accepted means persisted."""

    @property
    def shared(self) -> bool:
        """True when several bot processes may use the database at once (PostgreSQL). With
        False (SQLite), a job still ``running`` at start belonged to a process that is gone."""

    async def accept(self, job: NewJob) -> Job | None:
        """Persist an inbound message; ``None`` if its event id was already accepted."""

    async def remember_event(self, platform: str, event_id: str) -> bool:
        """Record an event id; ``False`` if it was seen before (de-duplication)."""

    async def purge_events(self, older_than: float) -> int: ...

    async def claim_runnable(
        self, limit: int, *, worker: str, lease: float, platforms: Sequence[str] | None = None
    ) -> list[Job]:
        """Mark up to ``limit`` queued jobs running for ``worker`` for ``lease`` seconds: the
        oldest queued job of each thread that has none running; only jobs of ``platforms``
        when given (a process that serves some platforms leaves the others' jobs alone)."""

    async def renew_leases(self, worker: str, lease: float) -> list[int]:
        """Heartbeat: extend the leases of the worker's running jobs; the ids it still holds."""

    async def release_worker(self, worker: str) -> list[int]:
        """A stopping worker hands its running jobs back to the queue at once."""

    async def release_expired(self, *, before: float) -> list[int]:
        """Put running jobs whose lease ends before ``before`` back in the queue."""

    async def get_job(self, job_id: int) -> Job | None: ...

    async def jobs(
        self, *, thread_key: str | None = None, statuses: Sequence[JobStatus] = ()
    ) -> list[Job]: ...

    async def finish_job(
        self, job_id: int, status: JobStatus, error: str | None = None
    ) -> None: ...

    async def requeue_job(self, job_id: int, *, reset_attempts: bool = False) -> None:
        """Queue a finished job again; ``reset_attempts`` when the person asked again (retry),
        so the attempts of the earlier tries do not count against it."""

    async def save_reply_state(self, job_id: int, state: dict[str, Any]) -> None:
        """The reply's messages (``refs``), and under ``open`` those still being written."""

    # Crash safety (issue 12): replies left open.
    async def jobs_with_open_replies(self, statuses: Sequence[JobStatus]) -> list[Job]:
        """Jobs in ``statuses`` whose reply has messages still open (``save_reply_state``)."""


class RunLog(Protocol):
    """What each answer's run did: its response id, status and token usage."""

    async def start_run(self, job_id: int, thread_id: int, mode: str) -> RunRecord: ...

    async def update_run(
        self, run_id: int, *, response_id: str | None = None, last_sequence: int | None = None
    ) -> None: ...

    async def finish_run(
        self, run_id: int, status: RunStatus, usage: Usage | None = None, error: str | None = None
    ) -> None: ...

    async def latest_run(self, job_id: int) -> RunRecord | None: ...


class Profiles(Protocol):
    """Assistant profiles and the history of their changes."""

    async def get_profile(self, platform: str, workspace: str, channel: str) -> Profile | None: ...

    async def save_profile(self, profile: Profile) -> None: ...

    async def record_profile_change(self, change: ProfileChange) -> ProfileChange: ...

    async def profile_changes(
        self, platform: str, workspace: str, *, limit: int = 20
    ) -> list[ProfileChange]:
        """Newest first."""

    async def get_profile_change(
        self, platform: str, workspace: str, change_id: int
    ) -> ProfileChange | None: ...


class Quotas(Protocol):
    """Daily limits per person, and the usage they are checked against."""

    async def get_quota(self, platform: str, workspace: str, channel: str) -> Quota | None: ...

    async def save_quota(self, quota: Quota) -> None: ...

    async def usage_since(
        self, platform: str, workspace: str, since: float, *, user: str | None = None
    ) -> list[UserUsage]:
        """Answers started (messages) and tokens per person since ``since``, most tokens first."""

    async def usage_by_day(self, platform: str, workspace: str, since: float) -> list[DailyUsage]:
        """Answers started and tokens per person per day (UTC) since ``since``, by day."""

    async def role_quotas(self, platform: str, workspace: str) -> list[RoleQuota]:
        """The workspace's limits per role, by role."""

    async def save_role_quota(self, quota: RoleQuota) -> None:
        """Set a role's limits; both ``None`` removes the role's rule."""

    async def quota_workspaces(self, platform: str) -> list[str]:
        """Workspaces that set any limit (workspace, channel or role), for direct messages,
        which count against the quotas of the servers a person shares with the bot."""


class Conversations(Protocol):
    """Each person's assistant threads (OpenAI conversations) and the files in them."""

    async def get_thread(
        self, platform: str, workspace: str, user: str, profile_key: str
    ) -> ThreadRecord | None: ...

    async def create_thread(
        self, platform: str, workspace: str, user: str, profile_key: str, conversation_id: str
    ) -> ThreadRecord: ...

    async def touch_thread(self, thread_id: int) -> None: ...

    async def archive_threads(self, platform: str, workspace: str, user: str) -> int:
        """Retire the user's active threads (``reset``); returns how many."""

    async def set_thread_vector_store(self, thread_id: int, vector_store_id: str) -> None: ...

    async def add_thread_file(self, file: ThreadFile) -> None: ...

    async def thread_files(
        self, thread_id: int, kind: FileKind | None = None
    ) -> list[ThreadFile]: ...


class Privacy(Protocol):
    """Forgetting a person, and deleting conversations idle past a retention period."""

    async def user_threads(self, platform: str, user: str) -> list[ThreadRecord]:
        """All the person's threads on the platform, archived ones too."""

    async def idle_threads(
        self, platform: str, workspace: str, before: float, *, limit: int = 100
    ) -> list[ThreadRecord]:
        """Threads (archived ones too) last used before ``before`` whose deletion nobody
        claimed in the last ``DELETION_LEASE`` seconds."""

    async def claim_thread_deletion(
        self, thread_id: int, *, idle_before: float | None = None
    ) -> bool:
        """Archive the thread and mark it as being deleted by the caller; ``False`` if another
        process holds a fresh mark or (with ``idle_before``) it was used since."""

    async def delete_thread(self, thread_id: int) -> None:
        """The thread's rows: its chat messages, runs and files, itself."""

    async def delete_jobs(self, platform: str, **only: Unpack[JobFilters]) -> int:
        """Finished jobs (answered or failed) and their runs, of one person or workspace,
        created before ``before``; how many jobs."""

    async def forget_person(self, platform: str, user: str) -> None:
        """What the store knows about the person apart from threads and jobs: their locale,
        when they were greeted and what they last looked at, in every workspace."""

    async def retention_profiles(self) -> list[Profile]:
        """Workspace profiles that set a retention period."""


class Knowledge(Protocol):
    """What admins add for a workspace or a channel: documents in its knowledge base, and data
    files for the code interpreter."""

    async def get_knowledge_base(self, platform: str, workspace: str, channel: str) -> str | None:
        """The vector store id of that knowledge base, if one was created."""

    async def set_knowledge_base(
        self, platform: str, workspace: str, channel: str, vector_store_id: str
    ) -> None: ...

    async def add_knowledge_file(self, file: KnowledgeFile) -> None: ...

    async def knowledge_files(
        self, platform: str, workspace: str, channel: str
    ) -> list[KnowledgeFile]: ...

    async def remove_knowledge_file(
        self, platform: str, workspace: str, channel: str, file_id: str
    ) -> bool: ...


class People(Protocol):
    """What the bot remembers about a person between messages."""

    async def claim_greeting(self, platform: str, workspace: str, user: str) -> bool:
        """Mark the person greeted; ``False`` if they were already (by any process)."""

    async def release_greeting(self, platform: str, workspace: str, user: str) -> None:
        """The greeting could not be shown: greet them the next time."""

    async def save_viewing(
        self, platform: str, workspace: str, user: str, viewing: Viewing | None
    ) -> None:
        """What the person looks at now (``None``: nothing the bot can read)."""

    async def get_viewing(self, platform: str, workspace: str, user: str) -> Viewing | None: ...

    async def remember_locale(self, platform: str, user: str, locale: str) -> None:
        """The person's locale from their last interaction that carried one."""

    async def remembered_locale(self, platform: str, user: str) -> str | None: ...


class ChatHistory(Protocol):
    """The messages of threads whose model backend keeps no conversation (Chat Completions)."""

    async def append_chat_messages(self, messages: Sequence[ChatMessage]) -> None:
        """Append in one transaction, in order (a turn's question and answer together)."""

    async def chat_messages(self, conversation_id: str) -> list[ChatMessage]:
        """Oldest first."""


class BotThreads(Protocol):
    """The platform threads the bot answers in, shared by every process (issue 12)."""

    async def remember_bot_thread(self, platform: str, channel: str, thread: str) -> None:
        """The bot answers in this thread: later messages there need no mention."""

    async def is_bot_thread(self, platform: str, channel: str, thread: str) -> bool: ...


class Ratings(Protocol):
    """Thumbs up/down on answers: one rating per person per answer, the latest click's."""

    async def save_feedback(self, feedback: Feedback) -> Feedback:
        """Insert the rating, or change the person's earlier one on the same answer."""

    async def get_feedback(self, job_id: int, user: str) -> Feedback | None: ...

    async def feedback_counts(
        self, platform: str, workspace: str, since: float
    ) -> list[FeedbackCount]:
        """Ups and downs per profile, of ratings given (or changed) since ``since``."""


class McpTools(Protocol):
    """Remote MCP servers of profiles, and their tool calls waiting for a person's approval."""

    async def save_mcp_server(self, server: McpServer) -> None:
        """Add the server, or replace the one with the same label in the same scope."""

    async def remove_mcp_server(
        self, platform: str, workspace: str, channel: str, label: str
    ) -> bool: ...

    async def mcp_servers(
        self, platform: str, workspace: str, channels: Sequence[str]
    ) -> list[McpServer]:
        """The servers of those scopes (``''`` is the workspace's), by scope and label."""

    async def add_approvals(self, approvals: Sequence[McpApproval]) -> None:
        """Record requests waiting for approval (one already recorded is left as it is)."""

    async def get_approval(self, approval_id: str) -> McpApproval | None: ...

    async def approval_group(self, answers: str) -> list[McpApproval]: ...

    async def decide_approvals(
        self, answers: str, status: ApprovalStatus, decided_by: str, continuation: NewJob
    ) -> Job | None:
        """In one transaction: decide the group's pending, unexpired requests and accept
        ``continuation`` into the inbox; ``None`` (nothing changed) if none was pending."""

    async def expire_approvals(
        self, now: float, platforms: Sequence[str] | None = None
    ) -> list[McpApproval]:
        """Mark pending requests (of ``platforms``, when given: the ones this process
        answers on) whose time is up as expired; those requests."""

    async def next_approval_expiry(self, platforms: Sequence[str] | None = None) -> float | None:
        """When the next pending request (of ``platforms``, when given) expires, if any."""


class Store(
    Inbox,
    RunLog,
    Profiles,
    Quotas,
    Conversations,
    Privacy,
    ChatHistory,
    Knowledge,
    People,
    BotThreads,
    Ratings,
    McpTools,
    SharedLimits,
    Protocol,
):
    """Every role, and the store's own life: what the process that opens it holds."""

    async def open(self) -> None:
        """Connect and apply pending schema migrations."""

    async def close(self) -> None: ...

    async def schema_version(self) -> int: ...
