"""The reply editor: posts at once, coalesces updates, edits within the platform's budget,
continues in new messages past the length limit (or when one was deleted meanwhile), tries
again when the platform is rate limited or failing, and always ends with the complete text."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.backoff import Backoff
from bot.budget import CallBudget
from bot.buttons import Buttons
from bot.errors import MessageGone, PlatformUnavailable, RateLimited
from bot.split import close_open_fence, split_message
from bot.types import ReplyLimits, ReplyTarget

log = logging.getLogger(__name__)

RefsSaver = Callable[[list[str]], Awaitable[None]]
_FINAL_ATTEMPTS = 5
_BACKOFF = Backoff(first=0.5)
"""Seconds before trying a call the platform failed (5xx) again; doubled each time."""


class _NoRoute(Exception):
    """The other route for a final text has no room now (nothing was sent)."""


class ReplyEditor:
    def __init__(
        self,
        target: ReplyTarget,
        limits: ReplyLimits,
        budget: CallBudget,
        *,
        source: Callable[[], str],
        refs: list[str] | None = None,
        save_refs: RefsSaver | None = None,
        before_post: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._target = target
        self._limits = limits
        self._budget = budget
        self._source = source
        self._refs: list[str] = list(refs or [])
        self._shown: list[str] = [""] * len(self._refs)
        self._save_refs = save_refs
        self._before_post = before_post
        """Write-ahead: told before each new message is posted (its id is saved after)."""
        self._dirty = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._in_flight = asyncio.Lock()
        self._last_push = 0.0
        self._holding = False
        self._holding_page = False
        self._beside_changed = False
        """What the target shows beside the text (the steps) changed since the last edit."""

    @property
    def refs(self) -> list[str]:
        return list(self._refs)

    async def start(self) -> None:
        """Show the person at once that an answer is coming."""
        if not self._holding:
            self._budget.hold()
            self._holding = True
        if not self._refs and self._limits.placeholder:
            await self._call(self._post_page, 0, self._limits.placeholder, final=True)
        self._flusher = asyncio.create_task(self._flush_loop(), name="reply-flusher")

    def mark_dirty(self, *, beside_text: bool = False) -> None:
        """The source text changed; an edit will follow when the budget allows.
        ``beside_text``: what the target shows beside the text changed (the steps): the first
        message is edited even if its text is the same."""
        if beside_text:
            self._beside_changed = True
        self._dirty.set()

    async def finish(self, text: str | None = None, *, buttons: Buttons | None = None) -> None:
        """Stop streaming and show the complete final text (waiting out budgets and 429s),
        with ``buttons`` under its last message. The reply keeps its reserved call until then,
        so no progress edit takes it meanwhile."""
        await self._stop_flusher()
        try:
            text = self._source() if text is None else text
            await self._push(text, final=True, buttons=buttons)
        finally:
            self._release()

    async def abandon(self) -> None:
        """Stop editing without a final update (shutdown: the next start finishes the reply)."""
        await self._stop_flusher()
        self._release()

    async def _stop_flusher(self) -> None:
        if self._flusher is not None:
            # A post already sent must land with its ref recorded, or the final text would
            # post that page again: let the call in flight finish, then stop the flusher.
            async with self._in_flight:
                self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            self._flusher = None

    def _release(self) -> None:
        if self._holding_page:
            self._budget.release()
            self._holding_page = False
        if self._holding:
            self._budget.release()
            self._holding = False

    async def _flush_loop(self) -> None:
        while True:
            await self._dirty.wait()
            wait = self._last_push + self._limits.edit_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._dirty.clear()
            try:
                await self._push(self._source(), final=False)
            except (RateLimited, PlatformUnavailable) as exc:
                # Expected under load: one line, no traceback; the final text is retried.
                # The budget logs the episode (bot/budget.py); per reply, DEBUG.
                log.debug(
                    "progress update skipped (%s); the final text will follow", type(exc).__name__
                )
            except Exception:
                log.warning(
                    "intermediate reply update failed; the final text will follow", exc_info=True
                )

    def _pages(self, text: str, final: bool) -> list[str]:
        limited = self._limits.max_length is not None
        if not final and limited:
            text = close_open_fence(text)
        pages = split_message(text, self._limits.max_length)
        return [
            page if page.strip() or not limited else self._limits.placeholder or "…"
            for page in pages
        ]

    async def _push(self, text: str, *, final: bool, buttons: Buttons | None = None) -> None:
        self._last_push = time.monotonic()
        pages = self._pages(text, final)
        if len(pages) > 1 and self._limits.reserve_new_page and self._holding:
            if not self._holding_page:
                self._budget.hold()
                self._holding_page = True
        for index, page in enumerate(pages):
            with_buttons = buttons is not None and index == len(pages) - 1
            if with_buttons:
                self._target.set_buttons(buttons)  # the last page's next call carries them
            if index < len(self._refs):
                beside = index == 0 and self._beside_changed
                if page != self._shown[index] or beside or with_buttons:
                    self._beside_changed = self._beside_changed and not beside
                    try:
                        await self._call(self._edit_page, index, page, final=final)
                    except BaseException:
                        self._beside_changed = self._beside_changed or beside
                        raise
            else:
                await self._call(self._post_page, index, page, final=final)

    async def _post_page(self, index: int, page: str) -> None:
        """Page ``index`` in a new message: the next page, or one whose message was deleted
        meanwhile (the page goes on in a new message)."""
        await self._place(index, page, lambda: self._target.post(page))

    async def _reroute_page(self, index: int, page: str) -> None:
        """No edit can go out in time: the final page replaces its message by a new one."""
        await self._place(index, page, lambda: self._target.repost(self._refs[index], page))
        self._budget.deferred("rerouted")

    async def _place(
        self, index: int, page: str, post: Callable[[], Awaitable[str | None]]
    ) -> None:
        if self._before_post is not None:
            await self._before_post()
        ref = await post()
        if ref is None:
            raise _NoRoute
        if index < len(self._refs):
            self._refs[index], self._shown[index] = ref, page
        else:
            self._refs.append(ref)
            self._shown.append(page)
        if self._save_refs is not None:
            await self._save_refs(list(self._refs))

    async def _edit_page(self, index: int, page: str) -> None:
        await self._target.edit(self._refs[index], page)
        self._shown[index] = page

    async def _final_edit_slot(self, patience: float) -> bool:
        """Take the budget for a final edit, or False if it would wait past ``patience`` and
        the page should go out by another route."""
        wait = self._budget.final_wait()
        if wait is None or wait <= patience:
            try:
                async with asyncio.timeout(patience):
                    await self._budget.acquire(final=True)
                return True
            except TimeoutError:
                pass
        return False

    async def _call(
        self, op: Callable[[int, str], Awaitable[None]], index: int, page: str, *, final: bool
    ) -> None:
        attempts = _FINAL_ATTEMPTS if final else 1
        attempt = 0
        # A final edit may go out as a new message where posts are not in the edit budget.
        patience = None if self._limits.budget_posts else self._limits.final_patience
        while True:
            posting = op in (self._post_page, self._reroute_page)
            budgeted = self._limits.budget_posts or not posting
            attempt += 1
            if budgeted and final and op == self._edit_page and patience is not None:
                if not await self._final_edit_slot(patience):
                    op, budgeted = self._reroute_page, False
            elif budgeted:
                await self._budget.acquire(final=final)
            try:
                try:
                    async with self._in_flight:
                        await op(index, page)
                finally:
                    if budgeted:
                        self._budget.settled()  # its answer is in, whatever it was
                return
            except _NoRoute:  # no room for a new message either: wait for the edit
                op, patience, attempt = self._edit_page, None, attempt - 1
            except MessageGone:
                if op != self._edit_page:
                    raise
                log.warning("a message of this reply was deleted; continuing in a new message")
                op, attempt = self._post_page, attempt - 1
            except RateLimited as exc:
                wait = exc.retry_after or 1.0
                if budgeted:
                    self._budget.pause(wait)
                if attempt >= attempts:
                    raise
                log.debug("platform rate limit; waiting %.2fs", wait)
                if not budgeted:
                    await asyncio.sleep(wait)
            except PlatformUnavailable:
                if attempt >= attempts:
                    raise
                wait = _BACKOFF.delay(attempt)
                log.warning("the platform failed to take an update; trying again in %.1fs", wait)
                await asyncio.sleep(wait)
