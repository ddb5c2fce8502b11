"""The application-command tree: ``/assistant ask`` plus the everyday commands the core
implements for every platform, and ``/assistant-admin`` (``admin_commands``). More everyday
commands are added to ``EVERYONE_COMMANDS`` (or to the group with ``add_command``)."""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.admin_commands import AdminCommands, AdminHandler
from adapters.discord.respond import command_failed

Interaction = discord.Interaction[Any]

EVERYONE_COMMANDS = {
    "help": "What the assistant can do, and its commands",
    "reset": "Start a new conversation (the assistant forgets the previous one)",
    "retry": "Ask your last failed question again",
    "status": "Is an answer of yours in progress, and what is queued",
    "stop": "Stop your answer in progress",
    "usage": "Your usage today",
    "quota": "Your daily limits and what is left today",
    "export": "Your history with the assistant, as a file only you see",
}
"""Subcommands answered at once by ``bot.commands``, shown only to the person asking."""


class AssistantHandler(AdminHandler, Protocol):
    async def ask(self, interaction: Interaction, question: str) -> None: ...

    async def run_command(self, interaction: Interaction, name: str) -> None: ...


class AssistantCommands(app_commands.Group):
    def __init__(self, handler: AssistantHandler) -> None:
        super().__init__(name="assistant", description="Talk to the AI assistant")
        self._handler = handler
        for name, description in EVERYONE_COMMANDS.items():
            self.add_command(
                app_commands.Command(
                    name=name, description=description, callback=self._command(name)
                )
            )

    @app_commands.command(name="ask", description="Ask the assistant; the answer appears here")
    @app_commands.describe(question="Your question")
    async def ask(self, interaction: Interaction, question: str) -> None:
        await self._handler.ask(interaction, question)

    @app_commands.command(
        name="forget", description="Delete everything the assistant keeps about you (asks first)"
    )
    @app_commands.describe(confirm="True deletes now; without it you are told what is deleted")
    async def forget(self, interaction: Interaction, confirm: bool = False) -> None:
        await self._handler.run_command(interaction, "forget confirm" if confirm else "forget")

    def _command(self, name: str) -> Any:
        async def command(interaction: Interaction) -> None:
            await self._handler.run_command(interaction, name)

        return command


def command_tree(client: discord.Client, handler: AssistantHandler) -> app_commands.CommandTree:
    tree: app_commands.CommandTree = app_commands.CommandTree(client)
    tree.add_command(AssistantCommands(handler))
    tree.add_command(AdminCommands(handler))
    tree.error(command_failed)  # instead of discord.py's traceback and no answer
    return tree
