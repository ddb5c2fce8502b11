from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_MODEL, load_settings
from bot.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "ASSISTANT_", "DATABASE_", "LOG_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123456")
    settings = load_settings()
    assert settings.assistant_model == DEFAULT_MODEL
    assert settings.database_url.startswith("sqlite:///")
    assert settings.tools == ("code_interpreter", "file_search", "functions")
    assert "sk-test" not in repr(settings)


def test_env_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("OPENAI_API_KEY=sk-from-file\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.openai_api_key.get_secret_value() == "sk-from-file"
    assert settings.log_level == "DEBUG"


def test_missing_key_names_the_variable(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match=r"^OPENAI_API_KEY is not set$"):
        load_settings()


def test_malformed_value_names_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123456")
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    monkeypatch.setenv("ASSISTANT_RUN_MODE", "sometimes")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).splitlines() == [
        "ASSISTANT_RUN_MODE is invalid: must be 'stream', 'background' or 'poll' (it is "
        "'sometimes')",
        "DATABASE_URL must start with sqlite:/// or postgresql://",
    ]


def test_secret_values_are_not_echoed(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "   ")
    with pytest.raises(ConfigError, match=r"^OPENAI_API_KEY is empty: set it to your OpenAI"):
        load_settings()


def test_cli_reports_config_error_in_one_line(clean_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "console"],
        input="hi\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=clean_env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == ("assistant-bot: configuration error: OPENAI_API_KEY is not set")
    assert "Traceback" not in done.stderr
