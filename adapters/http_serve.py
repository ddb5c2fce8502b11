"""Serving an aiohttp application on a port: the Slack HTTP mode and the health routes."""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application, *, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` (port 0: any free one); the runner, to clean up with,
    and the port it listens on."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner, int(runner.addresses[0][1])
