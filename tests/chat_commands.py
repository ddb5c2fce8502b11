"""What a person is shown in answer to a command, on Slack and Discord (shared by the tests
of ratings and MCP, so that no test module imports another)."""

from __future__ import annotations

import json
from typing import Any

from adapters.discord.admin_commands import ADMIN_COMMAND
from tests.discord_emulator import DiscordEmulator, User

EPHEMERAL = 1 << 6


def command_text(reply: Any) -> str:
    """Slack: HTTP answers an ack's text as the response body; Socket Mode as the ack payload."""
    if isinstance(reply, dict):
        return str(reply.get("text", ""))
    if reply and reply.startswith("{"):
        return str(json.loads(reply).get("text", ""))
    return str(reply or "")


async def admin_says(
    emu: DiscordEmulator, subcommand: str, user: User, channel: int, **options: Any
) -> str:
    """Discord: what the person is shown, for their eyes only, in answer to
    ``/assistant-admin <subcommand>``."""
    interaction = await emu.slash(user, channel, ADMIN_COMMAND, subcommand, **options)
    await emu.wait_for(lambda: interaction.callback and emu.shown(interaction))
    assert interaction.callback is not None
    assert int(interaction.callback["data"]["flags"]) & EPHEMERAL, interaction.callback
    return "\n".join(emu.shown(interaction))
