"""``/assistant …``, the forms some commands open, and ``kb add`` sent as a message with files.

Commands are the core's (``bot.commands``); this module only tells it who is asking (admin or
not, and their locale, from ``users.info``) and shows the result: the command's reply is its
acknowledgement (seen only by the person), a form is a Slack modal, and a form's result is an
ephemeral message in the channel the command came from.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.calls import SLACK_ERRORS, call
from adapters.slack.events import PLATFORM, inbound_from_command, slack_reply_to
from adapters.slack.forms import modal_view, submitted
from adapters.slack.mentions import neutralise
from adapters.slack.platform import SlackPlatform
from adapters.slack.users import UserDirectory
from bot.command_deps import CommandDeps
from bot.commands import OutgoingFile, failed, handle_command, submit_modal
from bot.engine import Engine
from bot.i18n import t
from bot.types import InboundMessage

log = logging.getLogger(__name__)

KB_ADD = re.compile(r"^kb\s+add\b", re.IGNORECASE)
Spawn = Callable[[Coroutine[Any, Any, None]], None]


class SlackCommands:
    def __init__(
        self,
        *,
        engine: Engine,
        commands: CommandDeps,
        slack: SlackPlatform,
        users: UserDirectory,
        spawn: Spawn,
    ) -> None:
        self._engine = engine
        self._deps = commands
        self._slack = slack
        self._users = users
        self._spawn = spawn

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        message = inbound_from_command(body)
        try:
            user = await self._users.get(message.workspace, message.user, wait=1.0)
            message = dataclasses.replace(message, locale=user.locale, roles=user.roles)
            reply = await handle_command(self._deps, message, message.text, is_admin=user.is_admin)
        except Exception as exc:  # the core answers its own failures; this catches the rest
            command = " ".join(message.text.split()[:2]) or "help"
            reply = await failed(self._deps, message, command, exc)
        if reply.modal is None:
            await ack(text=neutralise(reply.text))
            if reply.files:
                self._spawn(self._send_files(message.user, reply.files))
            return
        try:  # the trigger id lives 3 s: open the form before acknowledging
            await call(
                self._slack.client.views_open,
                trigger_id=str(body.get("trigger_id")),
                view=modal_view(reply.modal, channel=message.channel),
            )
        except Exception as exc:  # no form, but the command still gets its answer
            log.warning("views.open failed (%s)", exc)
            lang = await self._engine.language_for(PLATFORM, message.workspace, message.locale)
            await ack(text=t(lang, "form.failed"))
            return
        await ack()

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            await self._form(ack, body, view)
        except Exception:  # the form closes; Slack has nowhere else to show a sentence
            log.exception("a submitted form could not be handled")
            if ack.response is None:
                await ack()

    async def _form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form, channel, value = submitted(view)
        person = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or person.get("team_id") or "")
        user_id = str(person.get("id") or "")
        user = await self._users.get(team, user_id, wait=1.0)
        message = InboundMessage(
            platform=PLATFORM,
            workspace=team,
            channel=channel,
            user=user_id,
            text="",
            event_id=f"form:{view.get('id', '')}",
            locale=user.locale,
        )
        reply = await submit_modal(self._deps, message, form, value, is_admin=user.is_admin)
        await ack()
        if reply.text and channel:
            self._spawn(self._tell(channel, user_id, reply.text))

    async def _send_files(self, user: str, files: tuple[OutgoingFile, ...]) -> None:
        """A command's files (an export, a chart) go to the person's DM with the bot, where
        only they see them (a slash command's answer cannot carry files)."""
        try:
            opened = await call(self._slack.aux_client.conversations_open, users=user)
            channel = str((opened.get("channel") or {}).get("id") or "")
            await call(
                self._slack.aux_client.files_upload_v2,
                channel=channel,
                file_uploads=[
                    {"filename": f.filename, "title": f.filename, "content": f.data} for f in files
                ],
            )
        except SLACK_ERRORS as exc:
            log.warning("could not send a command's files (%s)", exc)

    async def _tell(self, channel: str, user: str, text: str) -> None:
        try:
            await call(
                self._slack.aux_client.chat_postEphemeral,
                channel=channel,
                user=user,
                text=neutralise(text),
            )
        except Exception as exc:
            log.warning("could not show a form's result (%s)", exc)

    async def kb_add_by_message(self, message: InboundMessage) -> bool:
        """``kb add [workspace]`` with files attached is the command (a slash command cannot
        carry files). It runs after the acknowledgement: adding documents takes a while."""
        if not message.attachments or not KB_ADD.match(message.text):
            return False
        if await self._engine.store.remember_event(PLATFORM, message.event_id):
            self._spawn(self._kb_add(message))
        return True

    async def _kb_add(self, message: InboundMessage) -> None:
        user = await self._users.get(message.workspace, message.user, wait=5.0)
        message = dataclasses.replace(message, locale=user.locale)
        reply = await handle_command(self._deps, message, message.text, is_admin=user.is_admin)
        try:
            await call(
                self._slack.client.chat_postMessage,
                channel=message.channel,
                thread_ts=slack_reply_to(message)["thread_ts"],
                markdown_text=neutralise(reply.text),
            )
        except Exception as exc:
            log.warning("could not post the result of kb add (%s)", exc)
