"""The Discord adapter's settings, parsed once from the bot's Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.config import Settings
from bot.errors import ConfigError

DEFAULT_CDN_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})


def _words(value: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def _ids(value: str) -> frozenset[int]:
    return frozenset(int(part) for part in _words(value))


@dataclass(frozen=True)
class DiscordOptions:
    token: str
    api_url: str | None = None
    """Base of the REST API including the version, e.g. ``http://127.0.0.1:8080/api/v10``."""
    gateway_url: str | None = None
    cdn_hosts: frozenset[str] = DEFAULT_CDN_HOSTS
    """Hosts (``host`` or ``host:port``) attachments may be downloaded from."""
    guild_ids: frozenset[int] = field(default_factory=frozenset)
    """Guilds the bot serves; empty means every guild it is in."""
    assistant_channels: frozenset[int] = field(default_factory=frozenset)
    """Channels where every message is for the assistant (no mention needed)."""
    allow_dms: bool = True
    admin_role_ids: frozenset[int] = field(default_factory=frozenset)
    """Members with one of these roles are admins (besides those with Manage Server)."""
    admin_user_ids: frozenset[str] = field(default_factory=frozenset)
    """``ADMIN_USER_IDS``: these users are admins in every server."""
    guild_ready_timeout: float = 2.0
    max_file_bytes: int = 20_000_000
    shard_count: int | Literal["auto"] | None = None
    """``DISCORD_SHARD_COUNT``: shards in all (``auto``: as many as Discord recommends);
    None: one connection, no sharding."""
    shard_ids: tuple[int, ...] = ()
    """``DISCORD_SHARD_IDS``: the shards this process runs (empty: every shard)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscordOptions:
        if settings.discord_bot_token is None:
            raise ConfigError("DISCORD_BOT_TOKEN is not set")
        return cls(
            token=settings.discord_bot_token.get_secret_value(),
            api_url=settings.discord_api_url,
            gateway_url=settings.discord_gateway_url,
            cdn_hosts=_words(settings.discord_cdn_hosts),
            guild_ids=_ids(settings.discord_guild_ids),
            assistant_channels=_ids(settings.discord_assistant_channels),
            allow_dms=settings.discord_allow_dms,
            admin_role_ids=_ids(settings.discord_admin_role_ids),
            admin_user_ids=settings.admin_ids,
            guild_ready_timeout=settings.discord_guild_ready_timeout,
            max_file_bytes=int(settings.max_file_mb * 1_000_000),
            shard_count=settings.discord_shard_count,
            shard_ids=tuple(sorted(_ids(settings.discord_shard_ids))),
        )

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def runs_shard_zero(self) -> bool:
        """This process receives DMs (always on shard 0) and syncs the slash commands."""
        return not self.shard_ids or 0 in self.shard_ids

    def client_options(self) -> dict[str, Any]:
        """discord.py's own sharding options (``AutoShardedClient``)."""
        if self.shard_count is None:
            return {}
        return {
            "shard_count": None if self.shard_count == "auto" else self.shard_count,
            "shard_ids": list(self.shard_ids) or None,
        }

    def serves_guild(self, guild_id: int) -> bool:
        return not self.guild_ids or guild_id in self.guild_ids
