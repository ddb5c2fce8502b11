"""The emulated REST API and CDN: login, command sync, messages (JSON or multipart uploads),
typing, interaction callbacks and follow-ups; with auth, injected faults and per-channel
rate limits answered the way Discord does."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests import discord_emulator_payloads as p
from tests.discord_emulator_components import component_problems
from tests.discord_emulator_payloads import JSON

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator, Interaction

API = "/api/v10"
MAX_CONTENT = 2000
MAX_FILES = 10
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One request the emulator received."""

    kind: str  # "create", "edit", "typing", "callback", "followup", "followup_edit", "cdn", …
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    uploads: list[Upload] = field(default_factory=list)
    status: int | None = None
    at: float = field(default_factory=time.monotonic)
    params: dict[str, str] = field(default_factory=dict)


CALL_KEY = web.RequestKey("call", Call)
HELD_KEY = web.RequestKey("held", bool)


async def read_body(request: web.Request, call: Call) -> None:
    if not request.can_read_body:
        return
    if request.content_type == "application/json":
        call.json = json.loads(await request.read() or b"null")
    elif request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                call.json = json.loads(await part.read())
            elif part.filename is not None:
                data = bytes(await part.read())
                call.uploads.append(Upload(part.filename, data, part.headers.get("Content-Type")))


