"""``assistant-bot``: the one place that wires adapters, core and storage together."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.config import Settings, load_settings
from bot.engine import Engine
from bot.errors import ConfigError
from bot.logs import setup_logging
from bot.openai_backend import OpenAIBackend
from bot.service import PlatformService
from bot.shared_budget import budgets_for
from storage import store_from_url

log = logging.getLogger("assistant-bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every configured platform (the console if none is)")
    sub.add_parser("console", help="talk to the assistant in this terminal")
    return parser


def configured_services(settings: Settings) -> list[PlatformService]:
    """The platforms whose credentials are set. Adapters are imported only when used."""
    services: list[PlatformService] = []
    if settings.slack_bot_token:
        from adapters.slack import SlackService

        services.append(SlackService.from_settings(settings))
    if settings.discord_bot_token:
        from adapters.discord import DiscordService

        services.append(DiscordService.from_settings(settings))
    return services


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")


async def _serve(settings: Settings, command: str) -> None:
    store = store_from_url(settings.database_url)
    await store.open()
    backend = OpenAIBackend.from_settings(settings)
    engine = Engine(settings=settings, store=store, backend=backend)
    engine.budgets = budgets_for(store, engine.worker_id)  # shared on PostgreSQL
    services = configured_services(settings) if command == "run" else []
    try:
        if services:
            for service in services:
                engine.add_platform(service.platform)
            await engine.start()
            for service in services:
                await service.start(engine)
            log.info("running: %s", ", ".join(s.platform.name for s in services))
            await _wait_for_signal()
            for service in services:
                await service.stop()
        else:
            from adapters.console import ConsolePlatform, run_console

            engine.add_platform(ConsolePlatform())
            await engine.start()
            await run_console(engine)
    finally:
        await engine.stop(grace=settings.shutdown_grace)
        await engine.budgets.close()
        for service in services:
            # Optional: a service whose replies need its connection keeps it until now.
            close = getattr(service, "close", None)
            if close is not None:
                await close()
        await backend.close()
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"assistant-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets())
    try:
        asyncio.run(_serve(settings, args.command))
    except ConfigError as exc:  # found while connecting: a rejected token, a missing intent
        print(f"assistant-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
