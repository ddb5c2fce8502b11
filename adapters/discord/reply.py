"""Reply targets: an answer as replies to the person's message, or as the follow-ups of a
deferred ``/assistant ask``. Pacing is the core reply editor's; 429s that discord.py did not
wait out itself become ``RateLimited`` for it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, cast

import aiohttp
import discord

from adapters.discord.buttons import ButtonsOnMessages
from adapters.discord.ratelimits import channel_budget_key
from adapters.discord.waiting import Crowds, QuestionMark
from bot.buttons import Buttons
from bot.errors import MessageGone, PlatformUnavailable, RateLimited
from bot.steps import Steps

log = logging.getLogger(__name__)

TYPING_REFRESH = 8.0
"""Seconds between typing requests: Discord shows the indicator for 10 s after each."""

NO_PINGS = discord.AllowedMentions.none()
"""The model's text never pings anyone (no @everyone, no users, no roles)."""
PING_AUTHOR = discord.AllowedMentions(everyone=False, users=False, roles=False, replied_user=True)


UNKNOWN_MESSAGE = 10008


@contextlib.contextmanager
def rate_limits_translated() -> Iterator[None]:
    """A 429 that reaches us (no ``Via`` header, retries exhausted, or over discord.py's
    maximum wait) becomes ``bot.errors.RateLimited`` with the time to wait; a 5xx left after
    discord.py's own retries ``PlatformUnavailable``; Unknown Message (deleted meanwhile)
    ``MessageGone``. The reply editor handles each."""
    try:
        yield
    except discord.RateLimited as exc:
        raise RateLimited(
            "Discord rate limit", retry_after=exc.retry_after, platform="Discord"
        ) from exc
    except discord.NotFound as exc:
        if exc.code != UNKNOWN_MESSAGE:
            raise
        raise MessageGone("Discord: Unknown Message") from exc
    except discord.DiscordServerError as exc:
        raise PlatformUnavailable(f"Discord answered {exc.status}") from exc
    except discord.HTTPException as exc:
        if exc.status != 429:
            raise
        raise RateLimited(
            "Discord rate limit", retry_after=_retry_after(exc), platform="Discord"
        ) from exc
    except (aiohttp.ClientError, ConnectionError, TimeoutError) as exc:
        raise PlatformUnavailable(f"Discord: {type(exc).__name__}") from exc


def _retry_after(exc: discord.HTTPException) -> float:
    # Reset-After is precise; Retry-After is whole seconds, rounded up.
    headers = exc.response.headers
    value = headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After") or "1"
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 1.0


