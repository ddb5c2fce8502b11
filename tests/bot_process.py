"""Helpers for tests that run the real ``assistant-bot`` command as a subprocess."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path


def bot_command() -> list[str]:
    """The installed ``assistant-bot`` beside this interpreter, else ``python -m app.cli``."""
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "app.cli"]


async def line_matching(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> str:
    """Read the bot's output up to a line matching ``pattern``; its first group. Every line
    read is kept in ``seen`` for the failure message and later assertions."""
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("the bot exited early:\n" + "".join(seen))
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match.group(1)
