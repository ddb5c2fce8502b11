"""The one backoff helper (``bot.backoff``) and the one sliding window (``bot.window``)."""

from __future__ import annotations

import pytest

from bot.backoff import Backoff, retrying
from bot.errors import ConversationBusy, PlatformUnavailable, RateLimited
from bot.window import SlidingWindow


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first=0.5, cap=3.0)
    assert [backoff.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert Backoff(first=1.0, factor=3.0).delay(3) == 9.0


def test_a_rate_limit_says_how_long_to_wait() -> None:
    backoff = Backoff(first=0.5)
    assert backoff.after(RateLimited(retry_after=7.5), 1) == 7.5
    assert backoff.after(RateLimited(), 2) == 1.0  # said nothing: back off
    assert backoff.after(PlatformUnavailable(), 3) == 2.0


async def test_retrying_tries_again_until_the_call_succeeds() -> None:
    outcomes: list[Exception | str] = [PlatformUnavailable(), RateLimited(retry_after=0.001), "ok"]
    waits: list[float] = []

    async def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result = await retrying(
        call,
        attempts=3,
        on=(PlatformUnavailable, RateLimited),
        backoff=Backoff(first=0.0),
        note=lambda _, wait: waits.append(wait),
    )
    assert result == "ok" and not outcomes
    assert waits == [0.0, 0.001]


async def test_retrying_gives_up_with_the_last_error_and_never_retries_others() -> None:
    calls: list[int] = []

    async def busy() -> None:
        calls.append(1)
        raise ConversationBusy(str(len(calls)))

    with pytest.raises(ConversationBusy, match=r"^3$"):
        await retrying(busy, attempts=3, on=(ConversationBusy,), backoff=Backoff(first=0.0))
    calls.clear()
    with pytest.raises(ConversationBusy):
        await retrying(busy, attempts=3, on=(RateLimited,), backoff=Backoff(first=0.0))
    assert len(calls) == 1


def test_the_window_forgets_calls_older_than_it() -> None:
    window = SlidingWindow(3, 10.0)
    for at in (0.0, 1.0, 2.0):
        window.take(at)
    assert window.free(5.0) == 0
    assert window.room_in(1, 5.0) == 5.0  # the call at 0 leaves at 10
    assert window.room_in(2, 5.0) == 6.0
    assert window.room_in(4, 5.0) is None  # only three are in it
    assert window.free(10.0) == 1
    assert window.free(12.5) == 3


def test_the_window_is_shared_and_keeps_reserved_calls() -> None:
    processes = 2
    window = SlidingWindow(10, 60.0, share=lambda: processes)
    assert window.free() == 5
    window.reserve()
    window.take()
    assert window.free() == 3
    window.close()  # the reserved call is made: it counts as made, no longer as reserved
    assert window.reserved == 0 and window.free() == 3
    processes = 1
    assert window.free() == 8
    window.reserve()
    window.unreserve()
    window.unreserve()  # never below zero
    assert window.reserved == 0 and window.free() == 8