class Typing:
    """The typing indicator, renewed while a status is set."""

    def __init__(self, channel: discord.abc.Messageable) -> None:
        self._channel = channel
        self._task: asyncio.Task[None] | None = None

    async def set(self, status: str | None) -> None:
        if status is None:
            await self.stop()
        elif self._task is None or self._task.done():
            self._task = asyncio.create_task(self._renew(), name="discord-typing")

    async def _renew(self) -> None:
        while True:
            try:
                await self._channel.typing()
            except discord.DiscordException:
                log.debug("typing indicator failed", exc_info=True)
            await asyncio.sleep(TYPING_REFRESH)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class ChannelReply:
    """Pages of the answer reply to the person's message; generated files follow it.

    Each post carries a nonce made of the message answered and the page's number, which
    Discord enforces (discord.py sends ``enforce_nonce``): a post repeated within a few minutes
    returns the message already created. So a page posted just before a crash, whose id was
    not recorded yet, is adopted when the restarted job posts it again, not duplicated."""

    def __init__(
        self,
        client: discord.Client,
        *,
        channel_id: int,
        message_id: int,
        crowds: Crowds | None = None,
        posted: int = 0,
        mention: int | None = None,
        nonce: str | None = None,
    ) -> None:
        self.budget_key = channel_budget_key(channel_id)
        self._channel = client.get_partial_messageable(channel_id)
        self._reference = discord.MessageReference(
            message_id=message_id, channel_id=channel_id, fail_if_not_exists=False
        )
        self._nonce = (nonce or str(message_id))[:21]
        self._typing = Typing(self._channel)
        self._posted = posted
        self._crowds = crowds if client.user is not None else None
        self._mark: QuestionMark | None = None
        if self._crowds is not None and client.user is not None:
            question = self._channel.get_partial_message(message_id)
            me = discord.Object(id=client.user.id)
            self._mark = QuestionMark(question, me, turn=self._crowds.turn(channel_id))
        self._opened = False
        self._mention = mention
        """Who the first page notifies: the replied message's author if None."""
        self._buttons = ButtonsOnMessages()

    def set_buttons(self, buttons: Buttons | None) -> None:
        self._buttons.set_buttons(buttons)

    async def post(self, text: str) -> str:
        ref = await self._post(text, self._buttons.pending())
        self._buttons.claim(ref)
        return ref

    async def _post(self, text: str, extra: dict[str, Any]) -> str:
        # Only the first page notifies the person; continuations arrive with it.
        if self._posted:
            mentions = NO_PINGS
        elif self._mention is None:
            mentions = PING_AUTHOR
        else:
            mentions = discord.AllowedMentions(
                everyone=False,
                roles=False,
                replied_user=False,
                users=[discord.Object(self._mention)],
            )
        with rate_limits_translated():
            message = await self._channel.send(
                text,
                reference=self._reference,
                allowed_mentions=mentions,
                nonce=f"{self._nonce}-{self._posted}",
                **extra,
            )
            if message.content != text:
                # Discord handed back the page posted before a crash, as it was then.
                await message.edit(content=text, allowed_mentions=NO_PINGS, **extra)
        self._posted += 1
        if self._crowds is not None and self._mark is not None:
            self._crowds.posted(self._mark)
        return str(message.id)

    async def edit(self, ref: str, text: str) -> None:
        self._buttons.claim(ref)
        try:
            with rate_limits_translated():
                await self._channel.get_partial_message(int(ref)).edit(
                    content=text, allowed_mentions=NO_PINGS, **self._buttons.view_of(ref)
                )
        except MessageGone:
            self._buttons.unclaim(ref)
            raise

    async def repost(self, ref: str, text: str) -> str | None:
        self._buttons.claim(ref)
        new = await self._post(text, self._buttons.view_of(ref))
        self._buttons.moved(ref, new)
        with contextlib.suppress(discord.HTTPException):
            await self._channel.get_partial_message(int(ref)).delete()
        return new

    async def upload(self, filename: str, data: bytes) -> None:
        file = discord.File(io.BytesIO(data), filename=filename)
        with rate_limits_translated():
            await self._channel.send(
                file=file, reference=self._reference, allowed_mentions=NO_PINGS
            )

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    async def set_status(self, status: str | None) -> None:
        if status is not None and not self._opened and self._posted == 0:
            self._opened = True  # the answer is being worked on: it counts in the crowd
            if self._crowds is not None and self._mark is not None:
                self._crowds.opened(self._channel.id, self._mark)
        await self._typing.set(status)

    async def close(self) -> None:
        await self._typing.stop()
        if self._crowds is not None and self._mark is not None:
            self._crowds.closed(self._channel.id, self._mark)


INVALID_WEBHOOK_TOKEN = 50027
"""What Discord answers once an interaction's token has lived its 15 minutes."""
ORIGINAL = "@original"
CHANNEL_REF = "c:"
"""Prefix of the refs of pages continued as channel messages after the token expired."""


class _TokenExpired(Exception):
    pass


@contextlib.contextmanager
def _token_checked() -> Iterator[None]:
    try:
        yield
    except discord.HTTPException as exc:
        if exc.code == INVALID_WEBHOOK_TOKEN:
            raise _TokenExpired from exc
        raise


