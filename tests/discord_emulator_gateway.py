"""The emulated gateway websocket: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE,
RESUME → RESUMED, RECONNECT (op 7), and dispatches with sequence numbers.

Sharding as Discord does it: an IDENTIFY with ``shard: [id, count]`` opens that shard's
session, which gets only the guilds with ``(guild_id >> 22) % count == id`` (READY,
GUILD_CREATE and every event carrying their ``guild_id``); DMs go to shard 0. Without
``shard`` the one session is shard 0 of 1.

Frames are plain-text JSON: discord.py asks for ``compress=zlib-stream`` but parses TEXT
frames as JSON, which real Discord never sends but which keeps the emulator readable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_emulator_payloads import JSON, MESSAGE_CONTENT, token

HELLO, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HEARTBEAT_ACK = (
    10,
    1,
    2,
    6,
    7,
    9,
    11,
)
DISPATCH = 0


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events."""
    return (guild_id >> 22) % shard_count


@dataclass
class Session:
    """One shard's connection: its websocket (the newest, after a RESUME), sequence numbers,
    and the frames dispatched on it."""

    ws: web.WebSocketResponse
    shard_id: int
    shard_count: int
    session_id: str
    seq: int = 0
    ready: bool = False
    sent: list[JSON] = field(default_factory=list)


@dataclass
class GatewayState:
    """What the bot told the gateway, and what the gateway sent it."""

    identify: JSON | None = None
    intents: int = 0
    session_id: str | None = None
    heartbeats: int = 0
    connects: int = 0
    resumes: int = 0
    sent: list[JSON] = field(default_factory=list)
    ready: bool = False


class Gateway:
    def __init__(
        self,
        *,
        bot_token: Callable[[], str],
        ready_payload: Callable[[str], JSON],
        guild_payloads: Callable[[], list[JSON]],
        changed: Callable[[], Awaitable[None]],
    ) -> None:
        self.state = GatewayState()
        self.heartbeat_interval_ms = 41_250
        self.message_content_allowed = True
        """The Developer Portal switch: without it IDENTIFY with MESSAGE_CONTENT → close 4014."""
        self._bot_token = bot_token
        self._ready_payload = ready_payload
        self._guild_payloads = guild_payloads
        self._changed = changed
        self.sessions: dict[int, Session] = {}
        """By shard id."""
        self.recommended_shards = 1
        """What ``GET /gateway/bot`` answers as ``shards``."""
        self._send_lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        """Every shard of the bot is connected and ready (the one session, unsharded)."""
        live = [s for s in self.sessions.values() if s.ready and not s.ws.closed]
        return bool(live) and len(live) == live[0].shard_count

    @property
    def message_content(self) -> bool:
        return bool(self.state.intents & MESSAGE_CONTENT)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.state.connects += 1
        await self._send(
            ws,
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            },
        )
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._receive(ws, json.loads(frame.data))
        finally:
            for session in self.sessions.values():
                if session.ws is ws:
                    session.ready = False
                    self.state.ready = False
            await self._changed()
        return ws

    async def _receive(self, ws: web.WebSocketResponse, data: JSON) -> None:
        op, payload = data.get("op"), data.get("d")
        if op == HEARTBEAT:
            self.state.heartbeats += 1
            await self._send(ws, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(ws, payload or {})
        elif op == RESUME:
            await self._resume(ws, payload or {})

    async def _identify(self, ws: web.WebSocketResponse, payload: JSON) -> None:
        self.state.identify = payload
        if payload.get("token") != self._bot_token():
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(payload.get("intents", 0))
        if intents & MESSAGE_CONTENT and not self.message_content_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.state.intents = intents
        shard_id, shard_count = (int(n) for n in payload.get("shard") or (0, 1))
        session = Session(ws, shard_id, shard_count, token())
        self.sessions[shard_id] = session
        self.state.session_id = session.session_id
        ready = self._ready_payload(session.session_id)
        ready["guilds"] = [
            g for g in ready["guilds"] if shard_of(int(g["id"]), shard_count) == shard_id
        ]
        if "shard" in payload:
            ready["shard"] = [shard_id, shard_count]
        await self._dispatch_on(session, "READY", ready)
        for guild in self._guild_payloads():
            if shard_of(int(guild["id"]), shard_count) == shard_id:
                await self._dispatch_on(session, "GUILD_CREATE", guild)
        session.ready = self.state.ready = True
        await self._changed()

    async def _resume(self, ws: web.WebSocketResponse, payload: JSON) -> None:
        found = [s for s in self.sessions.values() if s.session_id == payload.get("session_id")]
        if not found or payload.get("token") != self._bot_token():
            await self._send(ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        session = found[0]
        self.state.resumes += 1
        session.ws = ws
        await self._dispatch_on(session, "RESUMED", {})
        session.ready = self.state.ready = True
        await self._changed()

    async def dispatch(self, event: str, data: JSON, *, shard: int | None = None) -> None:
        """Send an event on the shard Discord would use: that of the guild in ``data``
        (``guild_id``), else shard 0 (DMs); or on ``shard``."""
        if shard is None:
            count = next(iter(self.sessions.values())).shard_count if self.sessions else 1
            guild_id = data.get("guild_id")
            shard = shard_of(int(guild_id), count) if guild_id else 0
        session = self.sessions.get(shard)
        if session is None or session.ws.closed:
            raise ConnectionError(f"the bot is not connected to the gateway (shard {shard})")
        await self._dispatch_on(session, event, data)

    async def _dispatch_on(self, session: Session, event: str, data: JSON) -> None:
        async with self._send_lock:
            session.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
            session.sent.append(frame)
            await self._send(session.ws, frame)

    async def _send(self, ws: web.WebSocketResponse, frame: JSON) -> None:
        self.state.sent.append(frame)
        await ws.send_str(json.dumps(frame))

    async def reconnect(self) -> None:
        """Op 7 on every shard: the client closes and RESUMEs on ``resume_gateway_url``."""
        for session in list(self.sessions.values()):
            if not session.ws.closed:
                session.ready = self.state.ready = False
                await self._send(session.ws, {"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        for session in list(self.sessions.values()):
            await session.ws.close()

    def sent_events(self, name: str, *, shard: int | None = None) -> list[Any]:
        """The data of every ``name`` event sent (on ``shard`` only, if given)."""
        frames = self.state.sent if shard is None else self.sessions[shard].sent
        return [f["d"] for f in frames if f.get("t") == name]
