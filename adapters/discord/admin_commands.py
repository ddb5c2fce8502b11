"""``/assistant-admin``: the core's admin commands (``bot.commands``) as a Discord command.

Discord decides who sees a command by its *default member permissions*, and only for a
top-level command, so the admin commands are a command of their own rather than part of
``/assistant``: ``/assistant-admin`` is shown to members with Manage Server (a server can give
it to a role, e.g. Teachers, in Server Settings → Integrations) and only in servers. The
handler checks again on every use.

Each subcommand writes the core's command line (``config channel model gpt-5``), so the tree
reads as the help text does: ``/assistant-admin config show``, ``… knowledge add``,
``… quota messages``, ``… usage all``. To add one: a method in a group below (or a new
``_Group`` subclass created in ``AdminCommands.__init__``) that calls ``self._run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters.discord.admins import MANAGE_SERVER

Interaction = discord.Interaction[Any]

ADMIN_COMMAND = "assistant-admin"
SERVER_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def choices(**names: str) -> list[Choice[str]]:
    """An option's choices, each ``value=name``, in order."""
    return [Choice(name=name, value=value) for value, name in names.items()]


WHERE = choices(channel="this channel", server="the whole server")
_MODES = choices(
    stream="stream: the answer appears as it is written",
    poll="poll: the answer appears when complete (long jobs)",
    background="background: streamed, resumed after a restart",
    default="default: the bot's setting",
)
_DOCUMENT = "A document (PDF, DOCX, PPTX, MD, TXT, HTML) or a data file (CSV, TSV, XLSX, JSON)"
_PRESETS = choices(
    hints="hints: hints and next steps, no full solutions",
    socratic="socratic: guiding questions",
    exam="exam: no solutions or hints at all",
    off="off",
    default="default: follow the server's policy",
)
_APIS = choices(
    responses="Responses (OpenAI, with code interpreter and file search)",
    chat_completions="Chat Completions (Ollama, vLLM, LiteLLM…)",
    default="the bot's default",
)


Suggestion = Literal["documents", "tools"]


class AdminHandler(Protocol):
    async def admin_command(
        self, interaction: Interaction, line: str, attachments: Sequence[discord.Attachment] = ()
    ) -> None: ...

    async def suggest(self, interaction: Interaction, kind: Suggestion, typed: str) -> list[str]:
        """Values to offer while an admin types an option (none for anyone else)."""


class _Group(app_commands.Group):
    def __init__(self, handler: AdminHandler, parent: app_commands.Group) -> None:
        super().__init__(parent=parent)
        self._handler = handler

    async def _run(
        self,
        interaction: Interaction,
        *words: str | int | None,
        attachments: Sequence[discord.Attachment] = (),
    ) -> None:
        line = " ".join(str(word) for word in words if word is not None and word != "")
        await self._handler.admin_command(interaction, line, attachments)

    async def _suggest(
        self, interaction: Interaction, kind: Suggestion, typed: str
    ) -> list[Choice[str]]:
        values = await self._handler.suggest(interaction, kind, typed)
        return [Choice(name=value[:100], value=value) for value in values if len(value) <= 100]


