"""The installed ``assistant-bot`` command, piped, against the OpenAI emulator."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.openai_emulator import OpenAIEmulator, Turn

SECRET = "sk-test-secret-0123456789abcdef"


def _command() -> list[str]:
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "app.cli"]


async def _run(args: list[str], stdin: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *_command(),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    except TimeoutError:
        process.kill()  # a hung bot must not outlive its test
        await process.wait()
        raise
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def bot_env(emulator: OpenAIEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY=SECRET,
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        LOG_LEVEL="DEBUG",
        POLL_INTERVAL="0.01",
    )
    return env


@pytest.mark.parametrize("subcommand", ["console", "run"])
async def test_piped_console_answers_and_exits(
    emulator: OpenAIEmulator, bot_env: dict[str, str], tmp_path: Path, subcommand: str
) -> None:
    emulator.script(
        Turn()
        .code("x = (14 - 11) / 3\nprint(x)", logs="1.0\n")
        .text("Subtract 11 from both sides, then divide by 3: **x = 1**.")
    )
    code, out, err = await _run([subcommand], "Solve 3x + 11 = 14\n", bot_env, tmp_path)
    assert code == 0, err
    assert out == (
        "```python\nx = (14 - 11) / 3\nprint(x)\n```\n\n"
        "```text\n1.0\n```\n\n"
        "Subtract 11 from both sides, then divide by 3: **x = 1**.\n"
    )
    assert SECRET not in out and SECRET not in err
    assert "Traceback" not in err


async def test_several_piped_lines_are_answered_in_order(
    emulator: OpenAIEmulator, bot_env: dict[str, str], tmp_path: Path
) -> None:
    emulator.script(Turn().text("first"), Turn().text("second"), Turn().text("third"))
    code, out, err = await _run(["console"], "one\n\ntwo\n/help\nthree\n", bot_env, tmp_path)
    assert code == 0, err
    assert "reset   start a new conversation" in out  # the help text
    assert out.index("first") < out.index("second") < out.index("third")
    assert len(emulator.response_requests()) == 3


async def test_piped_reset_waits_for_the_question_before_it(
    emulator: OpenAIEmulator, bot_env: dict[str, str], tmp_path: Path
) -> None:
    emulator.script(Turn().text("first answer"), Turn().text("second answer"))
    stdin = "first question\n/reset\nsecond question\n"
    code, out, err = await _run(["console"], stdin, bot_env, tmp_path)
    assert code == 0, err
    first, second = emulator.response_requests()
    # Answered before the reset: the first question stayed in the first conversation.
    assert first["conversation"] != second["conversation"]
    assert out.index("first answer") < out.index("second answer")
    lines = out.splitlines()
    assert lines[0] == "first answer" and lines[-1] == "second answer"


def test_sandbox_links_become_the_saved_path(tmp_path: Path) -> None:
    from adapters.console_rich import with_saved_paths

    saved = {"plot.png": tmp_path / "plot.png"}
    text = "See [plot.png](sandbox:/mnt/data/plot.png) and sandbox:/mnt/data/other.csv."
    assert with_saved_paths(text, saved) == (
        f"See **plot.png** (`{tmp_path / 'plot.png'}`) and other.csv."
    )
