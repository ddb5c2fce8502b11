"""The emulated gateway websocket: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE,
RESUME → RESUMED, RECONNECT (op 7), and dispatches with sequence numbers.

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
    10, 1, 2, 6, 7, 9, 11
)
DISPATCH = 0


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
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._send_lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed and self.state.ready

    @property
    def message_content(self) -> bool:
        return bool(self.state.intents & MESSAGE_CONTENT)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.state.connects += 1
        await self._send(ws, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                              "s": None, "t": None})
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._receive(ws, json.loads(frame.data))
        finally:
            if self._ws is ws:
                self._ws = None
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
        self.state.session_id = token()
        self._seq = 0
        self._ws = ws
        await self.dispatch("READY", self._ready_payload(self.state.session_id))
        for guild in self._guild_payloads():
            await self.dispatch("GUILD_CREATE", guild)
        self.state.ready = True
        await self._changed()

    async def _resume(self, ws: web.WebSocketResponse, payload: JSON) -> None:
        if payload.get("session_id") != self.state.session_id or payload.get("token") != (
            self._bot_token()
        ):
            await self._send(ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.state.resumes += 1
        self._ws = ws
        await self.dispatch("RESUMED", {})
        self.state.ready = True
        await self._changed()

    async def dispatch(self, event: str, data: JSON) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            raise ConnectionError("the bot is not connected to the gateway")
        async with self._send_lock:
            self._seq += 1
            await self._send(ws, {"op": DISPATCH, "t": event, "s": self._seq, "d": data})

    async def _send(self, ws: web.WebSocketResponse, frame: JSON) -> None:
        self.state.sent.append(frame)
        await ws.send_str(json.dumps(frame))

    async def reconnect(self) -> None:
        """Op 7: the client closes and RESUMEs on ``resume_gateway_url``."""
        ws = self._ws
        if ws is not None:
            self.state.ready = False
            await self._send(ws, {"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def sent_events(self, name: str) -> list[Any]:
        return [f["d"] for f in self.state.sent if f.get("t") == name]
