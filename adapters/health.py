"""``GET /healthz``, ``/readyz`` and ``/metrics``: on Slack's HTTP port in HTTP mode, or on a
port of their own (``METRICS_PORT``).

``/healthz`` answers while the process serves requests at all; ``/readyz`` only while the
database answers and every platform connection is up (503 with what is down otherwise), so
an orchestrator restarts a process that is stuck and routes no traffic to one that is not
ready; ``/metrics`` is Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from adapters.http_serve import serve
from bot.prometheus import PrometheusMetrics

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT = 2.0


class HealthRoutes:
    def __init__(
        self,
        *,
        metrics: PrometheusMetrics,
        checks: Mapping[str, Check],
        inbox_depth: Callable[[], Awaitable[int]],
    ) -> None:
        self._metrics = metrics
        self._checks = dict(checks)
        self._inbox_depth = inbox_depth

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        results = await asyncio.gather(*(_run(check) for check in self._checks.values()))
        lines = [
            f"{name} {'up' if ok else 'down'}"
            for name, ok in zip(self._checks, results, strict=True)
        ]
        ready = all(results)
        return web.Response(text="\n".join(lines) + "\n", status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                depth: int | None = await self._inbox_depth()
        except Exception:
            log.debug("inbox depth unavailable for /metrics", exc_info=True)
            depth = None
        body = self._metrics.render(inbox_depth=depth)
        response = web.Response(body=body)
        response.headers["Content-Type"] = self._metrics.content_type
        return response


async def _run(check: Check) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return await check()
    except Exception:
        log.debug("readiness check failed", exc_info=True)
        return False


class HealthServer:
    """The routes on a port of their own."""

    def __init__(self, routes: HealthRoutes, *, host: str = "0.0.0.0", port: int) -> None:
        self._routes = routes
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.url: str | None = None

    async def start(self) -> None:
        app = web.Application()
        self._routes.add_to(app)
        self._runner, port = await serve(app, host=self._host, port=self._port)
        self.url = f"http://{self._host}:{port}"
        log.info("health and metrics on %s (/healthz, /readyz, /metrics)", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
