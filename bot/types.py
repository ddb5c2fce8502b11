"""Platform-neutral value types and the Protocols every adapter implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.buttons import Buttons
from bot.steps import Steps
from storage.records import Job, NewJob


@dataclass(frozen=True)
class Attachment:
    """A file on the platform, fetched lazily through ``Platform.download``."""

    name: str
    mimetype: str = "application/octet-stream"
    size: int = 0
    url: str = ""


@dataclass(frozen=True)
class Membership:
    """A workspace/server the person shares with the bot, and their roles there."""

    workspace: str
    name: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    """Who said what, where to answer, and the platform's id for the event."""

    platform: str
    workspace: str
    channel: str
    user: str
    text: str
    event_id: str
    attachments: tuple[Attachment, ...] = ()
    reply_to: Mapping[str, object] = field(default_factory=dict)
    """Where to answer: the adapter's own TypedDict (``SlackReplyTo``, ``DiscordReplyTo``),
    kept in the inbox as the JSON object it is; only that adapter reads it back."""
    user_name: str = ""
    locale: str = ""
    """The person's language where the platform tells it (``ko``, ``en-US``); else ''."""
    workspace_locale: str = ""
    """The workspace's own language where the platform has one (Discord's server locale)."""
    parent_channel: str = ""
    """The channel a thread is under: its profile and quotas apply in the thread."""
    roles: tuple[str, ...] = ()
    """The person's roles in ``workspace`` (role quotas)."""
    direct_workspace: str = ""
    """Where the platform keeps direct messages as a workspace of their own (Discord's
    ``dm``): the person's usage there counts against each server's quota too."""
    memberships: tuple[Membership, ...] = ()
    """In a direct message: the servers with quotas that the person shares with the bot."""
    continues: Mapping[str, Any] = field(default_factory=dict)
    """Set on a job that continues an earlier answer rather than asking anew (a decision on
    MCP tool calls waiting for approval: ``bot.mcp_approvals``)."""

    def to_new_job(self) -> NewJob:
        payload = asdict(self)
        return NewJob(
            platform=self.platform,
            workspace=self.workspace,
            channel=self.channel,
            user=self.user,
            event_id=self.event_id,
            payload=payload,
        )

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> InboundMessage:
        data = dict(payload)
        data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments", ()))
        data["roles"] = tuple(data.get("roles", ()))
        data["memberships"] = tuple(
            Membership(m["workspace"], m.get("name", ""), tuple(m.get("roles", ())))
            for m in data.get("memberships", ())
        )
        return cls(**data)


@dataclass(frozen=True)
class ReplyLimits:
    """What a platform allows a reply: length per message and how fast it may be edited."""

    max_length: int | None = None
    edit_interval: float = 0.0
    calls_per_window: int | None = None
    window: float = 1.0
    placeholder: str = "…"
    max_upload_bytes: int | None = None
    command_prefix: str = "/"
    """How a person types a command here (``/`` in the console, ``/assistant `` in Slack)."""
    admin_command_prefix: str | None = None
    """How an admin types an admin command, where it differs from ``command_prefix``
    (Discord: a command of its own, which only admins see)."""
    file_link_note: str | None = "attached"
    """Rewrite ``sandbox:`` links to generated files as "name (attached)"; None keeps them."""
    web_link: str = "[{title}]({url})"
    """A link to a web page an answer cites, with ``{title}`` and ``{url}`` (Markdown's by
    default; Discord's keeps the page from unfurling into an embed)."""
    budget_posts: bool = True
    """False where posting a new message is limited apart from editing (Slack: chat.postMessage
    per channel, chat.update per workspace): posts then skip the shared edit budget."""
    budget_from_headers: bool = False
    """The platform's answers state the budget left (Discord's ``X-RateLimit-*`` headers, fed
    to ``BudgetRegistry.observe`` by the adapter): ``calls_per_window`` and ``window`` only
    stand in until the first answer."""
    final_patience: float | None = None
    """Where posts skip the edit budget: the seconds a final text may wait for an edit before
    it goes out as a new message instead (``ReplyTarget.repost``); None: it always waits."""
    steps_line: str | None = None
    """Where the core writes an answer's steps into its text, the line's form (``{steps}`` is
    the list; Discord: subtext ``-# {steps}``), live above the answer and collapsed to a
    summary once it is complete; None where the reply target shows them itself
    (``ReplyTarget.show_steps``: Slack) or nowhere."""
    reserve_new_page: bool = False
    """Where posts and edits share one budget (Discord): once an answer spans several messages,
    keep a second call in reserve for its final, which may have to finish the last page and
    start a new one; progress edits take only what is left."""


class ReplyTarget(Protocol):
    """Where one answer goes. Message refs are platform ids, kept for edits after a restart."""

    @property
    def budget_key(self) -> str:
        """Replies with the same key share one edit budget (a channel, a workspace)."""

    async def post(self, text: str) -> str: ...

    async def edit(self, ref: str, text: str) -> None: ...

    async def repost(self, ref: str, text: str) -> str | None:
        """Show ``text`` in a new message in place of ``ref`` (which is removed), by a route
        outside the edit budget; the new message's ref, or None if that route has no room
        now either (nothing was sent)."""

    async def upload(self, filename: str, data: bytes) -> None: ...

    async def set_status(self, status: str | None) -> None: ...

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        """The answer's steps now; shown with the next post or edit of its first message (so
        within the reply's edit budget). A no-op where they are part of the text
        (``ReplyLimits.steps_line``)."""

    async def close(self) -> None:
        """The answer is complete (its final text is shown)."""

    def open_refs(self) -> list[str]:
        """Messages the platform still shows as being written (Slack's native streams), kept
        with the refs so that whoever takes the reply up after a crash closes them."""

    def set_buttons(self, buttons: Buttons | None) -> None:
        """The message the next post, edit or repost addresses carries ``buttons`` from then
        on (``None``: it shows none); where they cannot be drawn, a no-op."""


class Platform(Protocol):
    name: str
    limits: ReplyLimits

    def reply_target(self, job: Job) -> ReplyTarget: ...

    async def download(self, attachment: Attachment) -> bytes: ...
