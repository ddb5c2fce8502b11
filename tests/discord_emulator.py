"""A loopback Discord emulator (REST + gateway + CDN) for the real discord.py client.

    async with DiscordEmulator() as emu:
        guild = emu.add_guild("Class 101", "general", "ask-ai")
        alice = emu.add_user("alice")
        # point discord.py at emu.api_url / emu.gateway_url, start the bot, then:
        sent = await emu.user_says(alice, guild.channels["general"], "hi", mention=True)
        await emu.wait_for(lambda: emu.replies_to(sent))
        # Slash commands, as Discord's client would offer them (default member permissions,
        # per-server overrides, server-only commands), and forms (modals):
        teachers = emu.add_role(guild, "Teachers")
        emu.give_role(guild, alice, teachers)
        emu.allow_command(guild, "assistant-admin", teachers)
        opened = await emu.slash(alice, guild.channels["general"], "assistant-admin",
                                 "config instructions")
        await emu.wait_for(lambda: opened.modal)
        saved = await emu.submit_form(opened, "Be patient.")

It speaks Discord's JSON (Content-Type exactly ``application/json``), answers 429 like
Discord (``Via`` header, JSON ``retry_after``, ``X-RateLimit-*``) from per-channel message
buckets, and records every call in ``emu.calls``. Waits use an ``asyncio.Condition``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests import discord_emulator_payloads as p
from tests.discord_emulator_gateway import Gateway
from tests.discord_emulator_payloads import JSON
from tests.discord_emulator_routes import (
    CALL_KEY,
    HELD_KEY,
    Call,
    RestRoutes,
    json_response,
    read_body,
)

__all__ = ["Call", "DiscordEmulator", "Guild", "Interaction", "User"]


@dataclass(frozen=True)
class User:
    id: int
    name: str
    payload: JSON


@dataclass
class Guild:
    id: int
    name: str
    channels: dict[str, int]
    roles: dict[str, int] = field(default_factory=dict)
    threads: dict[str, int] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)
    """Who joined (``join``; writing in the server joins too): ``GET …/members/{id}``."""
    locale: str = "en-US"
    """The server's preferred locale (Server Settings → Community)."""


@dataclass
class Interaction:
    id: int
    token: str
    channel_id: int
    guild_id: int | None
    user: User
    created: float = field(default_factory=time.monotonic)
    callback: JSON | None = None
    original_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    followed_up: bool = False
    type: int = 2
    """2 application command, 3 message component (a click), 4 autocomplete, 5 modal submit."""
    locale: str = "en-US"
    modal: JSON | None = None
    """The modal (callback type 9) the bot answered with."""
    message_id: int | None = None
    """A click's: the message whose button was clicked (callback type 7 edits it)."""


@dataclass
class Bucket:
    limit: int
    per: float
    count: int = 0
    reset_at: float = 0.0


@dataclass
class Fault:
    kind: str
    times: int
    retry_after: float
    via: bool
    status: int = 429


