"""Real bot processes for the several-process tests and the benchmark (``tests/test_scale_*``,
``bench/scale.py``): start them, follow their logs, wait for a line, SIGKILL or stop them.

``slack_bot`` runs ``tests.scale_bot`` (``assistant-bot run`` with Slack's per-minute tiers on
a shorter clock, see there); ``assistant_bot`` the installed ``assistant-bot run`` itself.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**values: str) -> dict[str, str]:
    """This environment without proxies (slack_sdk honours them, ignoring NO_PROXY), plus
    ``values``."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(values)
    return env


def assistant_bot() -> list[str]:
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "app.cli"]


def slack_bot() -> list[str]:
    return [sys.executable, "-m", "tests.scale_bot"]


class BotProcess:
    """One ``run`` process; its log (stderr) is kept in ``lines`` and in ``log_path``."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, log_path: Path) -> None:
        self.name, self.proc, self.log_path = name, proc, log_path
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read(), name=f"log-{name}")

    @classmethod
    async def start(
        cls, name: str, command: list[str], env: dict[str, str], log_dir: Path
    ) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            *command,
            "run",
            env=env,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(name, proc, log_dir / f"{name}.log")

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        with self.log_path.open("w") as out:
            while raw := await self.proc.stderr.readline():
                line = raw.decode(errors="replace")
                out.write(line)
                async with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def line(self, pattern: str, within: float = 60) -> re.Match[str]:
        """The first log line matching ``pattern`` (waiting for it); AssertionError if the
        process ends first."""
        regex = re.compile(pattern)
        found: list[re.Match[str]] = []

        def seen() -> bool:
            found[:] = [m for m in map(regex.search, self.lines) if m][:1]
            return bool(found) or self._reader.done()

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(seen)
        if not found:
            raise AssertionError(f"{self.name} ended without logging {pattern!r}:\n{self.log}")
        return found[0]

    async def kill(self) -> None:
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        await self._reader

    async def stop(self, within: float = 60) -> int:
        """SIGTERM (a graceful stop); the exit code."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(within):
                code = await self.proc.wait()
        except TimeoutError:
            await self.kill()
            raise
        await self._reader
        return code


async def stop_all(processes: list[BotProcess]) -> None:
    """Cleanup: kill whatever still runs."""
    for process in processes:
        await process.kill()
