"""The Web API methods of the Slack emulator: answers in Slack's JSON shapes, and the state a
test reads afterwards (messages with every text they showed, statuses, uploads)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from tests.slack_emulator_blocks import block_problems, markdown_of
from tests.slack_emulator_chunks import (
    TASK_DISPLAY_MODES,
    ChunkError,
    chunk_text,
    invalid,
    parse_blocks,
    parse_chunks,
)
from tests.slack_emulator_events import (
    BOT_ID,
    BOT_USER_ID,
    JSON,
    MARKDOWN_LIMIT,
    Message,
    file_object,
    new_id,
    new_ts,
)


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    authorization: str | None = None


class WebApiMethods:
    """``_m_<method>`` answers ``<method>`` (dots as underscores) with the merged arguments."""

    team_id: str
    base_url: str
    streaming_error: str | None
    messages: dict[str, list[Message]]
    deleted: list[Message]
    statuses: list[tuple[str, str, str]]
    suggested: list[JSON]
    dropped_prompts: list[JSON]
    experience: str
    titles: list[tuple[str, str, str]]
    uploads: dict[str, Upload]
    users: dict[str, JSON]
    views: list[JSON]
    ephemeral: list[JSON]
    _files: dict[str, tuple[bytes, str]]
    _tickets: set[str]

    def _m_auth_test(self, args: JSON) -> JSON:
        return {
            "ok": True,
            "url": "https://emulated.slack.com/",
            "team": "Emulated",
            "user": "assistant",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, args: JSON) -> JSON:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        url = self.base_url.replace("http://", "ws://") + f"socket-mode?ticket={ticket}"
        return {"ok": True, "url": url}

    def _find(self, args: JSON) -> Message | None:
        for message in self.messages.get(str(args.get("channel")), []):
            if message.ts == str(args.get("ts")):
                return message
        return None

    def _new_message(self, args: JSON) -> Message:
        channel = str(args["channel"])
        thread_ts = args.get("thread_ts")
        message = Message(
            channel,
            new_ts(),
            str(thread_ts) if thread_ts else None,
            user=BOT_USER_ID,
            bot_id=BOT_ID,
        )
        self.messages.setdefault(channel, []).append(message)
        return message

    def _m_chat_postMessage(self, args: JSON) -> JSON:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        text, markdown = args.get("text"), args.get("markdown_text")
        if not (text or markdown or args.get("blocks")):
            return {"ok": False, "error": "no_text"}
        problem, blocks = _content(args)
        if problem is not None:
            return problem
        message = self._new_message(args)
        message.show(text=str(text or ""), markdown=markdown_of(blocks or []) or markdown)
        message.show_blocks(blocks)
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "message": message.to_json(),
        }

    def _m_chat_update(self, args: JSON) -> JSON:
        message = self._find(args)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if not message.bot_id:
            return {"ok": False, "error": "cant_update_message"}
        text, markdown = args.get("text"), args.get("markdown_text")
        problem, blocks = _content(args)
        if problem is not None:
            return problem
        message.show_blocks(blocks)
        # An update changes the text but does not end a stream: only chat.stopStream does
        # (or Slack's own timeout), so a stream nobody stops shows as being written.
        markdown = markdown_of(blocks or []) or markdown
        message.show(text=None if markdown is not None else str(text or ""), markdown=markdown)
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.shown,
            "message": message.to_json(),
        }

    def _m_chat_delete(self, args: JSON) -> JSON:
        message = self._find(args)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if not message.bot_id:
            return {"ok": False, "error": "cant_delete_message"}
        self.messages[message.channel].remove(message)
        self.deleted.append(message)
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _m_chat_startStream(self, args: JSON) -> JSON:
        channel = str(args.get("channel") or "")
        if not channel or not args.get("thread_ts"):
            return {"ok": False, "error": "invalid_arguments"}
        dm = channel.startswith("D")
        if not dm and not (args.get("recipient_team_id") and args.get("recipient_user_id")):
            return {"ok": False, "error": "invalid_arguments"}
        mode = args.get("task_display_mode")
        if mode is not None and mode not in TASK_DISPLAY_MODES:
            return invalid(f"task_display_mode must be one of {sorted(TASK_DISPLAY_MODES)}")
        try:
            chunks = parse_chunks(args)
        except ChunkError as exc:
            return invalid(str(exc))
        if self.streaming_error:
            return {"ok": False, "error": self.streaming_error}
        message = self._new_message(args)
        message.streaming = True
        message.task_display_mode = mode
        message.receive(chunks)
        message.show(markdown=chunk_text(args, chunks))
        return {"ok": True, "channel": channel, "ts": message.ts}

    def _stream_to(self, args: JSON, *, stop: bool) -> JSON:
        message = self._find(args)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if not message.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        try:
            chunks = parse_chunks(args)
        except ChunkError as exc:
            return invalid(str(exc))
        text = chunk_text(args, chunks)
        if not text and not chunks and not stop:
            return {"ok": False, "error": "invalid_arguments"}
        if len(message.shown) + len(text) > MARKDOWN_LIMIT:
            return {"ok": False, "error": "msg_too_long"}
        try:
            blocks = parse_blocks(args)  # chat.stopStream: shown under the streamed text
        except ChunkError as exc:
            return invalid(str(exc))
        if blocks is not None and (not stop or block_problems(blocks)):
            return {"ok": False, "error": "invalid_blocks"}
        if blocks is not None:
            message.show_blocks(blocks)
        message.streaming = not stop
        message.receive(chunks)
        message.show(markdown=message.shown + text)
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            **({"message": message.to_json()} if stop else {}),
        }

    def _m_chat_appendStream(self, args: JSON) -> JSON:
        return self._stream_to(args, stop=False)

    def _m_chat_stopStream(self, args: JSON) -> JSON:
        return self._stream_to(args, stop=True)

    def _m_assistant_threads_setStatus(self, args: JSON) -> JSON:
        channel, thread_ts = str(args.get("channel_id") or ""), str(args.get("thread_ts") or "")
        loading = args.get("loading_messages")
        if isinstance(loading, str):
            loading = json.loads(loading)
        if not channel.startswith("D") or not thread_ts or "status" not in args:
            return {"ok": False, "error": "invalid_arguments"}
        if loading is not None and (not isinstance(loading, list) or len(loading) > 10):
            return {"ok": False, "error": "invalid_arguments"}
        self.statuses.append((channel, thread_ts, str(args["status"])))
        return {"ok": True}

    def _m_assistant_threads_setSuggestedPrompts(self, args: JSON) -> JSON:
        prompts = args.get("prompts")
        if isinstance(prompts, str):
            prompts = json.loads(prompts)
        if (
            not str(args.get("channel_id") or "").startswith("D")
            or not isinstance(prompts, list)
            or not 1 <= len(prompts) <= 4
            or any(not (p.get("title") and p.get("message")) for p in prompts)
        ):
            return {"ok": False, "error": "invalid_arguments"}
        if self.experience == "agent" and args.get("thread_ts"):
            # "Including it in a call for an agent app will cause the call to silently fail."
            self.dropped_prompts.append({**args, "prompts": prompts})
            return {"ok": True}
        self.suggested.append({**args, "prompts": prompts})
        return {"ok": True}

    def _m_assistant_threads_setTitle(self, args: JSON) -> JSON:
        channel, thread_ts = str(args.get("channel_id") or ""), str(args.get("thread_ts") or "")
        if not channel.startswith("D") or not thread_ts or not args.get("title"):
            return {"ok": False, "error": "invalid_arguments"}
        self.titles.append((channel, thread_ts, str(args["title"])))
        return {"ok": True}

    def _m_files_getUploadURLExternal(self, args: JSON) -> JSON:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = new_id("F")
        self.uploads[file_id] = Upload(file_id, str(args["filename"]), int(args["length"]))
        return {"ok": True, "upload_url": f"{self.base_url}upload/v1/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: JSON) -> JSON:
        files = json.loads(args.get("files") or "[]")
        uploads = [self.uploads.get(f.get("id", "")) for f in files]
        if not files or any(u is None or u.data is None for u in uploads):
            return {"ok": False, "error": "file_not_found"}
        objects = []
        for upload in uploads:
            assert upload is not None and upload.data is not None
            path = f"/files-pri/{self.team_id}-{upload.file_id}/{upload.filename}"
            self._files[path] = (upload.data, "application/octet-stream")
            objects.append(
                file_object(
                    upload.file_id,
                    upload.filename,
                    "application/octet-stream",
                    len(upload.data),
                    self.base_url.rstrip("/") + path,
                )
            )
        if args.get("channel_id"):
            message = self._new_message(
                {"channel": args["channel_id"], "thread_ts": args.get("thread_ts")}
            )
            message.files = objects
            message.show(text=str(args.get("initial_comment") or ""))
        return {"ok": True, "files": objects}

    def _m_conversations_open(self, args: JSON) -> JSON:
        """The bot's DM with one person (``D`` + the user id after its ``U``)."""
        users = str(args.get("users") or "")
        if not users.startswith(("U", "W")) or "," in users:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "channel": {"id": "D" + users[1:], "is_im": True}}

    def _m_users_info(self, args: JSON) -> JSON:
        user_id = str(args.get("user") or "")
        if not user_id.startswith(("U", "W")):
            return {"ok": False, "error": "user_not_found"}
        extra = self.users.get(user_id, {})
        user: JSON = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "deleted": False,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_bot": False,
            "tz": "Asia/Seoul",
            **extra,
        }
        if str(args.get("include_locale")).lower() not in ("true", "1"):
            user.pop("locale", None)
        else:
            user.setdefault("locale", "en-US")
        return {"ok": True, "user": user}

    def _m_views_open(self, args: JSON) -> JSON:
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not args.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if len(view.get("title", {}).get("text", "")) > 24:
            return {"ok": False, "error": "invalid_arguments"}
        opened = {**view, "id": new_id("V"), "team_id": self.team_id, "state": {"values": {}}}
        self.views.append(opened)
        return {"ok": True, "view": opened}

    def _m_chat_postEphemeral(self, args: JSON) -> JSON:
        if not args.get("channel") or not args.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        self.ephemeral.append(args)
        return {"ok": True, "message_ts": new_ts()}


def _content(args: JSON) -> tuple[JSON | None, list[JSON] | None]:
    """A posted or updated message's content checked as Slack does: ``markdown_text`` alone
    and within its limit, well-formed blocks; (the error answer or None, the blocks)."""
    text, markdown = args.get("text"), args.get("markdown_text")
    if markdown is not None and (text or args.get("blocks")):
        return {"ok": False, "error": "invalid_arguments"}, None
    if markdown is not None and len(markdown) > MARKDOWN_LIMIT:
        return {"ok": False, "error": "msg_too_long"}, None
    try:
        blocks = parse_blocks(args)
    except ChunkError as exc:
        return invalid(str(exc)), None
    if blocks is not None and block_problems(blocks):
        return {"ok": False, "error": "invalid_blocks", "errors": block_problems(blocks)}, None
    return None, blocks
