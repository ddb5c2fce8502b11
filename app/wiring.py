"""The composition root: each object built once, with what it needs, in dependency order
(store → backend → metrics and budgets → the engine's turn deps → engine → commands), then
the platforms started and stopped around it."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.startup import open_store
from bot.backends import Backends
from bot.budget_registry import BudgetRegistry
from bot.builtin_functions import standard_registry
from bot.command_deps import CommandDeps
from bot.config import Settings
from bot.engine import Engine, new_worker_id
from bot.errors import ConfigError
from bot.functions import FunctionRegistry
from bot.language import Languages
from bot.metrics import Metrics, NullMetrics
from bot.openai_backend import OpenAIBackend
from bot.ports import Store
from bot.service import PlatformService
from bot.shared_budget import budgets_for
from bot.turn_deps import TurnDeps
from bot.types import Platform

if TYPE_CHECKING:
    from adapters.health import HealthServer
    from bot.prometheus import PrometheusMetrics

log = logging.getLogger("assistant-bot")


@dataclass(frozen=True)
class Core:
    """The platform-neutral core, ready to start: the engine, and what commands use."""

    engine: Engine
    commands: CommandDeps


def build_core(
    *,
    settings: Settings,
    store: Store,
    backend: OpenAIBackend,
    platforms: Sequence[Platform],
    functions: FunctionRegistry | None = None,
    metrics: Metrics | None = None,
    budgets: BudgetRegistry | None = None,
    worker_id: str | None = None,
) -> Core:
    languages = Languages(store)
    deps = TurnDeps(
        store=store,
        settings=settings,
        backends=Backends(backend, store, settings),
        functions=functions if functions is not None else standard_registry(),
        budgets=budgets if budgets is not None else BudgetRegistry(),
        metrics=metrics if metrics is not None else NullMetrics(),
        languages=languages,
    )
    engine = Engine(
        deps=deps,
        platforms={p.name: p for p in platforms},
        worker_id=worker_id if worker_id is not None else new_worker_id(),
    )
    commands = CommandDeps(
        store=store,
        settings=settings,
        backends=deps.backends,
        functions=deps.functions,
        platforms=engine.platforms,
        languages=languages,
        answers=engine,
    )
    return Core(engine, commands)


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


def _stop_on_signal(stop: asyncio.Event | None = None) -> asyncio.Event:
    """Set by SIGTERM or SIGINT; installed before anything starts, so a signal that comes
    while the platforms connect is a clean stop too, and again (on the same event) after they
    started, as a platform SDK may install handlers of its own while it connects."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _health(
    settings: Settings,
    store: Store,
    metrics: PrometheusMetrics,
    services: list[PlatformService],
) -> HealthServer | None:
    """/healthz, /readyz, /metrics: on Slack's HTTP port when it has one, and on
    METRICS_PORT when set. The server to start, if any."""
    from adapters.health import HealthRoutes, HealthServer

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


async def serve(settings: Settings, services: list[PlatformService], *, welcome: str) -> None:
    """Run the configured platforms until a signal, or, with none, the terminal chat."""
    from bot.prometheus import PrometheusMetrics

    store = await open_store(settings.database_url)
    backend = OpenAIBackend.from_settings(settings)
    metrics = PrometheusMetrics()
    worker_id = new_worker_id()
    budgets = budgets_for(  # shared on PostgreSQL
        store, worker_id, on_deferred=lambda budget, kind: metrics.reply_deferred(kind)
    )
    console = None
    if not services:  # adapters are imported only when used
        from adapters.console import ConsolePlatform

        console = ConsolePlatform(files_dir=settings.console_files_dir, rich=sys.stdout.isatty())
    core = build_core(
        settings=settings,
        store=store,
        backend=backend,
        platforms=[s.platform for s in services] if console is None else [console],
        metrics=metrics,
        budgets=budgets,
        worker_id=worker_id,
    )
    engine = core.engine
    health = _health(settings, store, metrics, services)
    try:
        if health is not None:
            await health.start()
        if console is None:
            stop = _stop_on_signal()
            await engine.start()
            for service in services:
                await service.start(engine, core.commands)
            _stop_on_signal(stop)
            log.info("running: %s", ", ".join(s.platform.name for s in services))
            await stop.wait()
            log.info("shutting down")
            for service in services:
                await service.stop()
        else:
            from adapters.console import run_console

            await engine.start()
            try:
                await run_console(
                    engine, core.commands, welcome=welcome, files_dir=settings.console_files_dir
                )
            finally:
                await console.close()
    finally:
        if health is not None:
            await health.stop()
        await engine.stop(grace=settings.shutdown_grace)
        await budgets.close()
        for service in services:  # replies in flight wrote through them until now
            await service.close()
        await backend.close()
        await store.close()
