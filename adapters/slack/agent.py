"""Slack's AI surfaces around the messages themselves, under both experiences.

* Agent messaging (``features.agent_view``, the default manifest): ``app_home_opened`` with
  ``tab: "messages"`` means a person opened their DM with the bot; they are greeted once and
  get suggested prompts (``assistant.threads.setSuggestedPrompts`` without ``thread_ts``: an
  agent's prompts belong to the DM, and Slack silently drops a call that names a thread).
  ``app_context_changed`` says what they look at (a channel, or a message in one), remembered
  in the Store; looking at a channel brings a "Summarise this channel" prompt.
* Assistant messaging (``features.assistant_view``, ``slack-manifest.assistant-view.json``):
  ``assistant_thread_started`` / ``assistant_thread_context_changed`` do the same per
  assistant thread (prompts with ``thread_ts``).

Either way the first question of a thread titles it (``assistant.threads.setTitle``). None of
this is a message to answer, so it runs as a task after the event is acknowledged; only the
context is written before (it is what a later "summarise this channel" reads).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.calls import SLACK_ERRORS, call, optional
from adapters.slack.events import PLATFORM
from adapters.slack.users import UserDirectory
from bot.engine import Engine
from bot.i18n import t
from bot.welcome import Prompt, suggested_prompts, welcome
from storage.records import Viewing

log = logging.getLogger(__name__)

CHANNEL_ENTITY = "slack#/types/channel_id"
MESSAGE_ENTITY = "slack#/types/message_context"
MAX_TITLE = 60
_REMEMBERED = 10_000

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def viewing_from_context(context: Any, team: str) -> Viewing | None:
    """The most relevant readable entity (Slack orders them by relevance): a channel, or a
    message in one (its thread). Canvases and lists are not read; another workspace's
    entities are ignored."""
    entities = context.get("entities") if isinstance(context, dict) else None
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict) or entity.get("team_id", team) != team:
            continue
        value = entity.get("value")
        if entity.get("type") == CHANNEL_ENTITY and isinstance(value, str) and value:
            return Viewing(value)
        if entity.get("type") == MESSAGE_ENTITY and isinstance(value, dict):
            channel, ts = value.get("channel_id"), value.get("message_ts")
            if isinstance(channel, str) and channel:
                return Viewing(channel, ts if isinstance(ts, str) else "")
    return None


def short_title(question: str, limit: int = MAX_TITLE) -> str:
    """The first line of a question, cut at a word near ``limit`` characters."""
    line = next((ln.strip() for ln in question.splitlines() if ln.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] if " " in line[: limit - 1] else line[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def _user_of(body: dict[str, Any], event: dict[str, Any]) -> str:
    """``event.user``; the reference's example puts the person only in ``authorizations``."""
    user = event.get("user")
    if isinstance(user, str) and user:
        return user
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and not authorization.get("is_bot"):
            return str(authorization.get("user_id") or "")
    return ""


