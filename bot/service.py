"""What an adapter offers the composition root (``app``): a platform for the engine, and a
service to run."""

from __future__ import annotations

from typing import Protocol

from bot.command_deps import CommandDeps
from bot.engine import Engine
from bot.types import Platform


class PlatformService(Protocol):
    """A connected platform (Slack, Discord): receives events, hands them to the engine."""

    platform: Platform

    async def start(self, engine: Engine, commands: CommandDeps) -> None:
        """Connect and start receiving (messages go to ``engine.accept``, commands to
        ``bot.commands`` with ``commands``); return once running."""

    async def connected(self) -> bool:
        """Receiving events now (for ``/readyz``)."""

    async def stop(self) -> None:
        """Stop receiving (acknowledged messages are already in the inbox); replies in
        progress keep writing until ``close``."""

    async def close(self) -> None:
        """Release the connections replies write through, once the engine has stopped."""
