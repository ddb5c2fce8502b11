"""Reply targets: an answer as replies to the person's message, or as the follow-ups of a
deferred ``/assistant ask``. Pacing is the core reply editor's; 429s that discord.py did not
wait out itself become ``RateLimited`` for it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import discord

from adapters.discord.waiting import Crowds, QuestionMark
from bot.errors import MessageGone, PlatformUnavailable, RateLimited

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
    """Pages of the answer reply to the person's message; generated files follow it."""

    def __init__(
        self,
        client: discord.Client,
        *,
        channel_id: int,
        message_id: int,
        crowds: Crowds | None = None,
    ) -> None:
        self._channel = client.get_partial_messageable(channel_id)
        self._reference = discord.MessageReference(
            message_id=message_id, channel_id=channel_id, fail_if_not_exists=False
        )
        self._typing = Typing(self._channel)
        self._posted = 0
        self._crowds = crowds if client.user is not None else None
        self._mark: QuestionMark | None = None
        if self._crowds is not None and client.user is not None:
            question = self._channel.get_partial_message(message_id)
            me = discord.Object(id=client.user.id)
            self._mark = QuestionMark(question, me, turn=self._crowds.turn(channel_id))
        self._opened = False

    async def post(self, text: str) -> str:
        # Only the first page notifies the person; continuations arrive with it.
        mentions = PING_AUTHOR if self._posted == 0 else NO_PINGS
        with rate_limits_translated():
            message = await self._channel.send(
                text, reference=self._reference, allowed_mentions=mentions
            )
        self._posted += 1
        if self._crowds is not None and self._mark is not None:
            self._crowds.posted(self._mark)
        return str(message.id)

    async def edit(self, ref: str, text: str) -> None:
        with rate_limits_translated():
            await self._channel.get_partial_message(int(ref)).edit(
                content=text, allowed_mentions=NO_PINGS
            )

    async def repost(self, ref: str, text: str) -> str | None:
        new = await self.post(text)
        with contextlib.suppress(discord.HTTPException):
            await self._channel.get_partial_message(int(ref)).delete()
        return new

    async def upload(self, filename: str, data: bytes) -> None:
        file = discord.File(io.BytesIO(data), filename=filename)
        with rate_limits_translated():
            await self._channel.send(
                file=file, reference=self._reference, allowed_mentions=NO_PINGS
            )

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


class InteractionReply:
    """The answer to a deferred command: the first follow-up replaces the "thinking…"
    message, later pages are further follow-ups, and each is edited as it grows."""

    def __init__(
        self,
        client: discord.Client,
        *,
        application_id: int,
        token: str,
        channel_id: int,
        acknowledged: Callable[[], Awaitable[None]],
    ) -> None:
        self._webhook = discord.Webhook.partial(application_id, token, client=client)
        self._acknowledged = acknowledged
        self._typing = Typing(client.get_partial_messageable(channel_id))

    async def post(self, text: str) -> str:
        # A follow-up before the deferral reached Discord would be "Unknown Webhook".
        await self._acknowledged()
        with rate_limits_translated():
            message = await self._webhook.send(text, wait=True, allowed_mentions=NO_PINGS)
        return str(message.id)

    async def edit(self, ref: str, text: str) -> None:
        with rate_limits_translated():
            await self._webhook.edit_message(int(ref), content=text, allowed_mentions=NO_PINGS)

    async def repost(self, ref: str, text: str) -> str | None:
        new = await self.post(text)
        with contextlib.suppress(discord.HTTPException):
            await self._webhook.delete_message(int(ref))
        return new

    async def upload(self, filename: str, data: bytes) -> None:
        file = discord.File(io.BytesIO(data), filename=filename)
        with rate_limits_translated():
            await self._webhook.send(file=file, wait=True, allowed_mentions=NO_PINGS)

    async def set_status(self, status: str | None) -> None:
        await self._typing.set(status)

    async def close(self) -> None:
        await self._typing.stop()
