"""Discord adapter (discord.py): mentions, replies, DMs and assistant channels in; streamed,
edited replies out; ``/assistant`` slash commands."""

from adapters.discord.options import DiscordOptions
from adapters.discord.platform import DISCORD_LIMITS, DiscordPlatform, discord_limits
from adapters.discord.service import DiscordService

__all__ = [
    "DISCORD_LIMITS",
    "DiscordOptions",
    "DiscordPlatform",
    "DiscordService",
    "discord_limits",
]
