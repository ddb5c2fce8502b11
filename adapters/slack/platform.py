"""The Slack platform as the engine sees it: reply targets, edit budgets, file downloads."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import files
from adapters.slack.calls import SLACK_ERRORS, call
from adapters.slack.events import PLATFORM, reply_to_of
from adapters.slack.quota import SlidingWindow, StatusQuota, StreamQuota, WorkspaceQuotas
from adapters.slack.reply import SlackReply, ThreadPlace
from bot.errors import AttachmentRefused
from bot.ports import BotThreads
from bot.types import Attachment, ReplyLimits
from storage.records import Job

log = logging.getLogger(__name__)

SLACK_LIMITS = ReplyLimits(
    max_length=12_000,  # markdown_text and the markdown block take up to 12,000 characters
    edit_interval=1.0,
    # chat.update is Tier 3, "50+ per minute" per workspace. Counted over 61 s rather than 60:
    # our clock starts before a request leaves and Slack's when it arrives, so a second of
    # slack keeps network jitter from turning the 51st call into a 429. The same numbers pace
    # chat.appendStream (Tier 4), in a budget of its own.
    calls_per_window=50,
    window=61.0,
    placeholder="…",
    max_upload_bytes=1_000_000_000,  # Slack's 1 GB per file
    command_prefix="/assistant ",
    budget_posts=False,  # chat.postMessage is limited per channel, not by chat.update's tier
    # A final text that would wait longer than this for chat.update goes out as a new message
    # (chat.postMessage) that replaces its placeholder.
    final_patience=2.0,
)
POSTS_PER_CHANNEL = (5, 5.5)
"""chat.postMessage: "about 1 per second per channel, with bursts"; 5 per 5 s, with a margin."""
STREAMS_PER_MINUTE = 20  # chat.startStream and chat.stopStream are Tier 2 (20+ per minute)
STATUSES_PER_MINUTE = 40  # assistant.threads.setStatus: tier undocumented, Tier 3 assumed
QUOTA_WINDOW = 61.0
_KNOWN_THREADS = 10_000
"""Bot threads remembered in memory too, sparing a Store read per follow-up there."""


class SlackPlatform:
    name = PLATFORM

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        aux_client: AsyncWebClient,
        token: str,
        file_host: files.FileHost,
        max_file_bytes: int,
        limits: ReplyLimits = SLACK_LIMITS,
        native_streaming: bool = True,
        streams_per_minute: int = STREAMS_PER_MINUTE,
        statuses_per_minute: int = STATUSES_PER_MINUTE,
    ) -> None:
        self.client = client
        self.aux_client = aux_client
        self.limits = limits
        self.native_streaming = native_streaming
        self._token = token
        self._file_host = file_host
        self._max_file_bytes = max_file_bytes
        self._streams_per_minute = streams_per_minute
        self._statuses_per_minute = statuses_per_minute
        self._workspaces: dict[str, WorkspaceQuotas] = {}
        self.share: Callable[[], int] = lambda: 1
        """How many processes split the workspace quotas (set by the service on a shared
        database)."""
        self.store: BotThreads | None = None
        """Where the bot's threads are kept (set by the service when the engine starts)."""
        self._threads: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._posts: OrderedDict[tuple[str, str], SlidingWindow] = OrderedDict()
        self._session: aiohttp.ClientSession | None = None
        self._bot_user: str | None = None

    def _workspace(self, team: str) -> WorkspaceQuotas:
        found = self._workspaces.get(team)
        if found is None:
            found = self._workspaces[team] = WorkspaceQuotas(
                team,
                StreamQuota(self._streams_per_minute, QUOTA_WINDOW, self._share),
                StatusQuota(self._statuses_per_minute, QUOTA_WINDOW, self._share),
            )
        return found

    def _share(self) -> int:
        return self.share()

    async def bot_user_id(self) -> str | None:
        """The bot's own user id (``auth.test``, asked once)."""
        if self._bot_user is None:
            try:
                identity = await call(self.client.auth_test)
            except SLACK_ERRORS as exc:
                log.warning("auth.test failed (%s)", exc)
                return None
            self._bot_user = str(identity.get("user_id") or "") or None
        return self._bot_user

    # Threads the bot answers in (a later message there needs no mention). They live in the
    # Store, so a restart and every other process on the database know them too.

    def _cache(self, channel: str, thread_ts: str) -> None:
        self._threads[(channel, thread_ts)] = None
        self._threads.move_to_end((channel, thread_ts))
        while len(self._threads) > _KNOWN_THREADS:
            self._threads.popitem(last=False)

    async def remember_thread(self, channel: str, thread_ts: str) -> None:
        if (channel, thread_ts) in self._threads:
            return
        if self.store is not None:
            await self.store.remember_bot_thread(PLATFORM, channel, thread_ts)
        self._cache(channel, thread_ts)

    async def in_bot_thread(self, channel: str, thread_ts: str) -> bool:
        if (channel, thread_ts) in self._threads:
            return True
        if self.store is None or not await self.store.is_bot_thread(PLATFORM, channel, thread_ts):
            return False
        self._cache(channel, thread_ts)
        return True

    def _channel_posts(self, team: str, channel: str) -> SlidingWindow:
        """The bot's recent chat.postMessage calls in a channel (a final text may take that
        route only while there is room)."""
        key = (team, channel)
        found = self._posts.get(key)
        if found is None:
            found = self._posts[key] = SlidingWindow(*POSTS_PER_CHANNEL, self._share)
        self._posts.move_to_end(key)
        while len(self._posts) > _KNOWN_THREADS:
            self._posts.popitem(last=False)
        return found

    # The engine's side.

    def reply_target(self, job: Job) -> SlackReply:
        reply_to = reply_to_of(job.payload.get("reply_to"), channel=job.channel, team=job.workspace)
        place = ThreadPlace(**reply_to, recipient_user=job.user)
        workspace = self._workspace(job.workspace)
        opening = job.reply_state.get("opening")
        lost_since = (
            float(opening)
            if isinstance(opening, (int, float)) and not job.reply_state.get("refs")
            else None
        )
        # A reply taken up again (after a restart, or from a process that died) edits what
        # was posted with chat.update: it is not a new stream, and its edits count as updates.
        native = (
            self.native_streaming
            and not job.reply_state.get("refs")
            and lost_since is None
            and workspace.native_allowed()
            and workspace.streams.try_open()
        )
        return SlackReply(
            client=self.client,
            aux_client=self.aux_client,
            place=place,
            placeholder=self.limits.placeholder,
            quotas=workspace,
            native=native,
            posts=self._channel_posts(job.workspace, place.channel),
            adopted_streams=tuple(str(ts) for ts in job.reply_state.get("open") or ()),
            lost_since=lost_since,
            bot_user=self.bot_user_id,
            # chat.update's tier is per workspace; native streams append under their own
            # method's tier, so they get a budget of their own.
            budget_key=f"{job.workspace}/stream" if native else job.workspace,
        )

    async def download(self, attachment: Attachment) -> bytes:
        if not attachment.url:
            raise AttachmentRefused("file.not_shared", name=attachment.name)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300))
        return await files.download(
            self._session,
            attachment.url,
            name=attachment.name,
            token=self._token,
            host=self._file_host,
            max_bytes=self._max_file_bytes,
            proxy=self.client.proxy,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
