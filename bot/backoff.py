"""The one way to wait before trying again: exponential backoff, or as long as a rate limit
said (``RateLimited.retry_after``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.errors import RateLimited

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """``first`` seconds after the first failure, ``factor`` times longer after each next one,
    never more than ``cap``."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row (1 or more)."""
        return min(self.cap, self.first * self.factor ** max(0, failures - 1))

    def after(self, error: BaseException, failures: int) -> float:
        """A rate limit's ``retry_after`` where it said one, else ``delay``."""
        if isinstance(error, RateLimited) and error.retry_after:
            return error.retry_after
        return self.delay(failures)


async def retrying(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    on: tuple[type[Exception], ...],
    backoff: Backoff = Backoff(),
    note: Callable[[Exception, float], None] | None = None,
) -> T:
    """``call()`` until it returns, at most ``attempts`` times while it raises one of ``on``
    (the last such error is raised); ``note(error, wait)`` is told before each wait."""
    for failures in range(1, attempts):
        try:
            return await call()
        except on as error:
            wait = backoff.after(error, failures)
            if note is not None:
                note(error, wait)
            await asyncio.sleep(wait)
    return await call()
