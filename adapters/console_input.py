"""Reading the terminal without blocking the event loop or the exit, and racing work
against Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable
from typing import TextIO, TypeVar


def next_interrupt(loop: asyncio.AbstractEventLoop) -> asyncio.Event:
    """An event for the next Ctrl-C (after a first one, which is already handled)."""
    again = asyncio.Event()
    try:
        loop.add_signal_handler(signal.SIGINT, again.set)
    except (NotImplementedError, RuntimeError):
        pass
    return again


T = TypeVar("T")


async def first_of(work: Awaitable[T], interrupted: asyncio.Event) -> T | None:
    """``work``'s result, or None if ``interrupted`` is set first (``work`` is cancelled)."""
    task = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(interrupted.wait())
    await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    stop.cancel()
    if task.done():
        return task.result()
    task.cancel()
    return None


class LineReader:
    """Lines from ``source`` read by a daemon thread: a read blocked on the terminal never
    keeps the process from exiting (an executor's thread would)."""

    def __init__(self, source: TextIO) -> None:
        self._loop = asyncio.get_running_loop()
        self._lines: asyncio.Queue[str] = asyncio.Queue()
        threading.Thread(target=self._read, args=(source,), daemon=True).start()

    def _read(self, source: TextIO) -> None:
        while True:
            try:
                line = source.readline()
            except (OSError, ValueError):
                line = ""
            try:
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            except RuntimeError:  # the loop is closed: the console has ended
                return
            if not line:
                return

    async def next(self) -> str:
        return await self._lines.get()
