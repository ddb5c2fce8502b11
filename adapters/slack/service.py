"""The Slack service: a Bolt ``AsyncApp`` on Socket Mode or HTTP, handing messages to the engine.

Accepted means persisted. The app runs with ``process_before_response=True``, so a listener
finishes before Bolt answers Slack: the message is written into the inbox first, then
acknowledged (HTTP: the 200 response; Socket Mode: the envelope ack, which the handler sends
after dispatch). So the listener keeps to what the job needs, well inside Slack's 3 s: for a
channel message, a Store lookup (is this a thread the bot answers in?) and two small writes (the
thread, and the channel as what the person looks at); the author's locale and roles from
``users.info``, cached, and waited for at most ``USERS_INFO_WAIT`` (past it the message goes on
without them); then the inbox insert. Anything slower (``kb add``'s documents, a DM thread's
title) runs after the acknowledgement. If it fails, Bolt answers 500 (HTTP) or sends no ack
(Socket Mode), and Slack delivers again. With Bolt's default (``False``) the ack would go out
before the insert, and a crash between the two would lose the message. Retries and the
mention's double delivery are dropped by the inbox's unique event key (see ``events.py``), also
across restarts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.http_calls import call_tracer, slack_method
from adapters.http_serve import serve
from adapters.slack.agent import AgentSurface
from adapters.slack.calls import SlackRefused, call
from adapters.slack.clicks import SlackClicks
from adapters.slack.commands import SlackCommands
from adapters.slack.events import PLATFORM, inbound_from_event, slack_reply_to
from adapters.slack.files import FileHost
from adapters.slack.forms import CALLBACK_ID
from adapters.slack.http import EventsEndpoint
from adapters.slack.platform import QUOTA_WINDOW, SlackPlatform
from adapters.slack.reader import SlackReader
from adapters.slack.users import UserDirectory
from bot.buttons import FEEDBACK
from bot.command_deps import CommandDeps
from bot.config import Settings
from bot.engine import Engine
from bot.errors import ConfigError, PlatformUnavailable, RateLimited
from bot.mcp_approvals import MCP_ACTION
from bot.types import Platform
from storage.records import Viewing

log = logging.getLogger(__name__)

COMMAND = "/assistant"
EVENTS_PATH = "/slack/events"
USERS_INFO_WAIT = 0.5
"""Seconds a message waits for its author's locale and roles before it is accepted."""