class AgentSurface:
    def __init__(
        self,
        *,
        engine: Engine,
        client: AsyncWebClient,
        users: UserDirectory,
        command_prefix: str,
        spawn: Spawn,
    ) -> None:
        self._engine = engine
        self._client = client
        self._users = users
        self._prefix = command_prefix
        self._spawn = spawn
        self._dms: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._shown: OrderedDict[tuple[str, str, str], tuple[Prompt, ...]] = OrderedDict()
        self._untitled: OrderedDict[tuple[str, str], None] = OrderedDict()

    # Agent messaging.

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        team, user = str(body.get("team_id") or ""), _user_of(body, event)
        channel = event.get("channel")
        if event.get("tab") != "messages" or not user or not isinstance(channel, str):
            return
        _remember(self._dms, (team, user), channel)
        if isinstance(event.get("context"), dict):
            await self._save_viewing(team, user, event["context"])
        self._spawn(_logged("greeting", self._welcome(team, user, channel)))

    async def on_context_changed(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        team, user = str(body.get("team_id") or ""), _user_of(body, event)
        if not user:
            return
        viewing = await self._save_viewing(team, user, event.get("context"))
        channel = event.get("channel")
        dm = channel if isinstance(channel, str) and channel else self._dms.get((team, user))
        if dm:
            self._spawn(_logged("prompts", self._prompts(team, user, dm, viewing is not None)))

    async def _welcome(self, team: str, user: str, dm: str) -> None:
        person = await self._users.get(team, user)
        store = self._engine.store
        shown = await welcome(
            store,
            self._engine.settings,
            platform=PLATFORM,
            workspace=team,
            user=user,
            locale=person.locale,
            command_prefix=self._prefix,
        )
        if shown.greeting is not None:
            try:
                await call(self._client.chat_postMessage, channel=dm, markdown_text=shown.greeting)
            except SLACK_ERRORS as exc:
                log.warning("greeting not shown (%s); trying at the next open", exc)
                await store.release_greeting(PLATFORM, team, user)
        await self._set_prompts(team, user, dm, None, shown.title, shown.prompts)

    async def _prompts(
        self, team: str, user: str, dm: str, viewing_channel: bool, thread_ts: str | None = None
    ) -> None:
        person = await self._users.get(team, user)
        lang = await self._engine.language_for(PLATFORM, team, person.locale)
        prompts = await suggested_prompts(
            self._engine.store,
            self._engine.settings,
            platform=PLATFORM,
            workspace=team,
            lang=lang,
            viewing_channel=viewing_channel,
        )
        title = t(lang, "welcome.prompts_title")
        await self._set_prompts(team, user, dm, thread_ts, title, prompts)

    async def _set_prompts(
        self,
        team: str,
        user: str,
        dm: str,
        thread_ts: str | None,
        title: str,
        prompts: tuple[Prompt, ...],
    ) -> None:
        key = (team, user, thread_ts or "")
        if not prompts or self._shown.get(key) == prompts:
            return  # the same prompts are already there
        shown = await optional(
            "suggested prompts",
            self._client.assistant_threads_setSuggestedPrompts,
            channel_id=dm,
            thread_ts=thread_ts,
            title=title,
            prompts=[{"title": p.title, "message": p.message} for p in prompts],
        )
        if shown is not None:
            _remember(self._shown, key, prompts)

    async def _save_viewing(self, team: str, user: str, context: Any) -> Viewing | None:
        viewing = viewing_from_context(context, team)
        await self._engine.store.save_viewing(PLATFORM, team, user, viewing)
        return viewing

    # Assistant messaging (the older experience).

    async def on_thread_started(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        team = str(body.get("team_id") or "")
        user = str(thread.get("user_id") or "")
        if not (channel and thread_ts and user):
            return
        viewing = await self._save_assistant_context(team, user, thread.get("context"))
        _remember(self._untitled, (str(channel), str(thread_ts)), None)
        prompts = self._prompts(team, user, str(channel), viewing is not None, str(thread_ts))
        self._spawn(_logged("prompts", prompts))

    async def on_thread_context_changed(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread") or {}
        user = str(thread.get("user_id") or "")
        if user:
            team = str(body.get("team_id") or "")
            await self._save_assistant_context(team, user, thread.get("context"))

    async def _save_assistant_context(self, team: str, user: str, context: Any) -> Viewing | None:
        channel = context.get("channel_id") if isinstance(context, dict) else None
        viewing = Viewing(channel) if isinstance(channel, str) and channel else None
        await self._engine.store.save_viewing(PLATFORM, team, user, viewing)
        return viewing

    # Every DM message.

    def asked(self, channel: str, ts: str, thread_ts: str | None, text: str) -> None:
        """A DM question was accepted: the first one of its thread titles the thread (agent
        messaging: every top-level message starts a thread; assistant messaging: the first
        message after ``assistant_thread_started``)."""
        if thread_ts:
            if (channel, thread_ts) not in self._untitled:
                return  # a later question in the thread
            del self._untitled[(channel, thread_ts)]
        title = short_title(text)
        if title:
            self._spawn(_logged("title", self._title(channel, thread_ts or ts, title)))

    async def _title(self, channel: str, thread_ts: str, title: str) -> None:
        await optional(
            "thread title",
            self._client.assistant_threads_setTitle,
            channel_id=channel,
            thread_ts=thread_ts,
            title=title,
        )


async def _logged(what: str, work: Coroutine[Any, Any, None]) -> None:
    """Run work nobody waits for; a failure is one log line (the person only misses a
    greeting or prompts, and the next open tries again)."""
    try:
        await work
    except Exception:
        log.exception("Slack %s failed", what)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _REMEMBERED:
        cache.popitem(last=False)