class DiscordEmulator:
    def __init__(
        self,
        *,
        rate_limit: tuple[int, float] = (5, 5.0),
        bot_token: str = "emulated-discord-bot-token",
    ) -> None:
        self.bot_token = bot_token
        self.rate_limit = rate_limit
        self.reaction_limit: tuple[int, float] = (1, 0.25)
        """A channel's reaction bucket: Discord allows about one reaction per 0.25 s."""
        self.reactions: dict[int, set[str]] = {}
        """The bot's own reactions now, by message id."""
        self.reaction_log: list[tuple[float, str, int, str]] = []
        """(when, "add" | "remove", message id, emoji) for every reaction call that succeeded."""
        """(requests, seconds) per channel for message create+edit, and per follow-up token."""
        self.upload_limit = 10 * 1024 * 1024
        self.interaction_deadline = 3.0
        self.interaction_token_life = 900.0
        """Seconds an interaction's token takes follow-ups and edits (Discord: 15 minutes)."""
        self.holds: dict[str, asyncio.Event] = {}
        """Route kind (``create``, ``edit``…) → an event: such a call is carried out, then its
        answer waits for the event (the message exists; the bot does not know it yet)."""
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        """(channel, nonce) → (message id, when): enforced nonces make a repeated post a no-op."""
        self.echo_bot_messages = True
        """Dispatch MESSAGE_CREATE/UPDATE for the bot's own messages, as Discord does."""
        self.wait_timeout = 10.0
        self.calls: list[Call] = []
        self.messages: dict[int, JSON] = {}
        self.history: dict[int, list[str]] = {}
        self.written: dict[int, list[float]] = {}
        """When each message was created and edited (``time.monotonic``), as ``history``."""
        self.commands: dict[str, JSON] = {}
        self.guild_commands: dict[int, dict[str, JSON]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.guilds: dict[int, Guild] = {}
        self.role_permissions: dict[int, int] = {}
        self.member_roles: dict[tuple[int, int], set[int]] = {}
        self.command_access: dict[tuple[int, str], set[int]] = {}
        """Per server and command, the roles/users (the server's id: @everyone) a server
        admin let use it whatever its default member permissions (Integrations settings)."""
        self.channels: dict[int, JSON] = {}
        self.cdn: dict[str, tuple[bytes, str | None]] = {}
        self.cdn_redirects: dict[str, str] = {}
        """CDN paths answered with a 302 to another URL."""
        self.cdn_requests: list[str] = []
        self.snowflake = p.Snowflakes()
        self._known_users: dict[int, User] = {}
        self.app_id = self.snowflake()
        self.bot = User(self.app_id, "assistant", p.user(self.app_id, "assistant", bot=True))
        self.owner = self.add_user("owner")
        self.port = 0
        self.buckets: dict[str, Bucket] = {}
        self.faults: list[Fault] = []
        self.gateway = Gateway(
            bot_token=lambda: self.bot_token,
            ready_payload=self._ready_payload,
            guild_payloads=lambda: [self._guild_payload(g) for g in self.guilds.values()],
            changed=self._notify,
        )
        self._dms: dict[int, int] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- lifecycle ------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024**2)
        RestRoutes(self).add_to(app)
        app.router.add_get("/gateway", self.gateway.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.origin}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def cdn_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    # ---- the world ----------------------------------------------------------------------
    def add_user(self, name: str, *, bot: bool = False) -> User:
        user_id = self.snowflake()
        user = User(user_id, name, p.user(user_id, name, bot=bot))
        self._known_users[user_id] = user
        return user

    def add_guild(
        self, name: str, *channel_names: str, shard: tuple[int, int] | None = None
    ) -> Guild:
        """A server (on shard ``(id, count)`` if given) with these text channels."""
        guild_id = self.snowflake() if shard is None else self.snowflake.on_shard(*shard)
        guild = Guild(guild_id, name, {})
        for position, channel_name in enumerate(channel_names or ("general",)):
            channel_id = self.snowflake()
            guild.channels[channel_name] = channel_id
            self.channels[channel_id] = p.text_channel(channel_id, guild.id, channel_name, position)
        self.guilds[guild.id] = guild
        return guild

    def add_thread(self, guild: Guild, parent: int, name: str) -> int:
        """A public thread under the text channel ``parent`` (THREAD_CREATE when connected)."""
        thread_id = guild.threads[name] = self.snowflake()
        self.channels[thread_id] = p.thread_channel(
            thread_id, guild.id, parent, name, owner_id=self.owner.id
        )
        if self.gateway.connected:
            data = {**self.channels[thread_id], "newly_created": True}
            self._spawn(self.gateway.dispatch("THREAD_CREATE", data))
        return thread_id

    def join(self, guild: Guild, *users: User) -> None:
        guild.members.update(user.id for user in users)

    def member(self, guild_id: int, user_id: int) -> JSON | None:
        """The member object ``GET /guilds/{guild}/members/{user}`` answers, if they joined."""
        guild = self.guilds.get(guild_id)
        if guild is None or user_id not in guild.members:
            return None
        user = self._known_users.get(user_id)
        return p.member(
            joined=p.iso(),
            with_user=user.payload if user is not None else None,
            roles=sorted(self.member_roles.get((guild_id, user_id), ())),
        )

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0) -> int:
        """A role in the server (given to members with ``give_role``)."""
        role_id = guild.roles[name] = self.snowflake()
        self.role_permissions[role_id] = permissions
        if self.gateway.connected:
            role = p.role(role_id, name, permissions, len(guild.roles))
            self._spawn(
                self.gateway.dispatch(
                    "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role}
                )
            )
        return role_id

    def role_payload(self, guild: Guild, role_id: int) -> JSON:
        """The role as a role option carries it (``slash(…, role=emu.role_payload(…))``)."""
        name = next(n for n, r in guild.roles.items() if r == role_id)
        position = list(guild.roles.values()).index(role_id) + 1
        return p.role(role_id, name, self.role_permissions.get(role_id, 0), position)

    def give_role(self, guild: Guild, user: User, role_id: int) -> None:
        self.member_roles.setdefault((guild.id, user.id), set()).add(role_id)

    def take_role(self, guild: Guild, user: User, role_id: int) -> None:
        self.member_roles.get((guild.id, user.id), set()).discard(role_id)

    def member_permissions(self, guild_id: int, user: User) -> int:
        """The member's resolved permissions (no channel overwrites in this emulator): the
        owner and Administrator have all."""
        if user.id == self.owner.id:
            return int(p.ALL_PERMISSIONS)
        value = p.EVERYONE_PERMISSIONS
        for role_id in self.member_roles.get((guild_id, user.id), ()):
            value |= self.role_permissions.get(role_id, 0)
        return int(p.ALL_PERMISSIONS) if value & p.ADMINISTRATOR else value

    def allow_command(self, guild: Guild, command: str, *ids: int) -> None:
        """Server Settings → Integrations: let these roles or users (``guild.id`` for
        @everyone) use ``command`` although they lack its default member permissions."""
        self.command_access.setdefault((guild.id, command), set()).update(ids)

    def offered(self, user: User, channel_id: int, command: JSON) -> str | None:
        """Why Discord's client would not offer this command here, or ``None`` if it would."""
        guild_id = self.guild_of(channel_id)
        if guild_id is None:
            contexts = command.get("contexts")
            if command.get("dm_permission") is False or (
                contexts is not None and 1 not in contexts
            ):
                return f"/{command['name']} is not offered in DMs"
            return None
        needed = int(command.get("default_member_permissions") or 0)
        if command.get("default_member_permissions") is None:
            return None
        allowed = self.command_access.get((guild_id, command["name"]), set())
        roles = self.member_roles.get((guild_id, user.id), set())
        if {guild_id, user.id, *roles} & allowed:
            return None
        if self.member_permissions(guild_id, user) & needed == needed and needed:
            return None
        return f"{user.name} lacks /{command['name']}'s default member permissions ({needed})"

    def age(self, interaction: Interaction, seconds: float) -> None:
        """Let ``seconds`` pass for an interaction's token (tokens live 15 minutes)."""
        interaction.created -= seconds

    def dm_channel(self, user: User) -> int:
        if user.id not in self._dms:
            channel_id = self._dms[user.id] = self.snowflake()
            self.channels[channel_id] = p.dm_channel(channel_id, user.payload)
        return self._dms[user.id]

    def guild_of(self, channel_id: int) -> int | None:
        guild_id = self.channels[channel_id].get("guild_id")
        return int(guild_id) if guild_id else None

    def _ready_payload(self, session_id: str) -> JSON:
        return {
            "v": 10,
            "user": p.me(self.app_id, self.bot.name),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "session_id": session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild_payload(self, guild: Guild) -> JSON:
        channels = [dict(self.channels[c]) for c in guild.channels.values()]
        threads = [dict(self.channels[c]) for c in guild.threads.values()]
        bot_member = p.member(joined=p.iso(), with_user=self.bot.payload)
        roles = [
            p.role(role_id, name, self.role_permissions.get(role_id, 0), position)
            for position, (name, role_id) in enumerate(guild.roles.items(), 1)
        ]
        return p.guild(
            guild.id,
            guild.name,
            owner_id=self.owner.id,
            channels=channels,
            members=[bot_member],
            roles=roles,
            threads=threads,
            locale=guild.locale,
        )

    def attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        host: str | None = None,
        size: int | None = None,
    ) -> JSON:
        """An attachment stored on the emulated CDN (``host`` makes its URL name another
        host, as a crafted payload could)."""
        attachment_id = self.snowflake()
        path = f"/attachments/{self.snowflake()}/{attachment_id}/{filename}"
        self.cdn[path] = (data, content_type)
        url = f"http://{host or self.cdn_host}{path}?ex=68f0a1b2&is=68ef5032&hm=0a1b2c3d"
        return p.attachment(
            attachment_id, filename, len(data) if size is None else size, url, content_type
        )

    def redirect(self, attachment: JSON, to_url: str) -> JSON:
        """Make the CDN answer ``attachment``'s URL with a 302 to ``to_url``."""
        path = str(attachment["url"]).split("?")[0].split(self.cdn_host, 1)[1]
        self.cdn_redirects[path] = to_url
        return attachment

    # ---- what people do -----------------------------------------------------------------
    async def user_says(
        self,
        user: User,
        channel_id: int,
        content: str,
        *,
        mention: bool = False,
        reply_to: int | None = None,
        ping: bool = False,
        attachments: tuple[JSON, ...] = (),
        message_type: int = 0,
    ) -> int:
        """A MESSAGE_CREATE from ``user``; returns the message id. ``reply_to`` makes it a
        reply (``ping`` adds the replied-to author to the mentions, as the client's toggle)."""
        await self.wait_connected()
        guild_id = self.guild_of(channel_id)
        mentions: list[JSON] = []
        if mention:
            content = f"<@{self.app_id}> {content}"
            mentions.append(self.bot.payload)
        referenced = self.messages[reply_to] if reply_to is not None else None
        if referenced is not None and ping:
            mentions.append(referenced["author"])
        message_id = self.snowflake()
        data = p.message(
            message_id,
            channel_id,
            user.payload,
            content,
            mentions=mentions,
            attachments=list(attachments),
            referenced=referenced,
            type_=message_type,
        )
        self.store(data, record_history=False)
        event = dict(data)
        if guild_id is not None:
            self.guilds[guild_id].members.add(user.id)
            event["guild_id"] = str(guild_id)
            event["member"] = p.member(
                joined=p.iso(), roles=sorted(self.member_roles.get((guild_id, user.id), ()))
            )
            if not self.gateway.message_content and not mention:
                event.update(content="", attachments=[], embeds=[])
        await self.gateway.dispatch("MESSAGE_CREATE", event)
        return message_id

    async def user_dms(
        self, user: User, content: str, *, attachments: tuple[JSON, ...] = ()
    ) -> int:
        return await self.user_says(user, self.dm_channel(user), content, attachments=attachments)

    async def slash(
        self,
        user: User,
        channel_id: int,
        command: str,
        subcommand: str | None = None,
        *,
        locale: str = "en-US",
        as_offered: bool = True,
        **options: Any,
    ) -> Interaction:
        """An INTERACTION_CREATE for a synced command (checked against what was synced).
        ``subcommand`` may name a group and its subcommand (``"config show"``). With
        ``as_offered`` a command Discord's client would not offer this person here (default
        member permissions, server-only) raises ``PermissionError``; ``False`` sends it anyway,
        as a stale client or a forged request could."""
        await self.wait_connected()
        guild_id = self.guild_of(channel_id)
        synced = self.commands.get(command)
        if synced is None and guild_id is not None:
            synced = self.guild_commands.get(guild_id, {}).get(command)
        if synced is None:
            raise KeyError(f"/{command} was not synced (synced: {sorted(self.commands)})")
        refusal = self.offered(user, channel_id, synced)
        if as_offered and refusal is not None:
            raise PermissionError(refusal)
        resolved: JSON = {}
        command_data: JSON = {
            "id": synced["id"],
            "name": command,
            "type": 1,
            "options": p.command_options(synced, subcommand, options, resolved),
        }
        if resolved:
            command_data["resolved"] = resolved
        return await self._interact(user, channel_id, 2, command_data, locale=locale)

    async def autocomplete(
        self,
        user: User,
        channel_id: int,
        command: str,
        subcommand: str,
        *,
        focused: str,
        locale: str = "en-US",
        **options: Any,
    ) -> list[str]:
        """The person is typing option ``focused`` (its partial value among ``options``):
        the suggestions the bot offers (callback type 8), by value."""
        synced = self.commands[command]
        inner: JSON = {
            "id": synced["id"],
            "name": command,
            "type": 1,
            "options": p.command_options(synced, subcommand, options, focused=focused),
        }
        typing = await self._interact(user, channel_id, 4, inner, locale=locale)
        await self.wait_for(lambda: typing.callback)
        assert typing.callback is not None and typing.callback["type"] == 8
        return [str(c["value"]) for c in typing.callback["data"]["choices"]]

    async def submit_form(
        self, opened: Interaction, *values: str, user: User | None = None, locale: str | None = None
    ) -> Interaction:
        """The person fills in the modal ``opened`` was answered with and submits it (type 5):
        ``values`` replace the fields' pre-filled text in order; the rest are kept."""
        modal = opened.modal
        if modal is None:
            raise ValueError("that interaction was not answered with a modal")
        fields = p.text_inputs(modal)
        if len(values) > len(fields):
            raise ValueError(f"the form has {len(fields)} fields")
        entered = {f["custom_id"]: f.get("value") or "" for f in fields}
        for field_, value in zip(fields, values, strict=False):
            if len(value) > (field_.get("max_length") or p.TEXT_INPUT_LIMIT):
                raise ValueError("Discord's client lets no one type past max_length")
            entered[field_["custom_id"]] = value
        data = {
            "custom_id": modal["custom_id"],
            "components": p.modal_submit_components(modal, entered),
        }
        return await self._interact(
            user or opened.user, opened.channel_id, 5, data, locale=locale or opened.locale
        )

    def form_values(self, opened: Interaction) -> list[str]:
        """The fields of the modal ``opened`` was answered with, pre-filled as shown."""
        return [f.get("value") or "" for f in p.text_inputs(opened.modal or {})]

    async def _interact(
        self,
        user: User,
        channel_id: int,
        kind: int,
        inner: JSON,
        *,
        locale: str,
        extra: JSON | None = None,
    ) -> Interaction:
        await self.wait_connected()
        guild_id = self.guild_of(channel_id)
        interaction = Interaction(
            self.snowflake(),
            p.token("aW50ZXJhY3Rpb24"),
            channel_id,
            guild_id,
            user,
            type=kind,
            locale=locale,
        )
        if extra and "message" in extra:
            interaction.message_id = int(extra["message"]["id"])
        self.interactions[interaction.id] = interaction
        data: JSON = {
            "id": str(interaction.id),
            "application_id": str(self.app_id),
            "type": kind,
            "token": interaction.token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": dict(self.channels[channel_id]),
            "data": inner,
            "locale": locale,
            "app_permissions": p.ALL_PERMISSIONS,
            "entitlements": [],
            "attachment_size_limit": self.upload_limit,
            "context": 1 if guild_id is None else 0,
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            data["guild_locale"] = self.guilds[guild_id].locale
            data["member"] = p.member(
                joined=p.iso(),
                with_user=user.payload,
                permissions=self.member_permissions(guild_id, user),
                roles=sorted(self.member_roles.get((guild_id, user.id), ())),
            )
            data["authorizing_integration_owners"] = {"0": str(guild_id)}
        else:
            data["user"] = user.payload
        data.update(extra or {})
        await self.gateway.dispatch("INTERACTION_CREATE", data)
        return interaction

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- faults and rate limits ---------------------------------------------------------
    def fail_next(
        self,
        kind: str,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        via: bool = True,
        status: int = 429,
    ) -> None:
        """The next ``times`` calls of ``kind`` get a 429 (without ``Via`` discord.py does not
        wait it out: it raises ``HTTPException``), or ``status`` (a 5xx: discord.py tries 500,
        502 and 504 again itself, and raises ``DiscordServerError`` for the others)."""
        self.faults.append(Fault(kind, times, retry_after, via, status))

    def fault_response(self, fault: Fault, headers: dict[str, str]) -> web.Response:
        if fault.status == 429:
            return self.too_many(fault.retry_after, headers, via=fault.via)
        return json_response({"message": "Service Unavailable", "code": 0}, fault.status)

    def take_fault(self, kind: str) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def bucket(self, key: str) -> Bucket:
        if key not in self.buckets:
            limit = self.reaction_limit if key.startswith("reactions:") else self.rate_limit
            self.buckets[key] = Bucket(*limit)
        return self.buckets[key]

    @staticmethod
    def rate_limit_headers(bucket: Bucket, name: str, now: float) -> dict[str, str]:
        reset_after = max(bucket.reset_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.limit - bucket.count, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": name,
        }

    @staticmethod
    def too_many(retry_after: float, headers: dict[str, str], *, via: bool) -> web.Response:
        headers = {
            **headers,
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Scope": "user",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "Retry-After": str(max(1, math.ceil(retry_after))),
        }
        if via:
            headers["Via"] = "1.1 google"
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": False,
        }
        return json_response(body, 429, headers)

    # ---- the record -----------------------------------------------------------------------
    def calls_of(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds]

    def rate_limited(self) -> list[Call]:
        return [c for c in self.calls if c.status == 429]

    def bot_messages(self, channel_id: int | None = None) -> list[JSON]:
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == str(self.app_id)
            and (channel_id is None or m["channel_id"] == str(channel_id))
        ]

    def replies_to(self, message_id: int) -> list[JSON]:
        """The bot's messages replying to that message, oldest first."""
        return [
            m
            for m in self.bot_messages()
            if m.get("message_reference", {}).get("message_id") == str(message_id)
        ]

    def pages(self, message_id: int) -> list[str]:
        """The text the person sees in answer to that message (upload messages left out)."""
        return [m["content"] for m in self.replies_to(message_id) if m["content"]]

    def shown(self, interaction: Interaction) -> list[str]:
        """What the person sees in answer to an interaction: the response's text, then each
        follow-up's (a deferred response's first follow-up replaces "thinking…")."""
        return [
            self.messages[m]["content"]
            for m in interaction.message_ids
            if self.messages[m]["content"]
        ]

    def contents(self, message_id: int) -> list[str]:
        """Every content a message showed: as created, then after each edit."""
        return list(self.history.get(message_id, []))

    def store(self, data: JSON, *, record_history: bool = True) -> None:
        message_id = int(data["id"])
        self.messages[message_id] = data
        if record_history:
            self.history.setdefault(message_id, []).append(data["content"])
            self.written.setdefault(message_id, []).append(time.monotonic())

    def echo(self, event: str, data: JSON) -> None:
        """Send the bot's own message events to the gateway, after the REST answer."""
        if not self.echo_bot_messages or not self.gateway.connected:
            return
        guild_id = self.guild_of(int(data["channel_id"]))
        payload = dict(data, guild_id=str(guild_id)) if guild_id else dict(data)
        self._spawn(self._echo(event, payload))

    async def _echo(self, event: str, data: JSON) -> None:
        with contextlib.suppress(ConnectionError):
            await self.gateway.dispatch(event, data)

    # ---- waiting --------------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any]) -> Any:
        """Wait until ``predicate()`` is truthy (checked after every call and gateway change);
        returns its value. ``TimeoutError`` after ``wait_timeout`` seconds."""
        result: Any = None

        def check() -> bool:
            nonlocal result
            result = predicate()
            return bool(result)

        async with asyncio.timeout(self.wait_timeout), self._changed:
            await self._changed.wait_for(check)
        return result

    async def wait_connected(self) -> None:
        await self.wait_for(lambda: self.gateway.connected)

    async def recorded(self, call: Call) -> None:
        self.calls.append(call)
        await self._notify()

    # ---- middleware -----------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            result: web.StreamResponse = await handler(request)
            return result
        call = Call(
            kind=request.match_info.route.name or "unknown",
            method=request.method,
            path=request.path,
            query=dict(request.query),
            json=None,
            headers={k.lower(): v for k, v in request.headers.items()},
            params=dict(request.match_info),
        )
        request[CALL_KEY] = call
        try:
            await read_body(request, call)
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        call.status = response.status
        if not request.get(HELD_KEY):
            await self.recorded(call)
        return response
