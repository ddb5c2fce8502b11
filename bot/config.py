"""One typed settings object, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError


class RunMode(StrEnum):
    """How an answer is run; the value is what profiles and runs store."""

    STREAM = "stream"
    """Streamed as it is written."""
    BACKGROUND = "background"
    """Streamed from a background response, which a restart resumes."""
    POLL = "poll"
    """A background response polled until complete (long jobs)."""


ModelApiSetting = Literal["responses", "chat_completions"]

DEFAULT_MODEL = "gpt-5-mini"
DEFAULT_INSTRUCTIONS = (
    "You are a helpful assistant in a team chat. Answer clearly and concisely. "
    "When a question needs calculation or data analysis, write and run Python code."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    openai_api_key: SecretStr
    openai_base_url: str | None = None
    model_api: ModelApiSetting = "responses"
    model_base_urls: str = ""
    chat_history_tokens: int = Field(default=6000, ge=200)
    assistant_model: str = DEFAULT_MODEL
    assistant_instructions: str = DEFAULT_INSTRUCTIONS
    assistant_tools: str = "code_interpreter,file_search,functions"
    assistant_run_mode: RunMode = RunMode.STREAM
    assistant_reasoning_summary: Literal["off", "auto", "concise", "detailed"] = "off"
    """Ask a reasoning model for summaries of its reasoning (shown as a step, never in the
    answer); models without reasoning refuse the parameter, so it is off by default."""
    database_url: str = "sqlite:///assistant-bot.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    openai_max_retries: int = Field(default=3, ge=0, le=10)
    openai_timeout: float = Field(default=120.0, gt=0)
    poll_interval: float = Field(default=1.0, gt=0)
    max_concurrent_runs: int = Field(default=32, ge=1)
    max_file_mb: float = Field(default=50.0, gt=0)
    max_image_mb: float = Field(default=20.0, gt=0)
    max_data_mb: float = Field(default=10.0, gt=0)
    max_document_mb: float = Field(default=20.0, gt=0)
    extra_data_types: str = ""
    thread_documents_expire_days: int = Field(default=30, ge=0)
    event_retention_days: int = Field(default=7, ge=1)
    shutdown_grace: float = Field(default=20.0, ge=0)
    model_prices: str = (
        "gpt-5-mini=0.25/2.00,gpt-5=1.25/10.00,gpt-4.1-mini=0.40/1.60,gpt-4.1=2.00/8.00"
    )
    admin_user_ids: str = ""
    max_tool_rounds: int = Field(default=5, ge=1, le=50)
    max_model_rounds: int = Field(default=8, ge=1, le=100)
    job_lease_seconds: float = Field(default=60.0, gt=0)
    mcp_approval_timeout: float = Field(default=600.0, gt=0)

    # Slack (adapters/slack): configured when SLACK_BOT_TOKEN is set.
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = Field(default=None, validate_default=True)
    slack_api_url: str = "https://slack.com/api/"
    slack_file_hosts: str = ""
    slack_native_streaming: bool = True
    port: int = Field(default=3000, ge=0, le=65535)
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    console_files_dir: Path | None = None

    # Discord (adapters/discord): configured when DISCORD_BOT_TOKEN is set.
    discord_bot_token: SecretStr | None = None
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    discord_cdn_hosts: str = "cdn.discordapp.com,media.discordapp.net"
    discord_guild_ids: str = ""
    discord_assistant_channels: str = ""
    discord_allow_dms: bool = True
    discord_admin_role_ids: str = ""
    discord_guild_ready_timeout: float = Field(default=2.0, ge=0)
    discord_shard_count: int | Literal["auto"] | None = None
    discord_shard_ids: str = ""

    @field_validator("model_api", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("model_base_urls")
    @classmethod
    def _urls(cls, value: str) -> str:
        for url in (u.strip() for u in value.split(",") if u.strip()):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return value

    @field_validator("openai_api_key")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is empty: set it to your OpenAI API key")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @model_validator(mode="after")
    def _slack_pair(self) -> Settings:
        if self.slack_app_token is not None and self.slack_bot_token is None:
            raise ValueError(
                "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: set SLACK_BOT_TOKEN "
                "(the app's xoxb- Bot User OAuth Token) too, or unset SLACK_APP_TOKEN"
            )
        return self

    @field_validator("discord_guild_ids", "discord_assistant_channels", "discord_admin_role_ids")
    @classmethod
    def _discord_ids(cls, value: str) -> str:
        if not all(part.strip().isdigit() for part in value.split(",") if part.strip()):
            raise ValueError("must be Discord ids (numbers) separated by commas")
        return value

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or None
            if value is not None and value.isdigit():
                value = int(value)
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1, or auto")
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, value: str, info: ValidationInfo) -> str:
        ids = [part.strip() for part in value.split(",") if part.strip()]
        if not ids:
            return value
        if not all(part.isdigit() for part in ids):
            raise ValueError("must be shard numbers separated by commas, e.g. 0,1")
        count = info.data.get("discord_shard_count")
        if not isinstance(count, int):
            raise ValueError("needs DISCORD_SHARD_COUNT set to the number of shards")
        if any(int(part) >= count for part in ids):
            raise ValueError(f"shards are numbered 0 to {count - 1}")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _slack_http_mode(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if (
            value is None
            and info.data.get("slack_bot_token")
            and not info.data.get("slack_app_token")
        ):
            raise ValueError("must be set for Slack's HTTP mode (SLACK_APP_TOKEN is not set)")
        return value

    def secrets(self) -> list[str]:
        """Every secret value, so logging can redact them."""
        values = [
            self.openai_api_key,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.discord_bot_token,
        ]
        return [v.get_secret_value() for v in values if v is not None]

    def price_of(self, model: str) -> tuple[float, float]:
        """US dollars per million input and output tokens of the longest listed name that
        starts ``model`` (``gpt-5-mini-2025…`` → ``gpt-5-mini``); 0 when none is listed."""
        best: tuple[int, float, float] = (-1, 0.0, 0.0)
        for entry in self.model_prices.split(","):
            name, _, prices = entry.partition("=")
            price_in, _, price_out = prices.partition("/")
            name = name.strip()
            if name and model.startswith(name) and len(name) > best[0]:
                try:
                    best = (len(name), float(price_in), float(price_out))
                except ValueError:
                    continue
        return best[1], best[2]

    @property
    def base_urls(self) -> tuple[str, ...]:
        """Chat Completions servers an admin may choose for a profile (the API key is sent
        to them, so only the deployer lists them)."""
        return tuple(u.strip().rstrip("/") for u in self.model_base_urls.split(",") if u.strip())

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.admin_user_ids.split(",") if u.strip())

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.assistant_tools.split(",") if t.strip())


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the settings; each problem becomes one line of a ConfigError naming the variable."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(err) for err in exc.errors())) from None


_SECRET_NAMES = ("KEY", "TOKEN", "SECRET")


def _describe(err: Any) -> str:
    """One validation error in words for people, not pydantic's "Value error, …"."""
    name = str(err["loc"][0]).upper() if err["loc"] else ""
    if err["type"] == "missing":
        return f"{name} is not set"
    if err["type"] == "value_error":
        # Our own validators' words: "must start with …", "is empty: …".
        reason = str(err["ctx"]["error"]) if "ctx" in err else str(err["msg"])
        if not name:
            return reason
        joiner = " " if reason.startswith(("is ", "must ", "needs ")) else ": "
        return f"{name}{joiner}{reason}"
    reason = str(err["msg"])
    reason = reason[:1].lower() + reason[1:]
    reason = reason.replace("input should be", "must be")
    if any(part in name for part in _SECRET_NAMES):
        return f"{name} is invalid: {reason}"
    return f"{name} is invalid: {reason} (it is {err['input']!r})"