class InteractionReply:
    """The answer to a deferred command: the first page replaces the "thinking…" message (an
    edit of ``@original``, so posting it again after a crash changes the same message), later
    pages are follow-ups, and each is edited as it grows.

    An interaction's token lives 15 minutes. An answer still being written after that (a long
    run, or one taken up after a restart) can no longer be edited through it: it continues as
    ordinary channel messages replying to the command's message, after one line saying so."""

    def __init__(
        self,
        client: discord.Client,
        *,
        application_id: int,
        token: str,
        channel_id: int,
        interaction_id: str,
        user_id: int,
        refs: list[str],
        notice: str,
        acknowledged: Callable[[], Awaitable[None]],
    ) -> None:
        self.budget_key = channel_budget_key(channel_id)
        self._webhook = discord.Webhook.partial(application_id, token, client=client)
        self._client = client
        self._channel_id = channel_id
        self._interaction_id = interaction_id
        self._user_id = user_id
        self._notice = notice
        self._acknowledged = acknowledged
        self._typing = Typing(client.get_partial_messageable(channel_id))
        self._posted = len(refs)
        original = next((r for r in refs if not r.startswith(CHANNEL_REF)), None)
        self._original = int(original) if original else None
        self._expired = any(r.startswith(CHANNEL_REF) for r in refs)
        self._noticed = self._expired
        self._channel: ChannelReply | None = None
        self._buttons = ButtonsOnMessages()

    def set_buttons(self, buttons: Buttons | None) -> None:
        self._buttons.set_buttons(buttons)

    async def post(self, text: str) -> str:
        if not self._expired:
            # A follow-up before the deferral reached Discord would be "Unknown Webhook".
            await self._acknowledged()
            extra = self._buttons.pending()
            try:
                with rate_limits_translated(), _token_checked():
                    if self._posted == 0:
                        message = await self._webhook.edit_message(
                            cast(int, ORIGINAL), content=text, allowed_mentions=NO_PINGS, **extra
                        )
                        self._original = message.id
                    else:
                        message = await self._webhook.send(
                            text, wait=True, allowed_mentions=NO_PINGS, **extra
                        )
                self._posted += 1
                self._buttons.claim(str(message.id))
                return str(message.id)
            except _TokenExpired:
                self._expire()
        channel = await self._continued()
        self._buttons.hand_to(channel)
        return CHANNEL_REF + await channel.post(text)

    async def edit(self, ref: str, text: str) -> None:
        if ref.startswith(CHANNEL_REF):
            channel = await self._continued()
            self._buttons.hand_to(channel)
            await channel.edit(ref[len(CHANNEL_REF) :], text)
            return
        self._buttons.claim(ref)
        if not self._expired:
            try:
                with rate_limits_translated(), _token_checked():
                    await self._webhook.edit_message(
                        int(ref),
                        content=text,
                        allowed_mentions=NO_PINGS,
                        **self._buttons.view_of(ref),
                    )
                return
            except _TokenExpired:
                self._expire()
        # The editor continues the page in a new message, which post() puts in the channel.
        self._buttons.unclaim(ref)
        raise MessageGone("the interaction's token expired")

    def _expire(self) -> None:
        if not self._expired:
            log.info(
                "interaction %s: token expired; continuing in the channel", self._interaction_id
            )
        self._expired = True

    async def _continued(self) -> ChannelReply:
        """The channel messages that carry the answer on; the first time, the notice line."""
        if self._channel is not None:
            return self._channel
        # Without the command's message (it expired before the first page), the reference
        # names no message and Discord posts a plain message (fail_if_not_exists=False).
        reply_to = self._original or int(self._interaction_id)
        if not self._noticed:
            notice = ChannelReply(
                self._client,
                channel_id=self._channel_id,
                message_id=reply_to,
                mention=self._user_id,
                nonce=f"n{self._interaction_id}",
            )
            await notice.post(self._notice.format(user=f"<@{self._user_id}>"))
            self._noticed = True
        self._channel = ChannelReply(
            self._client,
            channel_id=self._channel_id,
            message_id=reply_to,
            posted=self._posted,
            mention=self._user_id,
            nonce=self._interaction_id,
        )
        return self._channel

    async def repost(self, ref: str, text: str) -> str | None:
        new = await self.post(text)
        with contextlib.suppress(discord.HTTPException):
            await self._webhook.delete_message(int(ref))
        return new

    async def upload(self, filename: str, data: bytes) -> None:
        if not self._expired:
            file = discord.File(io.BytesIO(data), filename=filename)
            try:
                with rate_limits_translated(), _token_checked():
                    await self._webhook.send(file=file, wait=True, allowed_mentions=NO_PINGS)
                return
            except _TokenExpired:
                self._expire()
        await (await self._continued()).upload(filename, data)

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    async def set_status(self, status: str | None) -> None:
        await self._typing.set(status)

    async def close(self) -> None:
        await self._typing.stop()