NONCE_MEMORY = 300.0
"""Seconds Discord remembers a message's nonce ("the past few minutes")."""


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """discord.py parses JSON only when Content-Type is exactly ``application/json``."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return json_response({"message": message, "code": code, **extra}, status)


def _too_long() -> web.Response:
    issue = {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
    return error(400, 50035, "Invalid Form Body", errors={"content": {"_errors": [issue]}})


class RestRoutes:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def add_to(self, app: web.Application) -> None:
        route = self._route
        route(app, "GET", "/users/@me", self.me, "me")
        route(app, "GET", "/oauth2/applications/@me", self.application, "application")
        route(app, "GET", "/gateway/bot", self.gateway_bot, "gateway_bot")
        route(app, "PUT", "/applications/{app}/commands", self.sync, "sync")
        route(app, "GET", "/applications/{app}/commands", self.commands, "commands")
        route(app, "PUT", "/applications/{app}/guilds/{guild}/commands", self.sync, "sync_guild")
        route(app, "POST", "/channels/{channel}/messages", self.create, "create")
        route(app, "PATCH", "/channels/{channel}/messages/{message}", self.edit, "edit")
        route(app, "GET", "/channels/{channel}/messages/{message}", self.get, "get_message")
        route(app, "POST", "/channels/{channel}/typing", self.typing, "typing")
        route(app, "GET", "/guilds/{guild}/members/{user}", self.get_member, "get_member")
        reaction = "/channels/{channel}/messages/{message}/reactions/{emoji}/@me"
        route(app, "PUT", reaction, self.react, "react")
        route(app, "DELETE", reaction, self.unreact, "unreact")
        route(
            app,
            "POST",
            "/interactions/{interaction}/{token}/callback",
            self.callback,
            "callback",
            auth=False,
        )
        route(app, "POST", "/webhooks/{app}/{token}", self.followup, "followup", auth=False)
        route(
            app,
            "PATCH",
            "/webhooks/{app}/{token}/messages/{message}",
            self.followup_edit,
            "followup_edit",
            auth=False,
        )
        app.router.add_get("/attachments/{channel}/{attachment}/{filename}", self.cdn, name="cdn")

    def _route(
        self,
        app: web.Application,
        method: str,
        path: str,
        handler: Handler,
        kind: str,
        *,
        auth: bool = True,
    ) -> None:
        async def guarded(request: web.Request) -> web.StreamResponse:
            call = request[CALL_KEY]
            expected = f"Bot {self.emu.bot_token}"
            if auth and call.headers.get("authorization") != expected:
                return error(401, 0, "401: Unauthorized")
            return await self._limited(request, kind, handler)

        app.router.add_route(method, API + path, guarded, name=kind)

    async def _limited(
        self, request: web.Request, kind: str, handler: Handler
    ) -> web.StreamResponse:
        emu, params = self.emu, request.match_info
        fault = emu.take_fault(kind)
        if kind in ("create", "edit"):
            key, name = f"channel:{params['channel']}", "emu-channel-messages"
        elif kind in ("followup", "followup_edit"):
            key, name = f"webhook:{params['token']}", "emu-interaction-webhook"
        elif kind in ("react", "unreact"):  # adding and removing are limited apart
            key, name = f"reactions:{kind}:{params['channel']}", f"emu-channel-{kind}"
        else:
            if fault is not None:
                return emu.fault_response(fault, {})
            return await handler(request)
        bucket, now = emu.bucket(key), time.monotonic()
        if now >= bucket.reset_at:
            bucket.count, bucket.reset_at = 0, now + bucket.per
        if fault is not None:
            headers = emu.rate_limit_headers(bucket, name, now)
            return emu.fault_response(fault, headers)
        if bucket.count >= bucket.limit:
            headers = emu.rate_limit_headers(bucket, name, now)
            return emu.too_many(bucket.reset_at - now, headers, via=True)
        bucket.count += 1
        response = await handler(request)
        release = emu.holds.get(kind)
        if release is not None:
            # Done, and seen by the test, but the caller has no answer yet.
            request[CALL_KEY].status = response.status
            request[HELD_KEY] = True
            await emu.recorded(request[CALL_KEY])
            await release.wait()
        if response.status < 300:
            response.headers.update(emu.rate_limit_headers(bucket, name, now))
        return response

    async def get_member(self, request: web.Request) -> web.StreamResponse:
        params = request.match_info
        member = self.emu.member(int(params["guild"]), int(params["user"]))
        if member is None:
            return error(404, 10007, "Unknown Member")
        return json_response(member)

    # ---- login and commands ---------------------------------------------------------------
    async def gateway_bot(self, request: web.Request) -> web.StreamResponse:
        """Where to connect and how many shards to run (AutoShardedClient without a count)."""
        return json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.gateway.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def me(self, request: web.Request) -> web.StreamResponse:
        return json_response(p.me(self.emu.app_id, self.emu.bot.name))

    async def application(self, request: web.Request) -> web.StreamResponse:
        return json_response(
            p.application(self.emu.app_id, self.emu.bot.name, self.emu.owner.payload)
        )

    async def sync(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        if request.match_info["app"] != str(emu.app_id):
            return error(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        target = emu.commands if guild_id is None else emu.guild_commands.setdefault(guild_id, {})
        synced: dict[str, JSON] = {}
        for command in call.json or []:
            previous = target.get(command["name"])
            command_id = int(previous["id"]) if previous else emu.snowflake()
            synced[command["name"]] = p.synced_command(
                command,
                command_id=command_id,
                app_id=emu.app_id,
                version=emu.snowflake(),
                guild_id=guild_id,
            )
        target.clear()
        target.update(synced)
        return json_response(list(synced.values()))

    async def commands(self, request: web.Request) -> web.StreamResponse:
        return json_response(list(self.emu.commands.values()))

    # ---- messages ----------------------------------------------------------------------------
    def _new_message(
        self,
        channel_id: int,
        content: str,
        call: Call,
        *,
        referenced: JSON | None = None,
        type_: int = 0,
        flags: int = 0,
    ) -> JSON:
        emu = self.emu
        attachments = [emu.attachment(u.filename, u.data, u.content_type) for u in call.uploads]
        return p.message(
            emu.snowflake(),
            channel_id,
            emu.bot.payload,
            content,
            attachments=attachments,
            referenced=referenced,
            type_=type_,
            flags=flags,
        )

    def _invalid(self, body: JSON, call: Call, *, new: bool) -> web.Response | None:
        content = body.get("content") or ""
        if len(content) > MAX_CONTENT:
            return _too_long()
        if new and not content and not call.uploads and not body.get("embeds"):
            return error(400, 50006, "Cannot send an empty message")
        if len(call.uploads) > MAX_FILES:
            return error(400, 50035, "Invalid Form Body")
        if component_problems(body.get("components") or []):
            return error(400, 50035, "Invalid Form Body (components)")
        if any(len(u.data) > self.emu.upload_limit for u in call.uploads):
            return error(413, 40005, "Request entity too large")
        return None

    async def create(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        channel_id = int(request.match_info["channel"])
        if channel_id not in emu.channels:
            return error(404, 10003, "Unknown Channel")
        body = call.json or {}
        invalid = self._invalid(body, call, new=True)
        if invalid is not None:
            return invalid
        referenced = None
        reference = body.get("message_reference")
        if reference:
            referenced = emu.messages.get(int(reference["message_id"]))
            if referenced is None and reference.get("fail_if_not_exists", True):
                return error(400, 50035, "Invalid Form Body (unknown message_reference)")
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            # Discord: the same author and nonce within a few minutes returns that message.
            earlier = emu.nonces.get((channel_id, str(nonce)))
            if earlier is not None and time.monotonic() - earlier[1] < NONCE_MEMORY:
                return json_response(emu.messages[earlier[0]])
        data = self._new_message(channel_id, body.get("content") or "", call, referenced=referenced)
        data["components"] = body.get("components") or []
        if nonce:
            data["nonce"] = str(nonce)
            emu.nonces[(channel_id, str(nonce))] = (int(data["id"]), time.monotonic())
        emu.store(data)
        emu.echo("MESSAGE_CREATE", data)
        return json_response(data)

    def _edit(self, message: JSON, body: JSON, call: Call) -> web.Response:
        invalid = self._invalid(body, call, new=False)
        if invalid is not None:
            return invalid
        if "content" in body:
            message["content"] = body["content"] or ""
        if "components" in body:
            message["components"] = body["components"] or []
        if call.uploads:
            message["attachments"] = [
                *message["attachments"],
                *self._new_message(int(message["channel_id"]), "", call)["attachments"],
            ]
        message["edited_timestamp"] = p.iso()
        self.emu.store(message)
        self.emu.echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def edit(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        message = emu.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return error(404, 10008, "Unknown Message")
        if message["author"]["id"] != str(emu.app_id):
            return error(403, 50005, "Cannot edit a message authored by another user")
        return self._edit(message, call.json or {}, call)

    async def get(self, request: web.Request) -> web.StreamResponse:
        message = self.emu.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return error(404, 10008, "Unknown Message")
        return json_response(message)

    async def typing(self, request: web.Request) -> web.StreamResponse:
        if int(request.match_info["channel"]) not in self.emu.channels:
            return error(404, 10003, "Unknown Channel")
        return web.Response(status=204)

    async def react(self, request: web.Request) -> web.StreamResponse:
        return self._reaction(request, add=True)

    async def unreact(self, request: web.Request) -> web.StreamResponse:
        return self._reaction(request, add=False)

    def _reaction(self, request: web.Request, *, add: bool) -> web.StreamResponse:
        """The bot's own reaction on a message (discord.py quotes the emoji in the path)."""
        emu, info = self.emu, request.match_info
        message_id = int(info["message"])
        message = emu.messages.get(message_id)
        if message is None or message["channel_id"] != info["channel"]:
            return error(404, 10008, "Unknown Message")
        emoji = info["emoji"]
        mine = emu.reactions.setdefault(message_id, set())
        if add:
            mine.add(emoji)
        else:
            mine.discard(emoji)
        emu.reaction_log.append((time.monotonic(), "add" if add else "remove", message_id, emoji))
        return web.Response(status=204)

    # ---- interactions ----------------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        interaction = emu.interactions.get(int(request.match_info["interaction"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            return error(404, 10062, "Unknown interaction")
        if time.monotonic() - interaction.created > emu.interaction_deadline:
            return error(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = call.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        ephemeral = int(data.get("flags") or 0) & p.EPHEMERAL
        if (interaction.type == 4) != (kind == 8):
            return error(400, 40043, "Interaction has an invalid callback type")
        if kind == 8:
            choices = data.get("choices") or []
            if len(choices) > 25 or any(not 1 <= len(c["name"]) <= 100 for c in choices):
                return error(400, 50035, "Invalid Form Body (choices)")
            interaction.callback = body
            return web.Response(status=204)
        if kind == 9:
            return self._open_modal(interaction, body)
        if kind == 7:
            return self._update_clicked(interaction, body, call)
        if kind == 4:
            if self._invalid(data, call, new=True) is not None:
                return error(400, 50035, "Invalid Form Body")
            content, flags = data.get("content") or "", ephemeral
        elif kind == 5:
            content, flags = "", p.LOADING | ephemeral
        else:
            return error(400, 50035, f"Invalid Form Body (callback type {kind})")
        message = self._new_message(
            interaction.channel_id,
            content,
            call,
            type_=p.MESSAGE_TYPE_CHAT_INPUT_COMMAND,
            flags=flags,
        )
        message.update(
            webhook_id=str(emu.app_id),
            application_id=str(emu.app_id),
            interaction_metadata={
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.payload,
            },
        )
        interaction.callback = body
        interaction.original_id = int(message["id"])
        interaction.message_ids.append(interaction.original_id)
        emu.store(message)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _callback_response(interaction, kind, message, ephemeral=bool(ephemeral))

    def _update_clicked(self, interaction: Interaction, body: JSON, call: Call) -> web.Response:
        """Callback type 7 (UPDATE_MESSAGE): a click edits the message it was on."""
        message = self.emu.messages.get(interaction.message_id or 0)
        if interaction.type != 3 or message is None:
            return error(400, 40043, "Interaction has an invalid callback type")
        edited = self._edit(message, body.get("data") or {}, call)
        if edited.status >= 300:
            return edited
        interaction.callback = body
        interaction.original_id = int(message["id"])
        return _callback_response(interaction, 7, message, ephemeral=False)

    def _open_modal(self, interaction: Interaction, body: JSON) -> web.Response:
        """Callback type 9: the person sees a form; nothing is posted in the channel."""
        if interaction.type == 5:
            return error(400, 50035, "Invalid Form Body (a modal cannot answer a modal submit)")
        modal = body.get("data") or {}
        problems = p.modal_problems(modal)
        if problems:
            return error(400, 50035, "Invalid Form Body", errors={"data": problems})
        interaction.callback = body
        interaction.modal = modal
        return json_response(
            {
                "interaction": {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "activity_instance_id": None,
                    "response_message_id": None,
                    "response_message_loading": False,
                    "response_message_ephemeral": False,
                },
            }
        )

    def _interaction(self, request: web.Request) -> Interaction | None:
        if request.match_info["app"] != str(self.emu.app_id):
            return None
        token = request.match_info["token"]
        found = [i for i in self.emu.interactions.values() if i.token == token]
        # Follow-ups need an acknowledged interaction: before that the webhook is unknown.
        return found[0] if found and found[0].callback is not None else None

    def _expired(self, interaction: Interaction) -> web.Response | None:
        """An interaction's token works for ``interaction_token_life`` (15 minutes)."""
        if time.monotonic() - interaction.created <= self.emu.interaction_token_life:
            return None
        return error(401, 50027, "Invalid Webhook Token")

    async def followup(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        interaction = self._interaction(request)
        if interaction is None:
            return error(404, 10015, "Unknown Webhook")
        expired = self._expired(interaction)
        if expired is not None:
            return expired
        body = call.json or {}
        deferred = (interaction.callback or {}).get("type") == 5
        if deferred and not interaction.followed_up and interaction.original_id is not None:
            # Discord: the first follow-up after a deferral edits the "thinking…" message.
            interaction.followed_up = True
            original = emu.messages[interaction.original_id]
            original["flags"] = int(original["flags"]) & ~p.LOADING
            response = self._edit(original, body, call)
        else:
            invalid = self._invalid(body, call, new=True)
            if invalid is not None:
                return invalid
            interaction.followed_up = True
            flags = int(body.get("flags") or 0) & p.EPHEMERAL
            data = self._new_message(
                interaction.channel_id,
                body.get("content") or "",
                call,
                type_=p.MESSAGE_TYPE_CHAT_INPUT_COMMAND,
                flags=flags,
            )
            data.update(webhook_id=str(emu.app_id), application_id=str(emu.app_id))
            data["components"] = body.get("components") or []
            interaction.message_ids.append(int(data["id"]))
            emu.store(data)
            emu.echo("MESSAGE_CREATE", data)
            response = json_response(data)
        if request.query.get("wait") in ("1", "true", "True"):
            return response
        return web.Response(status=204) if response.status < 300 else response

    async def followup_edit(self, request: web.Request) -> web.StreamResponse:
        emu, call = self.emu, request[CALL_KEY]
        interaction = self._interaction(request)
        if interaction is None:
            return error(404, 10015, "Unknown Webhook")
        expired = self._expired(interaction)
        if expired is not None:
            return expired
        ref = request.match_info["message"]
        message_id = interaction.original_id if ref == "@original" else int(ref)
        if message_id not in interaction.message_ids:
            return error(404, 10008, "Unknown Message")
        original = emu.messages[message_id]
        if message_id == interaction.original_id:
            # Editing the response of a deferral replaces "thinking…" (as a first follow-up).
            interaction.followed_up = True
            original["flags"] = int(original["flags"]) & ~p.LOADING
        return self._edit(original, call.json or {}, call)

    # ---- CDN -----------------------------------------------------------------------------
    async def cdn(self, request: web.Request) -> web.StreamResponse:
        self.emu.cdn_requests.append(request.path)
        if request.path in self.emu.cdn_redirects:
            return web.Response(
                status=302, headers={"Location": self.emu.cdn_redirects[request.path]}
            )
        stored = self.emu.cdn.get(request.path)
        if stored is None:
            return web.Response(status=404, text="Not Found")
        data, content_type = stored
        return web.Response(body=data, content_type=content_type or "application/octet-stream")


def _callback_response(
    interaction: Interaction, kind: int, message: JSON, *, ephemeral: bool
) -> web.Response:
    """An interaction callback's answer with ``with_response``: the interaction and the
    message the callback made (a deferred one, type 5, is still loading)."""
    return json_response(
        {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "activity_instance_id": None,
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            },
            "resource": {"type": kind, "message": message},
        }
    )
