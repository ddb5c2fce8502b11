"""A mark on each question waiting in a crowded channel.

A channel's messages share one bucket (5 creates and edits per 5 s), and every open answer
keeps a write for its final text: with as many answers open in a channel as the bucket has
writes, none can show progress, and each person would see only "typing…" until their answer
appears whole. Any progress message would spend a write a final needs (ten answers ending
together fill two windows exactly; one more write pushes an answer into a third). Reactions
have a bucket of their own, so each waiting question gets ⏳ instead: every person sees that
theirs is being answered, at no cost to any final. The mark goes when the answer's first
message appears; discord.py paces the reaction calls by their own rate-limit headers."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

log = logging.getLogger(__name__)

WAITING = "\N{HOURGLASS WITH FLOWING SAND}"


class QuestionMark:
    """The ⏳ on one question: shown on request, removed once (both in the background)."""

    def __init__(
        self,
        message: discord.PartialMessage,
        me: discord.abc.Snowflake,
        *,
        turn: asyncio.Lock | None = None,
    ) -> None:
        self._message = message
        self._me = me
        self._turn = turn or asyncio.Lock()
        """Held for each reaction call: one at a time per channel, so discord.py paces them
        by its bucket's headers without several waiting on it at once."""
        self._adding: asyncio.Task[bool] | None = None
        self._done = False

    @property
    def waiting(self) -> bool:
        return not self._done

    def show(self) -> None:
        if not self._done and self._adding is None:
            self._adding = asyncio.create_task(self._add(), name="discord-mark")

    async def _add(self) -> bool:
        try:
            async with self._turn:
                if self._done:
                    return False  # answered while waiting its turn: never shown
                await self._message.add_reaction(WAITING)
        except discord.HTTPException as exc:  # no Add Reactions permission, message deleted
            log.debug("question not marked as waiting: %s", exc)
            return False
        return True

    async def clear(self) -> None:
        """The answer is showing: take the mark away (or never add it)."""
        if self._done:
            return
        self._done = True
        adding, self._adding = self._adding, None
        if adding is None:
            return
        # Not cancelled: a request already sent would still add the mark, with nobody left
        # to take it away.
        [added] = await asyncio.gather(adding, return_exceptions=True)
        if added is True:
            with contextlib.suppress(discord.HTTPException):
                async with self._turn:
                    await self._message.remove_reaction(WAITING, self._me)


class Crowds:
    """Open answers per channel; past ``size`` of them, every question still without a
    message of its answer is marked."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._open: dict[int, list[QuestionMark]] = {}
        self._turns: dict[int, asyncio.Lock] = {}
        self._clearing: set[asyncio.Task[None]] = set()

    def turn(self, channel_id: int) -> asyncio.Lock:
        """The lock a channel's reaction calls take one at a time."""
        return self._turns.setdefault(channel_id, asyncio.Lock())

    def opened(self, channel_id: int, mark: QuestionMark) -> None:
        marks = self._open.setdefault(channel_id, [])
        marks.append(mark)
        if len(marks) >= self.size:
            for waiting in marks:
                waiting.show()

    def posted(self, mark: QuestionMark) -> None:
        """The answer's first message is up: its mark goes (the answer still counts)."""
        if mark.waiting:
            task = asyncio.create_task(mark.clear(), name="discord-unmark")
            self._clearing.add(task)
            task.add_done_callback(self._clearing.discard)

    def closed(self, channel_id: int, mark: QuestionMark) -> None:
        marks = self._open.get(channel_id, [])
        if mark in marks:
            marks.remove(mark)
        if not marks:
            self._open.pop(channel_id, None)
            turn = self._turns.get(channel_id)
            if turn is not None and not turn.locked():
                del self._turns[channel_id]
        self.posted(mark)
