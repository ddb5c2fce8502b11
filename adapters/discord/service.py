"""The Discord service the CLI runs: a discord.py client whose events go into the inbox.

Gateway reconnects and resumes are discord.py's own."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord
import yarl

from adapters.discord.admin_commands import Suggestion
from adapters.discord.admins import is_admin
from adapters.discord.clicks import DiscordClicks
from adapters.discord.commands import Interaction, command_tree
from adapters.discord.events import (
    DM_WORKSPACE,
    PLATFORM,
    inbound_message,
    interaction_message,
    trigger,
)
from adapters.discord.files import AttachmentFetcher
from adapters.discord.forms import submitted
from adapters.discord.members import SharedServers
from adapters.discord.options import DiscordOptions
from adapters.discord.platform import DISCORD_LIMITS, DiscordPlatform
from adapters.discord.ratelimits import BucketState, header_trace
from adapters.discord.reply import NO_PINGS
from adapters.discord.respond import REPLY_WITHIN, command_failed, respond, send
from adapters.discord.translations import KoreanTranslator
from adapters.http_calls import call_tracer, discord_route
from bot.admin import HOSTED_TOOLS
from bot.budget_registry import BudgetRegistry
from bot.command_deps import CommandDeps
from bot.commands import CommandReply, handle_command, submit_modal
from bot.config import Settings
from bot.engine import Engine
from bot.errors import ConfigError, PlatformUnavailable
from bot.i18n import pick_language, t
from bot.types import InboundMessage, Platform, ReplyLimits
from storage.records import WORKSPACE_DEFAULT

log = logging.getLogger(__name__)

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"

INTENTS = discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)
"""``message_content`` is privileged: switch it on in the Developer Portal (README)."""

MAX_CHOICES = 25
"""Discord shows at most 25 suggestions."""

PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,  # ⏳ on questions waiting in a crowded channel (waiting.py)
)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


def point_at(options: DiscordOptions) -> None:
    """discord.py reads these class attributes (its gateway falls back to the default after
    an invalidated session, so it is set there rather than passed)."""
    discord.http.Route.BASE = (options.api_url or DISCORD_API).rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        options.gateway_url or DISCORD_GATEWAY
    )


class _Client(discord.Client):
    def __init__(self, service: DiscordService, options: DiscordOptions) -> None:
        # The bot never joins voice: skip discord.py's warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=INTENTS,
            guild_ready_timeout=options.guild_ready_timeout,
            chunk_guilds_at_startup=False,
            allowed_mentions=NO_PINGS,
            http_trace=service.trace,
            **options.client_options(),
        )
        self._service = service

    async def on_message(self, message: discord.Message) -> None:
        await self._service.on_message(message)

    async def on_interaction(self, interaction: Interaction) -> None:
        await self._service.on_interaction(interaction)


class _ShardedClient(_Client, discord.AutoShardedClient):
    """The same client on the shards ``DISCORD_SHARD_COUNT``/``DISCORD_SHARD_IDS`` name: one
    gateway connection per shard (discord.py's own sharding); Discord sends each shard the
    events of its guilds, ``(guild_id >> 22) % shard_count``, and DMs to shard 0."""


class DiscordService:
    def __init__(self, *, options: DiscordOptions, limits: ReplyLimits = DISCORD_LIMITS) -> None:
        self.options = options
        self._budgets: BudgetRegistry | None = None
        self.trace = header_trace(self._bucket_seen)
        self.client = (_ShardedClient if options.sharded else _Client)(self, options)
        self.tree = command_tree(self.client, self)
        self.fetcher = AttachmentFetcher(hosts=options.cdn_hosts, max_bytes=options.max_file_bytes)
        self.discord = DiscordPlatform(self.client, fetcher=self.fetcher, limits=limits)
        self.platform: Platform = self.discord
        self.shared = SharedServers(self.client, options.serves_guild)
        self._engine: Engine | None = None
        self._commands: CommandDeps | None = None
        self._runner: asyncio.Task[None] | None = None
        self.clicks: DiscordClicks | None = None
        self.reply_within = REPLY_WITHIN
        """Seconds a command may take before it is deferred (tests set 0 to defer at once)."""

    @classmethod
    def from_settings(
        cls, settings: Settings, *, limits: ReplyLimits = DISCORD_LIMITS
    ) -> DiscordService:
        return cls(options=DiscordOptions.from_settings(settings), limits=limits)

    # Lifecycle.

    async def start(self, engine: Engine, commands: CommandDeps) -> None:
        self._engine = engine
        self.clicks = DiscordClicks(
            engine, self._language, lambda interaction: is_admin(interaction, self.options)
        )
        self._commands = commands
        self._budgets = engine.budgets
        point_at(self.options)
        if not self.trace.on_request_end.frozen:  # once, before the session is made
            # Counted on the trace that reads the buckets' headers (one trace per session).
            call_tracer(engine.metrics, PLATFORM, discord_route, into=self.trace)
        try:
            await self.client.login(self.options.token)
        except discord.LoginFailure as exc:
            raise ConfigError("DISCORD_BOT_TOKEN was rejected by Discord") from exc
        except (OSError, TimeoutError) as exc:  # aiohttp's connection errors are OSErrors
            raise PlatformUnavailable(
                f"cannot reach the Discord API ({type(exc).__name__}): "
                "check the network, or DISCORD_API_URL"
            ) from exc
        self._runner = asyncio.create_task(self.client.connect(), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait({self._runner, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._gateway_failed()
        if self.options.runs_shard_zero:  # one process syncs the commands for all
            await self._sync_commands()
        user, guilds = self.client.user, len(self.client.guilds)
        log.info("Discord: connected as %s, in %d servers", user, guilds)
        if isinstance(self.client, discord.AutoShardedClient):
            shards = ",".join(str(s) for s in sorted(self.client.shards))
            log.info("Discord: shards %s of %s", shards, self.client.shard_count)
        if self.client.application_id is not None:
            log.info("Discord: invite the bot with %s", invite_url(self.client.application_id))

    async def _gateway_failed(self) -> None:
        assert self._runner is not None
        try:
            await self._runner
        except discord.PrivilegedIntentsRequired as exc:
            await self.client.close()
            raise ConfigError(
                "Discord refused the Message Content intent: switch it on for the bot "
                "(Developer Portal → Bot → Privileged Gateway Intents)"
            ) from exc
        raise ConfigError("the Discord gateway closed before the bot was ready")

    async def _sync_commands(self) -> None:
        await self.tree.set_translator(KoreanTranslator())
        try:
            synced = await self.tree.sync()
        except discord.HTTPException:
            log.warning("Discord: could not sync the slash commands", exc_info=True)
        else:
            log.info("Discord: synced commands %s", ", ".join(f"/{c.name}" for c in synced))

    def _bucket_seen(self, state: BucketState) -> None:
        """Discord told a channel's message budget: the replies there pace by it."""
        if self._budgets is not None:
            self._budgets.observe(
                state.key,
                limit=state.limit,
                remaining=state.remaining,
                reset_after=state.reset_after,
            )

    async def connected(self) -> bool:
        """The gateway connection (every shard's) is up."""
        return self.client.is_ready() and not self.client.is_closed()

    async def stop(self) -> None:
        """Stop taking messages; replies in progress may still post until ``close``."""
        self._engine = None

    async def close(self) -> None:
        await self.client.close()
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        await self.fetcher.close()

    # Events.

    async def on_message(self, message: discord.Message) -> None:
        engine, me = self._engine, self.client.user
        if engine is None or me is None or trigger(message, me, self.options) is None:
            return
        # Accepted means persisted: the engine answers from the inbox.
        await engine.accept(await self._with_shared(engine, inbound_message(message, me.id)))

    async def _with_shared(self, engine: Engine, message: InboundMessage) -> InboundMessage:
        """A DM carries the servers with quotas that the person shares with the bot."""
        if message.workspace != DM_WORKSPACE:
            return message
        try:
            workspaces = await engine.store.quota_workspaces(PLATFORM)
        except Exception:
            log.exception("could not read which servers set quotas")
            return message
        if not workspaces:
            return message
        shared = await self.shared.of(int(message.user), workspaces)
        return dataclasses.replace(message, memberships=shared)

    async def _language(self, interaction: Interaction) -> str:
        """The language for this person here: the server's setting, else their Discord locale
        (remembered for their messages, which carry none), else the server's."""
        message = interaction_message(interaction, "")
        if self._engine is None:
            return pick_language(None, message.locale, message.workspace_locale)
        return await self._engine.language_of(message)

    @property
    def _deps(self) -> CommandDeps:
        assert self._commands is not None  # given with the engine, checked by _engine_for
        return self._commands

    async def _engine_for(self, interaction: Interaction) -> Engine | None:
        """The engine, or ``None`` once the person was told why their command is declined."""
        if interaction.guild_id is None:
            serves = self.options.allow_dms
        else:
            serves = self.options.serves_guild(interaction.guild_id)
        if not serves or self._engine is None:
            lang = await self._language(interaction)
            await send(interaction, t(lang, "not_enabled_here" if not serves else "not_taken"))
            return None
        return self._engine

    async def ask(self, interaction: Interaction, question: str) -> None:
        engine = await self._engine_for(interaction)
        if engine is None:
            return
        interaction_id = str(interaction.id)
        self.discord.acknowledging(interaction_id)
        try:
            try:
                # Accepted means persisted, then acknowledged (within Discord's 3 s).
                message = interaction_message(interaction, question)
                await engine.accept(await self._with_shared(engine, message))
            except Exception:
                log.exception("could not accept /assistant ask")
                await send(interaction, t(await self._language(interaction), "not_taken"))
                return
            await interaction.response.defer(thinking=True)
        finally:
            self.discord.acknowledged(interaction_id)

    async def run_command(self, interaction: Interaction, name: str) -> None:
        """``/assistant help|reset|retry|status|stop|usage``: admins' help lists theirs too."""
        engine = await self._engine_for(interaction)
        if engine is None:
            return
        message = await self._with_shared(engine, interaction_message(interaction, ""))
        admin = is_admin(interaction, self.options)
        work = handle_command(self._deps, message, name, is_admin=admin)
        await respond(
            interaction, work, await self._language(interaction), reply_within=self.reply_within
        )

    async def admin_command(
        self, interaction: Interaction, line: str, attachments: Sequence[discord.Attachment] = ()
    ) -> None:
        """``/assistant-admin …`` as the core's command line, e.g. ``config channel model x``."""
        message = interaction_message(interaction, "", attachments)
        await self._in_server(
            interaction, lambda admin: handle_command(self._deps, message, line, is_admin=admin)
        )

    async def _in_server(
        self, interaction: Interaction, work: Callable[[bool], Awaitable[CommandReply]]
    ) -> None:
        """Answer with ``work(is_admin)`` where a server has the bot, else say why not."""
        engine = await self._engine_for(interaction)
        if engine is None:
            return
        lang = await self._language(interaction)
        if interaction.guild_id is None:
            await send(interaction, t(lang, "server_only"))
            return
        admin = is_admin(interaction, self.options)
        await respond(interaction, work(admin), lang, reply_within=self.reply_within)

    async def suggest(self, interaction: Interaction, kind: Suggestion, typed: str) -> list[str]:
        """Knowledge-base documents (of the scope chosen so far) or tools matching ``typed``."""
        engine = self._engine
        if (
            engine is None
            or interaction.guild_id is None
            or not is_admin(interaction, self.options)
        ):
            return []
        if kind == "documents":
            where = getattr(interaction.namespace, "where", None)
            channel = WORKSPACE_DEFAULT if where == "server" else str(interaction.channel_id)
            files = await engine.store.knowledge_files(PLATFORM, str(interaction.guild_id), channel)
            names = [f.filename for f in files]
        else:
            names = [*HOSTED_TOOLS, "functions", *engine.functions.names()]
        typed = typed.lower()
        return [name for name in names if typed in name.lower()][:MAX_CHOICES]

    async def on_interaction(self, interaction: Interaction) -> None:
        """A submitted form (``forms``) or a click on a button (``clicks``); commands go
        through the command tree."""
        if interaction.type is discord.InteractionType.component:
            if self.clicks is not None:
                await self.clicks.on_click(interaction)
            return
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        try:
            await self._form_submitted(interaction)
        except Exception as exc:
            await command_failed(interaction, exc)

    async def _form_submitted(self, interaction: Interaction) -> None:
        form = submitted(dict(interaction.data or {}))
        if form is None:
            return
        form_id, value = form
        message = interaction_message(interaction, "")
        await self._in_server(
            interaction,
            lambda admin: submit_modal(self._deps, message, form_id, value, is_admin=admin),
        )
