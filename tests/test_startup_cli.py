"""The installed ``assistant-bot`` at start-up: each misconfiguration ends the process soon,
with a status ≠ 0 and a few lines naming the setting (no traceback, no hang); two processes
starting at once on a fresh database both come up."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.openai_emulator import OpenAIEmulator
from tests.postgres_db import fresh_schema
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import SlackEmulator

SECRET = "sk-test-secret-0123456789abcdef"
HANG = 45.0
"""Seconds after which a start-up that has not ended counts as hung (a clean failure takes
well under one; the bound only keeps a hang from stalling the suite)."""


def _command() -> list[str]:
    installed = shutil.which("assistant-bot", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "app.cli"]


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if "PROXY" not in k.upper()
        and not k.startswith(("OPENAI_", "SLACK_", "DISCORD_", "DATABASE_", "LOG_"))
    }
    env.update(OPENAI_API_KEY=SECRET, DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    return env


def _closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start_failure(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run until the process ends by itself; its status and stderr. stdout stays empty."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *_command(),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=HANG)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"still running after {HANG:.0f} s: it hangs") from None
    print(f"{args} ended in {time.monotonic() - started:.2f} s")
    assert out == b""
    return process.returncode or 0, err.decode()


def _assert_clean(err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert "Traceback" not in err, err
    assert SECRET not in err
    assert len(lines) <= 3, err
    ours = [line for line in lines if line.startswith("assistant-bot: ")]
    assert len(ours) == 1, err
    for words in expected:
        assert words in ours[0], err


async def test_database_url_naming_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping: milk, eggs\n")
    env = _base_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'notes.txt'}"}
    code, err = await _start_failure(["console"], env, tmp_path)
    assert code == 2
    _assert_clean(err, "configuration error: DATABASE_URL", "is not a SQLite database")
    assert (tmp_path / "notes.txt").read_text() == "shopping: milk, eggs\n"  # left alone


async def test_sqlite_path_in_a_missing_folder(tmp_path: Path) -> None:
    env = _base_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'nope' / 'bot.db'}"}
    code, err = await _start_failure(["run"], env, tmp_path)
    assert code == 2
    _assert_clean(err, "DATABASE_URL", "a folder that does not exist", "create the folder")


async def test_empty_openai_key_with_a_platform_token(tmp_path: Path) -> None:
    env = _base_env(tmp_path) | {
        "OPENAI_API_KEY": "",
        "SLACK_BOT_TOKEN": "xoxb-test-0123456789",
        "SLACK_APP_TOKEN": "xapp-test-0123456789",
    }
    code, err = await _start_failure(["run"], env, tmp_path)
    assert code == 2
    _assert_clean(err, "configuration error: OPENAI_API_KEY is empty")
    assert "xoxb-test" not in err and "xapp-test" not in err


async def test_slack_app_token_without_bot_token(tmp_path: Path) -> None:
    env = _base_env(tmp_path) | {"SLACK_APP_TOKEN": "xapp-test-0123456789"}
    code, err = await _start_failure(["run"], env, tmp_path)
    assert code == 2
    _assert_clean(err, "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not")
    assert "xapp-test" not in err


async def test_validation_messages_are_reworded(tmp_path: Path) -> None:
    env = _base_env(tmp_path) | {"DATABASE_URL": "mysql://db/bot"}
    code, err = await _start_failure(["run"], env, tmp_path)
    assert code == 2
    _assert_clean(err, "DATABASE_URL must start with sqlite:/// or postgresql://")
    assert "Value error" not in err


async def test_postgres_unreachable(tmp_path: Path) -> None:
    url = f"postgresql://bot:hunter2secret@127.0.0.1:{_closed_port()}/bot"
    env = _base_env(tmp_path) | {"DATABASE_URL": url}
    code, err = await _start_failure(["console"], env, tmp_path)
    assert code == 3
    _assert_clean(err, "cannot start: cannot open the database", "connection refused")
    assert "hunter2secret" not in err


async def test_slack_api_unreachable_at_start(tmp_path: Path) -> None:
    env = _base_env(tmp_path) | {
        "SLACK_BOT_TOKEN": "xoxb-test-0123456789",
        "SLACK_SIGNING_SECRET": "signing-secret-0123",
        "SLACK_API_URL": f"http://127.0.0.1:{_closed_port()}/api/",
        "PORT": "0",
        "LOG_LEVEL": "WARNING",
    }
    code, err = await _start_failure(["run"], env, tmp_path)
    assert code == 3
    _assert_clean(err, "cannot reach the Slack API", "SLACK_API_URL")


# Two processes at once on a fresh database.


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        async with fresh_schema() as url:
            yield url


async def _until_line(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> None:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("the bot exited early:\n" + "".join(seen))
        seen.append(line)
        if re.search(pattern, line):
            return


async def test_two_processes_start_at_once_on_a_fresh_database(
    emulator: OpenAIEmulator, slack: SlackEmulator, fresh_database: str, tmp_path: Path
) -> None:
    env = _base_env(tmp_path) | {
        "OPENAI_BASE_URL": emulator.base_url,
        "DATABASE_URL": fresh_database,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "PORT": "0",
    }
    processes = [
        await asyncio.create_subprocess_exec(
            *_command(),
            "run",
            "--only",
            "web",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    logs: list[list[str]] = [[], []]
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(
                *(
                    _until_line(p.stderr, r"running: slack", seen)  # type: ignore[arg-type]
                    for p, seen in zip(processes, logs, strict=True)
                )
            )
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process, seen in zip(processes, logs, strict=True):
            _, err = await asyncio.wait_for(process.communicate(), timeout=60)
            seen.append(err.decode())
    for process, seen in zip(processes, logs, strict=True):
        text = "".join(seen)
        assert process.returncode == 0, text
        assert "Traceback" not in text and "already exists" not in text, text
    upgraded = [s for s in logs if "schema upgraded from version 0" in "".join(s)]
    assert len(upgraded) == 1  # one made the schema, the other found it made


async def test_help_and_version(tmp_path: Path) -> None:
    env = _base_env(tmp_path)
    process = await asyncio.create_subprocess_exec(
        *_command(), "--help", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=HANG)
    assert process.returncode == 0
    text = out.decode()
    for words in ("run ", "console ", "OPENAI_API_KEY", "DATABASE_URL", "README.md", "--version"):
        assert words in text
    assert "the one place that wires" not in text  # not the module's docstring
    process = await asyncio.create_subprocess_exec(
        *_command(), "run", "--help", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=HANG)
    assert "--only web" in out.decode() and "--only worker" in out.decode()
    process = await asyncio.create_subprocess_exec(
        *_command(), "--version", env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=HANG)
    assert re.fullmatch(r"assistant-bot \d+\.\d+\.\d+\S*\n", out.decode())
