"""``assistant-bot``: the one place that wires adapters, core and storage together."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import Settings, load_settings
from bot.engine import Engine
from bot.errors import ConfigError
from bot.logs import setup_logging
from bot.openai_backend import OpenAIBackend
from storage import store_from_url

log = logging.getLogger("assistant-bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every configured platform (the console until others are set)")
    sub.add_parser("console", help="talk to the assistant in this terminal")
    return parser


async def _serve(settings: Settings, command: str) -> None:
    store = store_from_url(settings.database_url)
    await store.open()
    backend = OpenAIBackend.from_settings(settings)
    engine = Engine(settings=settings, store=store, backend=backend)
    try:
        from adapters.console import ConsolePlatform, run_console

        engine.add_platform(ConsolePlatform())
        await engine.start()
        await run_console(engine)
    finally:
        await engine.stop()
        await backend.close()
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"assistant-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.openai_api_key.get_secret_value()])
    try:
        asyncio.run(_serve(settings, args.command))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
