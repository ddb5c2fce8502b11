"""``assistant-bot``: the one place that wires adapters, core and storage together."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from bot.config import Settings, load_settings
from bot.engine import Engine
from bot.errors import ConfigError, PlatformUnavailable, StorageError
from bot.logs import setup_logging
from bot.openai_backend import OpenAIBackend
from bot.service import PlatformService
from bot.shared_budget import budgets_for
from bot.startup import check_database_url, database_label, open_store

if TYPE_CHECKING:
    from adapters.health import HealthServer

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


def configured_services(settings: Settings, only: str | None = None) -> list[PlatformService]:
    """The platforms whose credentials are set, or those of one process type (``only``).
    Adapters are imported only when used."""
    slack_socket = settings.slack_app_token is not None
    want_slack = settings.slack_bot_token is not None and (
        only is None or (only == "worker") == slack_socket
    )
    want_discord = settings.discord_bot_token is not None and only in (None, "worker")
    services: list[PlatformService] = []
    if want_slack:
        from adapters.slack import SlackService

        services.append(SlackService.from_settings(settings))
    if want_discord:
        from adapters.discord import DiscordService

        services.append(DiscordService.from_settings(settings))
    if only == "web" and not services:
        raise ConfigError(
            "run --only web serves Slack in HTTP mode, which needs SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET, and SLACK_APP_TOKEN unset (with it, Slack runs in the worker)"
        )
    if only == "worker" and not services:
        raise ConfigError(
            "run --only worker serves Slack Socket Mode (SLACK_BOT_TOKEN and SLACK_APP_TOKEN) "
            "and Discord (DISCORD_BOT_TOKEN); none of them is set"
        )
    return services


def _stop_on_signal() -> asyncio.Event:
    """Set by SIGTERM or SIGINT; installed before anything starts, so a signal that comes
    while the platforms connect is a clean stop too."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _health(
    settings: Settings, engine: Engine, services: list[PlatformService]
) -> HealthServer | None:
    """Metrics for the engine, and /healthz, /readyz, /metrics: on Slack's HTTP port when
    it has one, and on METRICS_PORT when set. The server to start, if any."""
    from adapters.health import HealthRoutes, HealthServer
    from bot.prometheus import PrometheusMetrics

    metrics = PrometheusMetrics()
    engine.metrics = metrics
    engine.budgets.on_deferred = lambda budget, kind: metrics.reply_deferred(kind)
    store = engine.store

    async def database() -> bool:
        await store.schema_version()
        return True

    async def inbox_depth() -> int:
        return len(await store.jobs(statuses=["queued"]))

    checks = {"database": database} | {s.platform.name: s.connected for s in services}
    routes = HealthRoutes(metrics=metrics, checks=checks, inbox_depth=inbox_depth)
    http_port: int | None = None
    for service in services:
        if getattr(service, "mode", None) == "http":
            service.add_routes(routes.add_to)  # type: ignore[attr-defined]
            http_port = settings.port
    if settings.metrics_port is None or settings.metrics_port == http_port:
        return None
    return HealthServer(routes, port=settings.metrics_port)


async def _serve(settings: Settings, services: list[PlatformService]) -> None:
    store = await open_store(settings.database_url)
    backend = OpenAIBackend.from_settings(settings)
    engine = Engine(settings=settings, store=store, backend=backend)
    engine.budgets = budgets_for(store, engine.worker_id)  # shared on PostgreSQL
    health = _health(settings, engine, services)
    try:
        if health is not None:
            await health.start()
        if services:
            for service in services:
                engine.add_platform(service.platform)
            stop = _stop_on_signal()
            await engine.start()
            for service in services:
                await service.start(engine)
            stop = _stop_on_signal()
            log.info("running: %s", ", ".join(s.platform.name for s in services))
            await stop.wait()
            log.info("shutting down")
            for service in services:
                await service.stop()
        else:
            from adapters.console import ConsolePlatform, run_console

            console = ConsolePlatform(
                files_dir=settings.console_files_dir, rich=sys.stdout.isatty()
            )
            engine.add_platform(console)
            await engine.start()
            try:
                await run_console(
                    engine, welcome=_welcome(settings), files_dir=settings.console_files_dir
                )
            finally:
                await console.close()
    finally:
        if health is not None:
            await health.stop()
        await engine.stop(grace=settings.shutdown_grace)
        await engine.budgets.close()
        for service in services:
            # Optional: a service whose replies need its connection keeps it until now.
            close = getattr(service, "close", None)
            if close is not None:
                await close()
        await backend.close()
        await store.close()


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
        services = configured_services(settings, args.only) if args.command == "run" else []
    except ConfigError as exc:
        return _fail("configuration error", exc, 2)
    chat = args.command == "console" or not services
    if chat and sys.stderr.isatty() and not args.verbose:
        # The log would land in the conversation: it goes to a file instead.
        setup_logging(settings.log_level, settings.secrets(), file=_log_file())
    else:
        setup_logging(settings.log_level, settings.secrets())
    try:
        asyncio.run(_serve(settings, services))
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