class SlackService:
    def __init__(
        self,
        *,
        platform: SlackPlatform,
        bot_token: str,
        app_token: str | None,
        signing_secret: str,
        api_url: str,
        host: str = "0.0.0.0",
        port: int = 3000,
        admin_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.slack = platform
        self.platform: Platform = platform  # what the engine sees (PlatformService)
        self.mode = "socket" if app_token else "http"
        self.http_url: str | None = None
        self._bot_token = bot_token
        self._app_token = app_token
        self._signing_secret = signing_secret
        self._api_url = api_url
        self._host = host
        self._port = port
        self._engine: Engine | None = None
        self._app: AsyncApp | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.users = UserDirectory(platform.aux_client, admin_ids)
        self._commands: SlackCommands | None = None
        self._agent: AgentSurface | None = None
        self._clicks: SlackClicks | None = None
        self._routes: list[Callable[[web.Application], None]] = []

    @classmethod
    def from_settings(
        cls, settings: Settings, *, host: str = "0.0.0.0", **platform_options: Any
    ) -> SlackService:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set")
        token = settings.slack_bot_token.get_secret_value()
        app = settings.slack_app_token
        app_token = app.get_secret_value() if app is not None else None
        secret = settings.slack_signing_secret
        if app_token is None and secret is None:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (needed without SLACK_APP_TOKEN)")
        api_url = settings.slack_api_url.rstrip("/") + "/"
        client = AsyncWebClient(token=token, base_url=api_url)
        # Uploads, statuses and prompts may simply wait out a 429 or try a 5xx again; reply
        # edits may not (the editor's shared budget must see a 429, and it retries itself), so
        # they use the client without those handlers.
        aux = AsyncWebClient(
            token=token,
            base_url=api_url,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
                AsyncServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        platform = SlackPlatform(
            client=client,
            aux_client=aux,
            token=token,
            file_host=FileHost.for_api(api_url, settings.slack_file_hosts or None),
            max_file_bytes=int(settings.max_file_mb * 1_000_000),
            native_streaming=settings.slack_native_streaming,
            **platform_options,
        )
        return cls(
            platform=platform,
            bot_token=token,
            app_token=app_token,
            signing_secret=secret.get_secret_value() if secret else "",
            api_url=api_url,
            host=host,
            port=settings.port,
            admin_ids=settings.admin_ids,
        )

    # Lifecycle.

    async def start(self, engine: Engine, commands: CommandDeps) -> None:
        self._engine = engine
        self.slack.store = engine.store
        # Processes on one database split the workspace's quotas (bot/shared_budget.py).
        await engine.budgets.join(PLATFORM)
        self.slack.share = lambda: engine.budgets.members(PLATFORM, QUOTA_WINDOW)
        self._session = aiohttp.ClientSession(
            trace_configs=[call_tracer(engine.metrics, PLATFORM, slack_method)]
        )
        self.slack.client.session = self._session
        self.slack.aux_client.session = self._session
        try:
            identity = await call(self.slack.client.auth_test)
        except SlackRefused as exc:
            raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({exc.error})") from None
        except (PlatformUnavailable, RateLimited, OSError) as exc:
            raise PlatformUnavailable(
                f"cannot reach the Slack API at {self._api_url} ({_unreachable(exc)}): "
                "check the network, or SLACK_API_URL"
            ) from exc
        log.info("Slack: workspace %s as @%s", identity.get("team"), identity.get("user"))
        self._commands = SlackCommands(
            engine=engine,
            commands=commands,
            slack=self.slack,
            users=self.users,
            spawn=self._spawn,
        )
        workspace_url = str(identity.get("url") or "https://slack.com/")
        reader = SlackReader(self.slack.aux_client, workspace_url, self.users)
        engine.add_reader(PLATFORM, reader)
        self._agent = AgentSurface(
            engine=engine,
            client=self.slack.aux_client,
            users=self.users,
            command_prefix=self.slack.limits.command_prefix,
            spawn=self._spawn,
        )
        self._clicks = SlackClicks(
            engine=engine, slack=self.slack, users=self.users, spawn=self._spawn
        )
        self._app = self._build_app(self._commands, self._agent)
        if self._app_token:
            self._socket = AsyncSocketModeHandler(self._app, self._app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: Socket Mode connected")
        else:
            await self._serve_http(self._app)

    def add_routes(self, add: Callable[[web.Application], None]) -> None:
        """More routes on the HTTP mode's port (health and metrics); before ``start``."""
        self._routes.append(add)

    async def connected(self) -> bool:
        """Receiving events: the Socket Mode connection is up, or the HTTP port is open."""
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._runner is not None

    async def stop(self) -> None:
        """Stop receiving. Replies still being written keep the Web API session until
        ``close``, after the engine's grace: closing it under a request in flight fails that
        request (the SDK retries on the same, closed, session) and the answer with it."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.users.close()

    async def close(self) -> None:
        """Release the HTTP sessions, once no reply is being written."""
        await self.slack.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _build_app(self, commands: SlackCommands, agent: AgentSurface) -> AsyncApp:
        app = AsyncApp(
            token=self._bot_token,
            signing_secret=self._signing_secret,
            process_before_response=True,
            request_verification_enabled=self.mode == "http",
            logger=logging.getLogger("slack_bolt"),
        )
        app.client.base_url = self._api_url
        app.event("message")(self._on_message)
        app.event("app_mention")(self._on_message)
        app.event("app_home_opened")(agent.on_home_opened)
        app.event("app_context_changed")(agent.on_context_changed)
        app.event("assistant_thread_started")(agent.on_thread_started)
        app.event("assistant_thread_context_changed")(agent.on_thread_context_changed)
        app.command(COMMAND)(commands.on_command)
        app.view(CALLBACK_ID)(commands.on_form)
        assert self._clicks is not None
        app.action(FEEDBACK)(self._clicks.on_feedback)
        app.action(re.compile(rf"^{MCP_ACTION}-\d+$"))(self._clicks.on_approval)
        # Acknowledge any other event too: an unanswered delivery would only be retried.
        app.event(re.compile(".*"))(self._on_ignored)
        return app

    async def _serve_http(self, app: AsyncApp) -> None:
        # Signatures are checked on the raw bytes before anything parses them (http.py).
        events = EventsEndpoint(secret=self._signing_secret, dispatch=app.async_dispatch)

        async def health(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events.handle)
        web_app.router.add_get("/", health)
        for add in self._routes:
            add(web_app)
        self._runner, port = await serve(web_app, host=self._host, port=self._port)
        self.http_url = f"http://{self._host}:{port}{EVENTS_PATH}"
        log.info("Slack: HTTP mode, listening on %s", self.http_url)

    # Listeners (run before Bolt acknowledges; see the module docstring).

    async def _on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        assert self._engine is not None and self._commands is not None and self._agent is not None
        where, under = event.get("channel"), event.get("thread_ts")
        under = under if isinstance(under, str) and under else None
        known = (
            isinstance(where, str)
            and under is not None
            and event.get("channel_type") != "im"
            and await self.slack.in_bot_thread(where, under)
        )
        message = inbound_from_event(
            body,
            event,
            bot_user_id=context.bot_user_id,
            in_bot_thread=lambda _channel, _thread_ts: known,
        )
        if message is None:
            return
        reply_to = slack_reply_to(message)
        if not reply_to["dm"]:
            if not known:  # a mention: later messages in its thread need none
                await self.slack.remember_thread(message.channel, reply_to["thread_ts"])
            # Asking in a channel is looking at it: "this channel" means this one.
            viewing = Viewing(message.channel, under or "")
            await self._engine.store.save_viewing(
                PLATFORM, message.workspace, message.user, viewing
            )
        user = await self.users.get(message.workspace, message.user, wait=USERS_INFO_WAIT)
        message = dataclasses.replace(message, locale=user.locale, roles=user.roles)
        if await self._commands.kb_add_by_message(message):
            return
        if await self._engine.accept(message) and reply_to["dm"]:
            self._agent.asked(message.channel, str(event["ts"]), under, message.text)

    async def _on_ignored(self) -> None:
        return None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _unreachable(exc: Exception) -> str:
    met = exc.__cause__ or exc  # what the call met: a connection error names the host
    if isinstance(met, aiohttp.ClientConnectorError):
        return f"cannot connect to {met.host}:{met.port}"
    if isinstance(met, TimeoutError):
        return "no answer in time"
    return str(exc) if isinstance(exc, PlatformUnavailable | RateLimited) else type(exc).__name__