class ConfigCommands(
    _Group, name="config", description="The assistant's instructions, model, tools and language"
):
    @app_commands.command(description="The assistant here, and where each setting comes from")
    async def show(self, interaction: Interaction) -> None:
        await self._run(interaction, "config show")

    @app_commands.command(
        description="Set the server's instructions (without text a form opens, pre-filled)"
    )
    @app_commands.describe(text="The new instructions; leave out to edit them in a form")
    async def instructions(self, interaction: Interaction, text: str | None = None) -> None:
        await self._run(interaction, "config instructions", text)

    @app_commands.command(description="Set the server's model")
    @app_commands.describe(name="A model name, e.g. gpt-5-mini")
    async def model(self, interaction: Interaction, name: str) -> None:
        await self._run(interaction, "config model", name)

    @app_commands.command(description="Turn a tool on or off for the server")
    @app_commands.describe(
        state="on or off",
        tool=(
            "code_interpreter, file_search, web_search, image_generation, functions, or a function"
        ),
    )
    async def tools(self, interaction: Interaction, state: Literal["on", "off"], tool: str) -> None:
        await self._run(interaction, "config tools", state, tool)

    @tools.autocomplete("tool")
    async def _tools(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        return await self._suggest(interaction, "tools", typed)

    @app_commands.command(description="How answers are run and shown in this server")
    @app_commands.describe(mode="stream, poll or background; default follows the bot's setting")
    @app_commands.choices(mode=_MODES)
    async def mode(self, interaction: Interaction, mode: str) -> None:
        await self._run(interaction, "config mode", mode)

    @app_commands.command(description="A tutor policy: hints only, Socratic, or exam (no help)")
    @app_commands.describe(
        preset="How the assistant tutors; off turns an inherited policy off here",
        windows="Only at these times, daily, e.g. 09:00-11:00 Asia/Seoul (default: always)",
        where="Where (default: this channel)",
    )
    @app_commands.choices(
        preset=_PRESETS,
        where=WHERE,
    )
    async def tutor(
        self,
        interaction: Interaction,
        preset: str,
        windows: str | None = None,
        where: str = "channel",
    ) -> None:
        scope = "channel" if where == "channel" else None
        await self._run(interaction, "config", scope, "tutor", preset, windows)

    @app_commands.command(description="Delete conversations idle for this many days (0: keep)")
    @app_commands.describe(days="Days without use after which a conversation is deleted; 0 = off")
    async def retention(self, interaction: Interaction, days: Range[int, 0]) -> None:
        await self._run(interaction, "config retention", days or "off")

    @app_commands.command(description="Which model API the server's assistant speaks")
    @app_commands.choices(api=_APIS)
    async def api(self, interaction: Interaction, api: str) -> None:
        await self._run(interaction, "config api", api)

    @app_commands.command(description="The Chat Completions server (one the bot's host listed)")
    @app_commands.describe(url="A server URL from MODEL_BASE_URLS, or default")
    async def server(self, interaction: Interaction, url: str) -> None:
        await self._run(interaction, "config server", url)

    @app_commands.command(description="The bot's own language in this server")
    @app_commands.choices(
        language=choices(
            en="English",
            ko="한국어",
            auto="each person's Discord language",
        )
    )
    async def language(self, interaction: Interaction, language: str) -> None:
        await self._run(interaction, "config language", language)

    @app_commands.command(
        description="Override a setting for this channel only, or follow the server again"
    )
    @app_commands.describe(
        setting="What to override here",
        value="The model, tool or answer mode, or the instructions (without them a form opens)",
    )
    @app_commands.choices(
        setting=[
            Choice(name="instructions", value="instructions"),
            Choice(name="model", value="model"),
            Choice(name="tools: turn one on", value="tools on"),
            Choice(name="tools: turn one off", value="tools off"),
            Choice(name="answer mode: stream, poll, background or default", value="mode"),
            Choice(name="api: responses, chat_completions or default", value="api"),
            Choice(name="server: a Chat Completions server URL", value="server"),
            Choice(name="clear: follow the server's settings again", value="clear"),
        ]
    )
    async def channel(
        self, interaction: Interaction, setting: str, value: str | None = None
    ) -> None:
        await self._run(interaction, "config channel", setting, value)

    @app_commands.command(description="Recent changes, numbered, with who and when")
    async def history(self, interaction: Interaction) -> None:
        await self._run(interaction, "config history")

    @app_commands.command(description="Undo a change (its number is in the history)")
    @app_commands.describe(change="The change's number")
    async def rollback(self, interaction: Interaction, change: Range[int, 1]) -> None:
        await self._run(interaction, "config rollback", change)


class KnowledgeCommands(
    _Group, name="knowledge", description="Documents it searches, data files it analyses"
):
    @app_commands.command(description="Add documents or data files for everyone here")
    @app_commands.describe(
        document=_DOCUMENT,
        document2=_DOCUMENT,
        document3=_DOCUMENT,
        document4=_DOCUMENT,
        document5=_DOCUMENT,
        where="Whose knowledge base (default: this channel's)",
    )
    @app_commands.choices(where=WHERE)
    async def add(
        self,
        interaction: Interaction,
        document: discord.Attachment,
        document2: discord.Attachment | None = None,
        document3: discord.Attachment | None = None,
        document4: discord.Attachment | None = None,
        document5: discord.Attachment | None = None,
        where: str = "channel",
    ) -> None:
        documents = [d for d in (document, document2, document3, document4, document5) if d]
        await self._run(interaction, "knowledge add", _kb_scope(where), attachments=documents)

    @app_commands.command(name="list", description="The documents and data files added")
    @app_commands.describe(where="Whose knowledge base (default: this channel's)")
    @app_commands.choices(where=WHERE)
    async def list_(self, interaction: Interaction, where: str = "channel") -> None:
        await self._run(interaction, "knowledge list", _kb_scope(where))

    @app_commands.command(description="Remove a document or data file")
    @app_commands.describe(
        name="The document's name, as the list shows it",
        where="Whose knowledge base (default: this channel's)",
    )
    @app_commands.choices(where=WHERE)
    async def remove(self, interaction: Interaction, name: str, where: str = "channel") -> None:
        await self._run(interaction, "knowledge remove", name, _kb_scope(where))

    @remove.autocomplete("name")
    async def _documents(self, interaction: Interaction, typed: str) -> list[Choice[str]]:
        return await self._suggest(interaction, "documents", typed)


def _kb_scope(where: str) -> str | None:
    return "workspace" if where == "server" else None


def _quota_scope(where: str) -> str | None:
    return "channel" if where == "channel" else None


class QuotaCommands(_Group, name="quota", description="Daily limits per person"):
    @app_commands.command(description="Messages per person per day (0: no limit)")
    @app_commands.describe(limit="Messages a day", where="Where (default: the whole server)")
    @app_commands.choices(where=WHERE)
    async def messages(
        self, interaction: Interaction, limit: Range[int, 0], where: str = "server"
    ) -> None:
        await self._run(interaction, "quota", _quota_scope(where), "messages", limit)

    @app_commands.command(description="Tokens per person per day (0: no limit)")
    @app_commands.describe(limit="Tokens a day", where="Where (default: the whole server)")
    @app_commands.choices(where=WHERE)
    async def tokens(
        self, interaction: Interaction, limit: Range[int, 0], where: str = "server"
    ) -> None:
        await self._run(interaction, "quota", _quota_scope(where), "tokens", limit)

    @app_commands.command(description="No daily limits")
    @app_commands.describe(where="Where (default: the whole server)")
    @app_commands.choices(where=WHERE)
    async def off(self, interaction: Interaction, where: str = "server") -> None:
        await self._run(interaction, "quota", _quota_scope(where), "off")

    @app_commands.command(
        description="Daily limits for people with a role (instead of the server's and channels')"
    )
    @app_commands.describe(
        role="The role, e.g. Students or Teachers",
        kind="What to limit, or off: the role follows the server's limits again",
        limit="Messages or tokens per person per day (0: no limit for this role)",
    )
    @app_commands.choices(
        kind=choices(
            messages="messages a day",
            tokens="tokens a day",
            off="off",
        )
    )
    async def role(
        self,
        interaction: Interaction,
        role: discord.Role,
        kind: str,
        limit: Range[int, 0] | None = None,
    ) -> None:
        if kind != "off" and limit is None:
            await self._run(interaction, "quota role", role.mention)  # answers how to use it
            return
        limit = None if kind == "off" else limit
        await self._run(interaction, "quota role", role.mention, kind, limit)

    @app_commands.command(description="The limits set in this server: server, channel, roles")
    async def show(self, interaction: Interaction) -> None:
        await self._run(interaction, "quota show")


class UsageCommands(_Group, name="usage", description="Usage and estimated cost"):
    @app_commands.command(name="all", description="Usage per person over 30 days, and totals")
    async def all_(self, interaction: Interaction) -> None:
        await self._run(interaction, "usage all")


class McpCommands(_Group, name="mcp", description="Remote MCP servers the assistant may use"):
    @app_commands.command(description="Add (or replace) a remote MCP server")
    @app_commands.describe(
        label="A short name for the server, e.g. deploys",
        url="The server's URL (https://…)",
        tools="Only these tools, comma-separated (default: all)",
        approval="Ask the person before each tool call (default: always)",
        header="NAME:MCP_VAR: a header whose value is in the bot's environment variable MCP_…",
        approvers="Who may approve a tool call (default: the person who asked)",
        where="Where (default: the whole server)",
    )
    @app_commands.choices(
        approval=choices(always="always ask", never="never ask"),
        approvers=choices(asker="the person who asked", admins="the person who asked, or an admin"),
        where=WHERE,
    )
    async def add(
        self,
        interaction: Interaction,
        label: str,
        url: str,
        tools: str | None = None,
        approval: str | None = None,
        header: str | None = None,
        approvers: str | None = None,
        where: str = "server",
    ) -> None:
        options = (
            f"tools={tools}" if tools else None,
            f"approval={approval}" if approval else None,
            f"header={header}" if header else None,
            f"approvers={approvers}" if approvers else None,
        )
        await self._run(interaction, "mcp", _quota_scope(where), "add", label, url, *options)

    @app_commands.command(description="Remove a remote MCP server")
    @app_commands.describe(label="The server's name, as the list shows it", where="Where")
    @app_commands.choices(where=WHERE)
    async def remove(self, interaction: Interaction, label: str, where: str = "server") -> None:
        await self._run(interaction, "mcp", _quota_scope(where), "remove", label)

    @app_commands.command(name="list", description="The remote MCP servers set up here")
    @app_commands.choices(where=WHERE)
    async def list_(self, interaction: Interaction, where: str = "server") -> None:
        await self._run(interaction, "mcp", _quota_scope(where), "list")


class AdminCommands(app_commands.Group):
    def __init__(self, handler: AdminHandler) -> None:
        super().__init__(
            name=ADMIN_COMMAND,
            description="Set up the assistant in this server (admins)",
            default_permissions=MANAGE_SERVER,
            guild_only=True,
            allowed_contexts=SERVER_ONLY,
        )
        for group in (ConfigCommands, KnowledgeCommands, QuotaCommands, UsageCommands, McpCommands):
            group(handler, parent=self)
