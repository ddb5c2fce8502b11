"""Who is an admin in a Discord server: a member with Manage Server (or Administrator), a
member with one of ``DISCORD_ADMIN_ROLE_IDS``, or a user listed in ``ADMIN_USER_IDS``.

Checked on every admin command and form, from what the interaction carries (the member's
resolved permissions and role ids), never from a cache: a server may let anyone run the
commands (Server Settings → Integrations), which changes who sees them, not who is an admin.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.options import DiscordOptions

MANAGE_SERVER = discord.Permissions(manage_guild=True)
"""The admin commands' default member permissions: only these members see them."""


def role_ids(member: discord.Member) -> frozenset[int]:
    """The role ids the interaction carries (``Member.roles`` drops roles missing from the
    guild cache, so the raw ids are read)."""
    return frozenset(member._roles)


def is_admin(interaction: discord.Interaction[Any], options: DiscordOptions) -> bool:
    """Admin commands configure a server: in a DM nobody is an admin."""
    if interaction.guild_id is None:
        return False
    if str(interaction.user.id) in options.admin_user_ids:
        return True
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    user = interaction.user
    return isinstance(user, discord.Member) and not options.admin_role_ids.isdisjoint(
        role_ids(user)
    )
