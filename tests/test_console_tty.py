"""The installed ``assistant-bot console`` in a pseudo-terminal (``pexpect``), against the
OpenAI emulator: what a person at a terminal sees."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pexpect
import pytest

from tests.openai_emulator import OpenAIEmulator, Turn

TABLE_ANSWER = (
    "Here are the squares:\n\n"
    "| n | n squared |\n|---|---|\n| 2 | 4 |\n| 3 | 9 |\n\n"
    "The **largest** is 9, computed with `n * n`."
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _command() -> str:
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    assert installed, "the package is installed into the test environment (pip install -e .)"
    return installed


class Terminal:
    """A pexpect child driven from async tests (its blocking calls run in a thread)."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.seen = ""

    async def expect(self, pattern: str | type[pexpect.EOF]) -> str:
        """What came before ``pattern``, without the terminal's control codes."""
        await asyncio.to_thread(self.child.expect, pattern)
        before = ANSI.sub("", str(self.child.before))
        after = self.child.after if isinstance(self.child.after, str) else ""
        self.seen += before + ANSI.sub("", after)
        return before

    async def prompt(self) -> str:
        """Everything up to the next ``> `` prompt, without the terminal's control codes."""
        return await self.expect(r"(?:\r\n|^)(?:\x1b\[[0-9;?]*[A-Za-z])*> ")

    async def ended(self) -> int:
        await self.expect(pexpect.EOF)
        await asyncio.to_thread(self.child.wait)
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)


@pytest.fixture
async def terminal(emulator: OpenAIEmulator, tmp_path: Path) -> AsyncIterator[Terminal]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-secret-0123456789abcdef",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        ASSISTANT_MODEL="gpt-test-mini",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        TERM="xterm-256color",
        LOG_LEVEL="INFO",
    )
    child = pexpect.spawn(
        _command(),
        ["console"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=30,
    )
    term = Terminal(child)
    try:
        yield term
    finally:
        if child.isalive():
            child.terminate(force=True)


async def test_welcome_rendered_answer_help_and_ctrl_c_during_an_answer(
    terminal: Terminal, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    hold = asyncio.Event()
    emulator.script(
        Turn().text(TABLE_ANSWER, deltas=8),
        Turn()
        .text("Once upon a time there was a very long story.", deltas=10)
        .gate(hold, after_events=6),
    )
    welcome = await terminal.prompt()
    [line] = [w for w in welcome.splitlines() if w.strip()]
    assert re.fullmatch(
        r"assistant-bot \S+ · model gpt-test-mini · database \S+bot\.db · "
        r"/help for commands, /quit to leave",
        line,
    ), line

    terminal.child.sendline("Show me squares, see @missing.csv")
    shown = await terminal.prompt()
    assert "(no file missing.csv: the message is sent without it)" in shown
    assert "The largest is 9, computed with n * n." in shown  # Markdown rendered, not raw
    assert "**" not in shown and "`" not in shown and "|---|" not in shown
    assert re.search(r" n  n squared \r\n ─+ \r\n 2  4 ", shown)  # a drawn table
    assert "INFO" not in terminal.seen and "schema" not in terminal.seen  # the log is elsewhere
    log_file = tmp_path / "state" / "assistant-bot" / "log" / "console.log"
    assert "schema upgraded" in log_file.read_text()

    terminal.child.sendline("/help")
    shown = await terminal.prompt()
    assert "/reset" in shown and "/quit" in shown

    terminal.child.sendline("Tell me a long story")
    await terminal.expect("Once upon")  # streaming, held mid-answer by the emulator
    terminal.child.sendintr()
    assert await terminal.ended() == 0
    assert "The answer was stopped." in terminal.seen
    assert "Traceback" not in terminal.seen
    hold.set()
    [_, story] = emulator.response_requests()
    assert story["input"][0]["content"][0]["text"] == "Tell me a long story"


async def test_ctrl_c_at_the_prompt_ends_the_console(terminal: Terminal) -> None:
    await terminal.prompt()
    terminal.child.sendintr()
    assert await terminal.ended() == 0
    assert "Traceback" not in terminal.seen and "KeyboardInterrupt" not in terminal.seen
