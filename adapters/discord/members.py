"""The servers a person shares with the bot, for their direct messages.

A DM counts against the quotas of every server that sets any and that the person is a member
of (the strictest decides), so a student cannot escape a class's quota by writing to the bot
directly. Membership is asked of Discord (``GET /guilds/{id}/members/{user}``: it needs no
privileged intent and works for servers on other shards), only for servers with quotas, and
cached for a few minutes. When Discord does not answer in time the DM goes through: one INFO
line, and the next DM asks again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

import discord

from bot.types import Membership

log = logging.getLogger(__name__)

LOOKUP_WITHIN = 1.5
"""Seconds the lookups may hold a DM up (an interaction must be answered within 3 s)."""


class SharedServers:
    def __init__(
        self, client: discord.Client, serves: Callable[[int], bool], ttl: float = 300.0
    ) -> None:
        self._client = client
        self._serves = serves
        self._ttl = ttl
        self._cache: dict[tuple[int, int], tuple[float, tuple[str, ...] | None]] = {}

    async def of(self, user_id: int, workspaces: Sequence[str]) -> tuple[Membership, ...]:
        """Of ``workspaces`` (servers with quotas), those the person is a member of."""
        guild_ids = [int(w) for w in workspaces if w.isdigit() and self._serves(int(w))]
        try:
            found = await asyncio.wait_for(
                asyncio.gather(*(self._roles(g, user_id) for g in guild_ids)), LOOKUP_WITHIN
            )
        except TimeoutError:
            log.info("member lookups for %s are slow; this DM goes on without them", user_id)
            return ()
        return tuple(
            Membership(str(guild_id), self._name(guild_id), roles)
            for guild_id, roles in zip(guild_ids, found, strict=True)
            if roles is not None
        )

    def _name(self, guild_id: int) -> str:
        guild = self._client.get_guild(guild_id)
        return guild.name if guild is not None else str(guild_id)

    async def _roles(self, guild_id: int, user_id: int) -> tuple[str, ...] | None:
        """The member's role ids there, or None if they are not a member."""
        key = (guild_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            data = await self._client.http.get_member(guild_id, user_id)
        except discord.NotFound:
            roles = None
        except discord.HTTPException as exc:
            log.info("member lookup in %s failed (%s); not counted this time", guild_id, exc)
            return None
        else:
            roles = tuple(str(role) for role in data.get("roles", ()))
        self._cache[key] = (time.monotonic(), roles)
        return roles
