"""A loopback Slack emulator for the real ``slack_bolt`` / ``slack_sdk``.

One aiohttp server (port 0) answers the Web API methods the bot uses under ``/api/`` (arguments
merged from the query string, a form body and a JSON body, as slack_sdk sends all three), with
rate-limit tiers that answer 429 + ``Retry-After`` when exceeded; hosts private files that
demand the bot token (a wrong token gets Slack's sign-in page, as the real host does); takes
the raw bytes ``files_upload_v2`` posts to its upload URL; and runs the Socket Mode websocket
(``apps.connections.open`` → ``hello`` → envelopes, checking every ack). It also sends signed
Events API requests to a bot in HTTP mode. A second server stands for a foreign host: tests
assert that nothing, and no token, ever reaches it.

Everything is recorded (``calls``, ``messages``, ``acks``, ``file_requests``…) and tests wait
on conditions (``wait_for``/``until``), never on fixed sleeps.

    async with SlackEmulator() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.slack_emulator_conversations import Channel, ConversationMethods
from tests.slack_emulator_events import (
    APP_ID,
    DEFAULT_TIERS,
    JSON,
    TEAM_ID,
    Message,
    RateLimiter,
    SlackCall,
    Tier,
    dumps,
    file_object,
    new_id,
    signature,
)
from tests.slack_emulator_methods import Upload, WebApiMethods

BOT_TOKEN = "xoxb-1111-2222-emulatedbottoken"
APP_TOKEN = "xapp-1-A0EMULATE-3333-emulatedapptoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_LOGIN_PAGE = "<!DOCTYPE html><html><body>Sign in to Slack</body></html>"
UPLOAD_URL = "upload_url"
"""``fail(UPLOAD_URL, …)``: the URL ``files.getUploadURLExternal`` hands out refuses the bytes."""


_DROPPED = 0
"""The status recorded for a call whose connection the emulator closed instead of answering."""


@dataclass
class FileRequest:
    path: str
    authorization: str | None


@dataclass
class _Fault:
    times: int
    status: int
    error: str | None
    retry_after: int
    drop: bool = False


class SlackEmulator(WebApiMethods, ConversationMethods):
    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        signing_secret: str = SIGNING_SECRET,
        tiers: dict[str, Tier] | None = None,
    ) -> None:
        self.bot_token, self.app_token, self.signing_secret = bot_token, app_token, signing_secret
        self.team_id = TEAM_ID
        self.base_url = self.api_url = self.foreign_url = ""
        self.limiter = RateLimiter(DEFAULT_TIERS if tiers is None else tiers)
        self.streaming_error: str | None = None
        """If set, chat.startStream answers ``{"ok": false, "error": streaming_error}``."""
        self.wait_timeout = 10.0
        self.holds: dict[str, asyncio.Event] = {}
        """Method → an event: such a call is carried out, then its answer waits for the event
        (the message exists; the bot does not know its ts yet)."""
        self.calls: list[SlackCall] = []
        self.messages: dict[str, list[Message]] = {}
        self.deleted: list[Message] = []
        """The bot's messages removed with chat.delete, in order."""
        self.statuses: list[tuple[str, str, str]] = []
        self.experience = "agent"
        """The app's manifest: ``agent`` (agent_view) or ``assistant`` (assistant_view)."""
        self.suggested: list[JSON] = []
        self.dropped_prompts: list[JSON] = []
        """Prompts an agent app sent with a ``thread_ts``: Slack answers ok and shows nothing."""
        self.titles: list[tuple[str, str, str]] = []
        self.channels: dict[str, Channel] = {}
        self.uploads: dict[str, Upload] = {}
        self.users: dict[str, JSON] = {}
        """Extra ``users.info`` fields by user id: ``{"is_admin": True, "locale": "ko-KR"}``."""
        self.views: list[JSON] = []
        self.ephemeral: list[JSON] = []
        self.file_requests: list[FileRequest] = []
        self.foreign_requests: list[FileRequest] = []
        self.envelopes: dict[str, JSON] = {}
        self.acks: dict[str, JSON | None] = {}
        self.ack_errors: list[str] = []
        self.connections: list[web.WebSocketResponse] = []
        self._files: dict[str, tuple[bytes, str]] = {}
        self._foreign_files: dict[str, tuple[bytes, str]] = {}
        self._redirects: dict[str, str] = {}
        self._tickets: set[str] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._changed = asyncio.Condition()
        self._runners: list[web.AppRunner] = []
        self._session: aiohttp.ClientSession | None = None

    # ---- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files-pri/{rest:.*}", self._file)
        app.router.add_post("/upload/v1/{uid}", self._upload)
        app.router.add_get("/socket-mode", self._socket)
        foreign = web.Application()
        foreign.router.add_route("*", "/{rest:.*}", self._foreign)
        self.base_url = await self._serve(app)
        self.api_url = self.base_url + "api/"
        self.foreign_url = await self._serve(foreign)
        self._session = aiohttp.ClientSession()

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/"

    async def stop(self) -> None:
        for ws in list(self.connections):
            await ws.close()
        if self._session is not None:
            await self._session.close()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    async def __aenter__(self) -> SlackEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- scripting and observation --------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int = 1,
        drop: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` fail: 429 (``status=429``), ``error``, or
        (``drop``) the connection closes with no answer at all."""
        fault = _Fault(
            times,
            status,
            error or ("ratelimited" if status == 429 else "fatal_error"),
            retry_after,
            drop,
        )
        self._faults.setdefault(method, deque()).append(fault)

    def _fault(self, method: str) -> _Fault | None:
        """The fault the next call of ``method`` meets, if any (taken from the script)."""
        faults = self._faults.get(method)
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.popleft()
        return fault

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def rate_limited(self) -> list[SlackCall]:
        return [c for c in self.calls if c.status == 429]

    def files_stored(self) -> dict[str, tuple[bytes, str]]:
        """Every file on the workspace's file host, by path (uploads included)."""
        return dict(self._files)

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        """The bot's messages in a thread, oldest first."""
        return [m for m in self.messages.get(channel, []) if m.bot_id and m.thread_ts == thread_ts]

    def texts(self, channel: str, thread_ts: str) -> list[str]:
        return [m.shown for m in self.replies(channel, thread_ts) if not m.files]

    def host_file(
        self, name: str, data: bytes, mimetype: str = "text/csv", *, foreign: bool = False
    ) -> JSON:
        """A private file as a ``file_share`` message lists it (``foreign``: on another host)."""
        file_id = new_id("F")
        path = f"/files-pri/{self.team_id}-{file_id}/{name}"
        (self._foreign_files if foreign else self._files)[path] = (data, mimetype)
        base = self.foreign_url if foreign else self.base_url
        return file_object(file_id, name, mimetype, len(data), base.rstrip("/") + path)

    def host_redirect(self, name: str, to_url: str) -> JSON:
        """A file whose Slack URL redirects elsewhere (the redirect itself needs the token)."""
        file = self.host_file(name, b"")
        path = f"/files-pri/{self.team_id}-{file['id']}/{name}"
        self._redirects[path] = to_url
        return file

    async def until(self, ready: Callable[[], bool]) -> None:
        """Wait until ``ready()``; TimeoutError after ``wait_timeout`` seconds."""
        async with asyncio.timeout(self.wait_timeout), self._changed:
            await self._changed.wait_for(ready)

    async def wait_for(self, predicate: Callable[[list[SlackCall]], bool]) -> list[SlackCall]:
        """Wait until ``predicate(calls)`` holds; returns the calls."""
        await self.until(lambda: predicate(self.calls))
        return self.calls

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- Events API (HTTP mode) -----------------------------------------------------------
    async def post_event(
        self,
        url: str,
        payload: JSON | dict[str, str],
        *,
        form: bool = False,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> tuple[int, str]:
        """Send a signed request as Slack does; returns (status, body)."""
        assert self._session is not None
        body = urlencode(payload).encode() if form else dumps(payload)
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(secret or self.signing_secret, stamp, body),
        }
        if retry_num is not None:
            headers.update(
                {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
            )
        async with self._session.post(url, data=body, headers=headers) as resp:
            return resp.status, await resp.text()

    # ---- Socket Mode ----------------------------------------------------------------------
    async def socket_ready(self) -> None:
        await self.until(lambda: any(not ws.closed for ws in self.connections))

    async def socket_send(
        self,
        payload: JSON,
        *,
        type: str = "events_api",
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Deliver an envelope on the newest connection; returns its ``envelope_id``."""
        await self.socket_ready()
        ws = [ws for ws in self.connections if not ws.closed][-1]
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self.envelopes[envelope_id] = envelope
        await ws.send_str(json.dumps(envelope))
        return envelope_id

    async def wait_ack(self, envelope_id: str) -> JSON | None:
        await self.until(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    async def socket_refresh(self) -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        for ws in [ws for ws in self.connections if not ws.closed]:
            await ws.send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            await ws.close(code=4001, message=b"invalid ticket")
            return ws
        self._tickets.discard(ticket)
        self.connections.append(ws)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len([c for c in self.connections if not c.closed]),
                    "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": APP_ID},
                }
            )
        )
        await self._notify()
        async for frame in ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                self._on_ack(frame.data)
                await self._notify()
        await self._notify()
        return ws

    def _on_ack(self, raw: str) -> None:
        try:
            ack = json.loads(raw)
        except ValueError:
            self.ack_errors.append(f"not JSON: {raw[:80]}")
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        if envelope_id not in self.envelopes:
            self.ack_errors.append(f"ack for an unknown envelope: {raw[:80]}")
        elif envelope_id in self.acks:
            self.ack_errors.append(f"second ack for {envelope_id}")
        else:
            payload = ack.get("payload")
            if payload is not None and not self.envelopes[envelope_id]["accepts_response_payload"]:
                self.ack_errors.append(f"payload in the ack of an events_api envelope: {raw[:80]}")
            self.acks[envelope_id] = payload

    # ---- files ------------------------------------------------------------------------------
    async def _file(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization")
        self.file_requests.append(FileRequest(request.path, auth))
        await self._notify()
        if auth != f"Bearer {self.bot_token}":
            return web.Response(text=_LOGIN_PAGE, content_type="text/html")
        if request.path in self._redirects:
            raise web.HTTPFound(self._redirects[request.path])
        found = self._files.get(request.path)
        if found is None:
            return web.Response(status=404, text="file not found")
        return web.Response(body=found[0], content_type=found[1])

    async def _foreign(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization")
        self.foreign_requests.append(FileRequest(request.path, auth))
        await self._notify()
        found = self._foreign_files.get(request.path, (b"", "application/octet-stream"))
        return web.Response(body=found[0], content_type=found[1])

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["uid"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        fault = self._fault(UPLOAD_URL)
        if fault is not None:
            await request.read()
            status = fault.status if fault.status >= 400 else 500
            return web.Response(status=status, text=fault.error or "")
        upload.data = await request.read()
        upload.authorization = request.headers.get("Authorization")
        await self._notify()
        return web.Response(text=f"OK - {len(upload.data)}")

    # ---- Web API ----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: JSON = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            args.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else args.pop("token", None)
        call = SlackCall(method, args, token)
        self.calls.append(call)
        status, data, headers = self._answer(call)
        call.status, call.error = status, None if data.get("ok") else data.get("error")
        await self._notify()
        if status == _DROPPED:
            assert request.transport is not None
            request.transport.close()  # the client sees the connection end without an answer
            return web.Response()
        release = self.holds.get(method)
        if release is not None:
            await release.wait()
        return web.Response(
            body=dumps(data), status=status, headers=headers, content_type="application/json"
        )

    def _answer(self, call: SlackCall) -> tuple[int, JSON, dict[str, str]]:
        expected = self.app_token if call.method == "apps.connections.open" else self.bot_token
        if not call.token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if call.token != expected:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        fault = self._fault(call.method)
        if fault is not None:
            if fault.drop:
                return _DROPPED, {"ok": False, "error": "connection dropped"}, {}
            if fault.status == 429:
                return self._too_many(fault.retry_after)
            return fault.status, {"ok": False, "error": fault.error}, {}
        channel = call.args.get("channel") or call.args.get("channel_id")
        retry_after = self.limiter.check(call.method, self.team_id, channel)
        if retry_after is not None:
            return self._too_many(retry_after)
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        answer: JSON = handler(call.args)
        return 200, answer, {}

    @staticmethod
    def _too_many(retry_after: int) -> tuple[int, JSON, dict[str, str]]:
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
