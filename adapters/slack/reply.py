"""One answer in a Slack thread: the ReplyTarget that the core's reply editor drives.

Two ways to show a growing answer, chosen per reply by the platform:

* native streaming: ``chat.startStream`` / ``chat.appendStream`` / ``chat.stopStream`` with
  standard Markdown. Streams only grow, so each edit appends what is new; the editor's
  temporary closing of an open code block is held back (Slack renders the raw Markdown as it
  streams), and a text that no longer extends what was streamed (a page cut again, links to
  generated files rewritten at the end) stops the stream and replaces it with ``chat.update``;
* ``chat.postMessage`` + ``chat.update`` with ``markdown_text``, where streaming is not
  allowed (or its Tier 2 quota is used up).

Every call goes through ``calls.call``: a 429 is ``bot.errors.RateLimited(retry_after=…)``, so
the editor waits it out; a 5xx or a dropped connection ``PlatformUnavailable`` (the editor tries
again), and ``message_not_found`` ``MessageGone`` (the message was deleted: the editor continues
in a new one). The assistant status is optional: its failure is logged, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.buttons import button_blocks, with_buttons
from adapters.slack.calls import SLACK_ERRORS, Send, SlackRefused, call
from adapters.slack.lost import find_lost_message
from adapters.slack.mentions import neutralise, streamable
from adapters.slack.quota import SlidingWindow, WorkspaceQuotas
from adapters.slack.steps import TASK_DISPLAY_MODE, blocks_with_steps, markdown_chunk, task_chunk
from bot.backoff import retrying
from bot.buttons import Buttons
from bot.errors import MessageGone, PlatformUnavailable, RateLimited
from bot.split import open_fence
from bot.steps import Step, Steps

log = logging.getLogger(__name__)

_FENCE_LINE = re.compile(r"\s*(`{3,}|~{3,})\s*")
_CLOSE_ATTEMPTS = 3


def _reason(exc: Exception) -> str:
    return exc.error if isinstance(exc, SlackRefused) else str(exc)


def without_added_closer(text: str) -> str:
    """``text`` without a last line that only closes the code block open above it."""
    head, sep, last = text.rpartition("\n")
    if sep and _FENCE_LINE.fullmatch(last) and open_fence(head) is not None:
        return head
    return text


@dataclass
class ThreadPlace:
    """Where an answer goes and for whom (``recipient_*`` are required to stream in channels)."""

    channel: str
    thread_ts: str
    recipient_team: str
    recipient_user: str
    dm: bool
    assistant: bool


@dataclass
class _Stream:
    sent: str = ""
    latest: str = ""
    open: bool = True
    known: bool = True
    """False for a stream adopted after a restart: what it shows is not known here, so it is
    stopped as it is and then edited with ``chat.update``."""
    tasks: dict[str, Step] = field(default_factory=dict)
    """The steps as their task cards show them (sent in ``task_update`` chunks)."""
    pending: asyncio.Task[None] | None = None
    """An append in flight. Appends are not idempotent: one whose caller is cancelled (the
    editor stops its progress edits to show the final text) still runs to its end, and the
    next call waits for it, so ``sent`` stays exactly what Slack has."""

    async def settle(self) -> None:
        if self.pending is not None:
            with contextlib.suppress(Exception):  # its caller has seen (or left) the error
                await asyncio.shield(self.pending)
            self.pending = None


def _add_buttons(content: dict[str, Any], buttons: tuple[Buttons | None] | None) -> dict[str, Any]:
    """A message's ``content`` with ``buttons`` under it (as blocks: ``markdown_text`` may
    not go with ``blocks``); ``(None,)`` takes its buttons away, ``None`` leaves it as is."""
    if buttons is None:
        return content
    if "blocks" not in content:
        return with_buttons(str(content.get("markdown_text") or ""), buttons[0])
    actions = button_blocks(buttons[0]) if buttons[0] is not None else []
    return {**content, "blocks": [*content["blocks"], *actions]}


class SlackReply:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        aux_client: AsyncWebClient,
        place: ThreadPlace,
        placeholder: str,
        quotas: WorkspaceQuotas,
        native: bool,
        posts: SlidingWindow,
        budget_key: str,
        adopted_streams: tuple[str, ...] = (),
        lost_since: float | None = None,
        bot_user: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        self.budget_key = budget_key
        self._client = client
        self._aux = aux_client
        self._place = place
        self._placeholder = placeholder
        self._quotas = quotas
        self._native_reserved = native
        self._posts = posts
        # Streams a process before this one opened and never closed (a crash): each is
        # stopped before it is edited, or when the reply closes.
        self._streams: dict[str, _Stream] = {
            ts: _Stream(open=True, known=False) for ts in adopted_streams
        }
        self._status: str | None = None
        self._steps: Steps = ()
        self._steps_lang = "en"
        self._steps_ref: str | None = None
        self._next_buttons: Buttons | None = None
        self._buttons_marked = False
        self._buttons: dict[str, Buttons | None] = {}
        """Messages whose buttons were set (``None``: taken away); a stream gets them when it
        is stopped."""
        """The answer's first message, which shows its steps."""
        self._lost_since = lost_since
        """When a first message was about to be posted before a crash (see ``lost.py``)."""
        self._bot_user = bot_user

    def open_refs(self) -> list[str]:
        return [ref for ref, stream in self._streams.items() if stream.open]

    # Buttons under the answer's last message (bot.types.ReplyTarget.set_buttons).

    def set_buttons(self, buttons: Buttons | None) -> None:
        self._next_buttons, self._buttons_marked = buttons, True

    def _claim_buttons(self, ref: str) -> None:
        if self._buttons_marked:
            self._buttons_marked = False
            self._buttons[ref] = self._next_buttons

    def _with_buttons(self, ref: str, content: dict[str, Any]) -> dict[str, Any]:
        """``content`` with the buttons ``ref`` shows; unchanged for a message without."""
        kept = (self._buttons[ref],) if ref in self._buttons else None
        return _add_buttons(content, kept)

    # Steps: task cards in a stream, else a context block above the text; sent only with
    # the text's own calls, so they cost nothing of the budgets.

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        self._steps, self._steps_lang = steps, lang

    def _claim_steps(self, ref: str) -> bool:
        if self._steps_ref is None:
            self._steps_ref = ref
        return ref == self._steps_ref

    def _changed_steps(self, ref: str, stream: _Stream) -> Steps:
        if not self._claim_steps(ref):
            return ()
        return tuple(s for s in self._steps if stream.tasks.get(s.id) != s)

    @staticmethod
    def _sent_tasks(stream: _Stream, steps: Steps) -> None:
        stream.tasks.update((s.id, s) for s in steps)

    def _content(self, ref: str | None, text: str) -> dict[str, Any]:
        """A posted or updated message's content: with the steps above the text on the
        answer's first message, else Markdown alone."""
        if ref is not None and self._claim_steps(ref) and self._steps:
            blocks = blocks_with_steps(self._steps, text or self._placeholder, self._steps_lang)
            if blocks is not None:
                return {"text": text or self._placeholder, "blocks": blocks}
        return {"markdown_text": text}

    # Posting.

    async def post(self, text: str) -> str:
        text = neutralise(text)
        if self._lost_since is not None:
            found = await self._find_lost(self._lost_since)
            self._lost_since = None
            if found is not None:
                log.info("adopting reply %s, posted before a crash but not recorded", found)
                # Possibly a stream: stop it as it stands, then show the text.
                self._streams[found] = _Stream(open=True, known=False)
                await self.edit(found, text)
                return found
        first = self._steps_ref is None
        for ref, stream in self._streams.items():
            if stream.open:  # a continuation page: the previous one is complete
                await self._stop(ref, stream)
        if self._take_stream():
            ts = await self._start_stream(text, steps=first)
            if ts is not None:
                self._claim_buttons(ts)  # shown when the stream stops
                return ts
        if self._buttons_marked:
            self._buttons_marked = False
            return await self._post_message(text, steps=first, buttons=(self._next_buttons,))
        return await self._post_message(text, steps=first)

    async def _post_message(
        self, text: str, *, steps: bool = False, buttons: tuple[Buttons | None] | None = None
    ) -> str:
        """A new message in the thread (chat.postMessage, counted in the channel's posts);
        ``steps``: it is the answer's first message, with the steps; ``buttons``: it shows
        these (none: it keeps no buttons)."""
        self._posts.take()
        content = self._content(None, text)
        if steps and self._steps:
            blocks = blocks_with_steps(self._steps, text, self._steps_lang)
            if blocks is not None:
                content = {"text": text, "blocks": blocks}
        content = _add_buttons(content, buttons)
        response = await call(
            self._client.chat_postMessage,
            channel=self._place.channel,
            thread_ts=self._place.thread_ts,
            **content,
        )
        ts = str(response["ts"])
        if steps:
            self._steps_ref = ts
        if buttons is not None:
            self._buttons[ts] = buttons[0]
        return ts

    async def _find_lost(self, since: float) -> str | None:
        bot_user = await self._bot_user() if self._bot_user is not None else None
        if bot_user is None:
            return None
        return await find_lost_message(
            self._aux,
            channel=self._place.channel,
            thread_ts=self._place.thread_ts,
            since=since,
            bot_user=bot_user,
            placeholder=self._placeholder,
        )

    def _take_stream(self) -> bool:
        if self._native_reserved:
            self._native_reserved = False
            return True
        return bool(self._streams) and self._quotas.streams.try_open()

    async def _start_stream(self, text: str, *, steps: bool = False) -> str | None:
        place = self._place
        full = "" if text == self._placeholder else text
        initial = streamable(full)  # the rest follows when it cannot become a mention
        args: dict[str, Any] = {
            "channel": place.channel,
            "thread_ts": place.thread_ts,
            "task_display_mode": TASK_DISPLAY_MODE,
        }
        tasks = self._steps if steps else ()
        if tasks:
            args["chunks"] = ([markdown_chunk(initial)] if initial else []) + [
                task_chunk(s) for s in tasks
            ]
        elif initial:
            args["markdown_text"] = initial
        if not place.dm:
            args["recipient_team_id"] = place.recipient_team
            args["recipient_user_id"] = place.recipient_user
        try:
            response = await call(self._client.chat_startStream, **args)
        except SLACK_ERRORS as exc:
            self._quotas.streams.cancel()
            reason = _reason(exc)
            if not isinstance(exc, RateLimited):
                self._quotas.native_failed(reason)
            log.debug("native streaming not available here (%s); posting instead", reason)
            return None
        ts = str(response["ts"])
        self._streams[ts] = stream = _Stream(sent=initial, latest=full)
        if steps:
            self._steps_ref = ts
            self._sent_tasks(stream, tasks)
        return ts

    # Editing.

    async def edit(self, ref: str, text: str) -> None:
        text = neutralise(text)
        self._claim_buttons(ref)
        stream = self._streams.get(ref)
        if stream is None or not stream.open:
            await self._update(ref, text)
            return
        await stream.settle()
        text = "" if text == self._placeholder else text
        stream.latest = text
        if not stream.known:
            await self._stop(ref, stream)
            return
        raw = streamable(without_added_closer(text))
        if raw.startswith(stream.sent) or stream.sent.startswith(raw):
            # Only what extends the text is appended (a shorter text is the editor's closing
            # of an open code block, held back); changed steps go along as task cards.
            new = raw[len(stream.sent) :] if raw.startswith(stream.sent) else ""
            tasks = self._changed_steps(ref, stream)
            if not new and not tasks:
                return
            stream.pending = asyncio.ensure_future(self._append(ref, stream, new, tasks))
            try:
                await asyncio.shield(stream.pending)
            except (SlackRefused, MessageGone) as exc:
                log.info("stream %s ended early (%s); updating instead", ref, _reason(exc))
                self._forget(stream)
                await self._update(ref, text)
        else:
            await self._stop(ref, stream)

    async def _append(self, ref: str, stream: _Stream, new: str, tasks: Steps) -> None:
        content: dict[str, Any] = {"markdown_text": new}
        if tasks:
            chunks = [task_chunk(s) for s in tasks]
            content = {"chunks": ([markdown_chunk(new)] if new else []) + chunks}
        await call(self._client.chat_appendStream, channel=self._place.channel, ts=ref, **content)
        stream.sent += new
        self._sent_tasks(stream, tasks)

    async def _update(self, ref: str, text: str) -> None:
        content = self._with_buttons(ref, self._content(ref, text or self._placeholder))
        try:
            await call(self._client.chat_update, channel=self._place.channel, ts=ref, **content)
        except MessageGone:
            if ref in self._buttons:  # they go with the new message the editor posts
                self._next_buttons, self._buttons_marked = self._buttons.pop(ref), True
            raise

    async def repost(self, ref: str, text: str) -> str | None:
        """The final text when chat.update's budget is spent: a stream is stopped with the
        rest of the text (chat.stopStream, Tier 2); a posted message is replaced by a new one
        (chat.postMessage, limited per channel) and deleted at once (chat.delete, a tier of
        its own), rather than updated when the budget returns, which would leave the
        placeholder up to a minute and spend the very budget that is short. None when the
        channel's chat.postMessage calls are spent as well."""
        text = neutralise(text)
        self._claim_buttons(ref)
        stream = self._streams.get(ref)
        if stream is not None and stream.open:
            await stream.settle()
            stream.latest = "" if text == self._placeholder else text
            await self._stop(ref, stream)
            return ref
        if self._posts.free() <= 0:
            return None  # the channel's posts are spent too: the final waits for an update
        kept = (self._buttons.pop(ref),) if ref in self._buttons else None
        new = await self._post_message(text, steps=ref == self._steps_ref, buttons=kept)
        try:
            await call(self._client.chat_delete, channel=self._place.channel, ts=ref)
        except SLACK_ERRORS as exc:
            # The answer is shown; the old message staying is cosmetic (never post twice).
            log.debug("message %s not deleted after its replacement: %s", ref, exc)
        return new

    def _forget(self, stream: _Stream) -> None:
        if stream.open:
            self._quotas.streams.cancel()
        stream.open = False

    async def _stop(self, ref: str, stream: _Stream) -> None:
        """Stop a stream so it shows ``stream.latest`` (appending the rest, else replacing)."""
        await stream.settle()
        rest = stream.latest[len(stream.sent) :] if stream.latest.startswith(stream.sent) else None
        if not stream.known:
            rest = None  # stop it as it stands, then show the text with chat.update
        args: dict[str, Any] = {"channel": self._place.channel, "ts": ref}
        tasks = self._changed_steps(ref, stream) if stream.known else ()
        if tasks:  # the steps' last statuses
            chunks = [task_chunk(s) for s in tasks]
            args["chunks"] = ([markdown_chunk(rest)] if rest else []) + chunks
        elif rest:
            args["markdown_text"] = rest
        buttons = self._buttons.get(ref)
        if buttons is not None:
            args["blocks"] = button_blocks(buttons)  # shown under the streamed text
        stream.open = False
        if stream.known:
            self._quotas.streams.closed()
        try:
            await self._retrying(self._client.chat_stopStream, args)
        except MessageGone:
            log.info("stream %s was deleted before it was stopped", ref)
            return
        except SlackRefused as exc:
            if exc.error != "message_not_in_streaming_state":
                stream.open = True  # still open: the job's record keeps it for recovery
                raise
            log.info("stream %s had stopped already; updating it instead", ref)
            rest = None  # what the stop would have appended is shown by chat.update
        except Exception:
            stream.open = True
            raise
        stream.sent = stream.latest if rest is not None else stream.sent
        if rest is not None:
            self._sent_tasks(stream, tasks)
        if rest is None and (stream.known or stream.latest):
            content = self._with_buttons(ref, self._content(ref, stream.latest))
            await self._retrying(
                self._client.chat_update, {"channel": self._place.channel, "ts": ref, **content}
            )

    async def _retrying(self, send: Send, args: dict[str, Any]) -> None:
        await retrying(
            lambda: call(send, **args),
            attempts=_CLOSE_ATTEMPTS,
            on=(RateLimited, PlatformUnavailable),
        )

    async def close(self) -> None:
        if self._native_reserved:
            self._native_reserved = False
            self._quotas.streams.cancel()
        for ref, stream in self._streams.items():
            if stream.open:
                try:
                    await self._stop(ref, stream)
                except SLACK_ERRORS as exc:
                    # The answer is complete; the stream stays listed in the job's record and
                    # the engine's recovery stops it later (Engine.close_open_replies).
                    log.warning("stream %s could not be stopped yet (%s)", ref, exc)
        await self.set_status(None)

    # Files and status.

    async def upload(self, filename: str, data: bytes) -> None:
        await call(
            self._aux.files_upload_v2,
            channel=self._place.channel,
            thread_ts=self._place.thread_ts,
            filename=filename,
            title=filename,
            content=data,
        )

    async def set_status(self, status: str | None) -> None:
        """The assistant-thread status; elsewhere a no-op (the growing reply shows progress)."""
        status = status or None
        if not self._place.assistant or status == self._status:
            return
        if status is None:
            self._quotas.statuses.cleared()  # its call was reserved when the status was shown
        elif not self._quotas.statuses.try_show(shown=self._status is not None):
            return  # a status is optional: no room in this minute, skip it
        try:
            # The status line, and the same words as the loading indicator agent messaging
            # shows in the thread (an empty status clears both).
            await call(
                self._aux.assistant_threads_setStatus,
                channel_id=self._place.channel,
                thread_ts=self._place.thread_ts,
                status=status or "",
                loading_messages=[status] if status else None,
            )
        except SLACK_ERRORS as exc:
            # Optional: the answer goes on without it.
            log.info("assistant status not shown (%s)", exc)
            if status is not None and self._status is None:
                self._quotas.statuses.cancel()
            passing = isinstance(exc, RateLimited | PlatformUnavailable)
            if not passing:
                self._place.assistant = False  # not an assistant thread after all
            if status is None or not passing:
                self._status = None
            return
        self._status = status
