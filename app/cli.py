"""``assistant-bot``: the command line (its wiring of adapters, core and storage is in
``app.wiring``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import platformdirs

from app import wiring
from app.startup import check_database_url, database_label
from bot.config import Settings, load_settings
from bot.errors import ConfigError, PlatformUnavailable, StorageError
from bot.logs import setup_logging

log = logging.getLogger("assistant-bot")

DESCRIPTION = """\
An AI assistant for Slack, Discord and the terminal, answering with OpenAI's models.

commands:
  run       serve every configured platform: Slack when SLACK_BOT_TOKEN is set (Socket
            Mode with SLACK_APP_TOKEN, else HTTP on PORT), Discord when DISCORD_BOT_TOKEN
            is set; with neither, the same chat as `console`
  console   talk to the assistant in this terminal; piped input is answered line by line,
            in order, then it exits

`assistant-bot COMMAND --help` tells more about a command."""

EPILOG = """\
key environment variables (also read from a .env file in the current folder):
  OPENAI_API_KEY       required: your OpenAI API key
  DATABASE_URL         sqlite:///assistant-bot.db (default) or postgresql://user@host/db
  ASSISTANT_MODEL      the model (default gpt-5-mini)
  SLACK_BOT_TOKEN      Slack: the xoxb- token; with SLACK_APP_TOKEN (xapp-) Socket Mode,
                       else HTTP mode, which needs SLACK_SIGNING_SECRET and PORT
  DISCORD_BOT_TOKEN    Discord: the bot token
  METRICS_PORT         serve /healthz, /readyz and /metrics on this port
  LOG_LEVEL            DEBUG, INFO (default), WARNING, ERROR

Every setting, its default and the checks made at start-up: the "Configuration" table in
README.md. Exit status: 0 after a clean stop, 2 for a setting to fix, 3 when the database
or a platform cannot be reached at start-up."""

RUN_EPILOG = """\
process types (a Procfile runs one each, so no connection is opened twice):
  --only web      Slack in HTTP mode: the events endpoint /slack/events on PORT, with
                  /healthz, /readyz and /metrics on the same port
  --only worker   the long-lived connections: Slack Socket Mode and Discord
                  (health and metrics on METRICS_PORT when set)
Without --only, everything configured runs in this one process. Several processes on one
database split its work; for that use PostgreSQL (SQLite serves one process well)."""


def package_version() -> str:
    try:
        return version("assistant-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="assistant-bot", description=DESCRIPTION, epilog=EPILOG, formatter_class=raw
    )
    parser.add_argument("--version", action="version", version=f"assistant-bot {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="serve the configured platforms",
        description="Serve every configured platform (the terminal chat when none is).",
        epilog=RUN_EPILOG,
        formatter_class=raw,
    )
    run.add_argument(
        "--only",
        choices=("web", "worker"),
        help="run one process type: web (Slack HTTP mode) or worker (Socket Mode, Discord)",
    )
    console = sub.add_parser(
        "console",
        help="talk to the assistant in this terminal",
        description="Talk to the assistant in this terminal. Type /help in the chat.",
    )
    for command in (run, console):
        command.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="show the log in the terminal during a chat (it goes to a log file otherwise)",
        )
    return parser


def _welcome(settings: Settings) -> str:
    return (
        f"assistant-bot {package_version()} · model {settings.assistant_model} · "
        f"database {database_label(settings.database_url)} · /help for commands, /quit to leave"
    )


def _log_file() -> Path:
    return Path(platformdirs.user_log_dir("assistant-bot")) / "console.log"


def _fail(kind: str, exc: Exception, status: int) -> int:
    for line in str(exc).splitlines():
        print(f"assistant-bot: {kind}: {line}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        check_database_url(settings.database_url)
        services = wiring.configured_services(settings, args.only) if args.command == "run" else []
    except ConfigError as exc:
        return _fail("configuration error", exc, 2)
    chat = args.command == "console" or not services
    if chat and sys.stderr.isatty() and not args.verbose:
        # The log would land in the conversation: it goes to a file instead.
        setup_logging(settings.log_level, settings.secrets(), file=_log_file())
    else:
        setup_logging(settings.log_level, settings.secrets())
    try:
        asyncio.run(wiring.serve(settings, services, welcome=_welcome(settings)))
    except ConfigError as exc:  # found while connecting: a rejected token, a missing intent
        return _fail("configuration error", exc, 2)
    except (StorageError, PlatformUnavailable) as exc:
        log.debug("start-up failed", exc_info=exc.__cause__ or exc)
        return _fail("cannot start", exc, 3)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
