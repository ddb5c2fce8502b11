"""Attachments: the one place that decides, by type and size, where each file goes (image →
vision input, data → the thread's code-interpreter container, document → the thread's
vector store for file search), and tells the person what happened to each file."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Literal

from bot.config import Settings
from bot.errors import AttachmentRefused
from bot.i18n import t
from bot.model_backend import HostedTools, ModelBackend
from bot.ports import Conversations, Knowledge
from bot.sanitize import visible
from bot.types import Attachment, InboundMessage, Platform
from storage.records import WORKSPACE_DEFAULT, KnowledgeFile, ThreadFile, ThreadRecord

log = logging.getLogger(__name__)

FileRoute = Literal["image", "data", "document"]

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
DATA_TYPES = frozenset({"csv", "tsv", "xlsx", "xls", "json", "txt"})
DOCUMENT_TYPES = frozenset({"pdf", "docx", "pptx", "md", "html", "htm"})


async def download(
    platform: Platform,
    attachment: Attachment,
    lang: str,
    limit: int,
    too_large: str | Callable[[int], str],
) -> bytes | str:
    """The attachment's bytes if they fit in ``limit``, else the sentence that tells the person
    why there are none (``too_large``, or ``too_large(size)``, when it is the size)."""
    try:
        data = await platform.download(attachment)
    except AttachmentRefused as exc:
        # Declined like an unsupported type; an adapter refusing a foreign host warns.
        log.info("attachment %r refused: %s", attachment.name, exc)
        return exc.message_for(lang)
    except Exception:
        log.warning("could not fetch attachment %r", attachment.name, exc_info=True)
        return t(lang, "file.download_failed", name=attachment.name)
    if len(data) <= limit:
        return data
    return too_large if isinstance(too_large, str) else too_large(len(data))


@dataclass(frozen=True)
class Routing:
    route: FileRoute | None
    limit_bytes: int
    refusal: str | None = None


@dataclass
class PreparedInput:
    items: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def megabytes(size: float) -> str:
    return f"{size / 1_000_000:.3g} MB"


def route(attachment: Attachment, settings: Settings, lang: str = "en") -> Routing:
    kind = extension(attachment.name)
    extra = {e.strip().lower().lstrip(".") for e in settings.extra_data_types.split(",")}
    chosen: FileRoute | None
    if kind in IMAGE_TYPES:
        chosen, limit_mb = "image", settings.max_image_mb
    elif kind in DATA_TYPES or (kind and kind in extra):
        chosen, limit_mb = "data", settings.max_data_mb
    elif kind in DOCUMENT_TYPES:
        chosen, limit_mb = "document", settings.max_document_mb
    else:
        if kind:
            refusal = t(lang, "file.unsupported", name=attachment.name, kind=kind)
        else:
            refusal = t(lang, "file.no_extension", name=attachment.name)
        return Routing(None, 0, refusal)
    limit = int(min(limit_mb, settings.max_file_mb) * 1_000_000)
    if attachment.size > limit:
        return Routing(
            chosen,
            limit,
            too_large(lang, attachment.name, attachment.size, kind=chosen, limit=limit),
        )
    return Routing(chosen, limit)


def too_large(lang: str, name: str, size: int, *, kind: FileRoute, limit: int) -> str:
    return t(
        lang,
        "file.too_large",
        name=name,
        size=megabytes(size),
        kind=t(lang, f"file.kind.{kind}"),
        limit=megabytes(limit),
    )


async def prepare_input(
    message: InboundMessage,
    thread: ThreadRecord,
    *,
    platform: Platform,
    backend: ModelBackend,
    store: Conversations,
    settings: Settings,
    lang: str = "en",
) -> PreparedInput:
    content: list[dict[str, Any]] = []
    notices: list[str] = []
    data_files: list[str] = []
    unused: list[str] = []
    hosted = backend.hosted
    for attachment in message.attachments:
        routing = route(attachment, settings, lang)
        if routing.refusal or routing.route is None:
            notices.append(routing.refusal or "")
            log.info("attachment %r declined: %s", attachment.name, routing.refusal)
            continue
        if hosted is None and routing.route != "image":
            unused.append(attachment.name)  # not even downloaded: nothing could use it
            continue
        data = await download(
            platform,
            attachment,
            lang,
            routing.limit_bytes,
            partial(
                too_large, lang, attachment.name, kind=routing.route, limit=routing.limit_bytes
            ),
        )
        if isinstance(data, str):
            notices.append(data)
            continue
        if routing.route == "image":
            part = await backend.image_input(attachment.name, data)
            if part.get("file_id"):  # recorded so that forgetting the person deletes it too
                await store.add_thread_file(
                    ThreadFile(thread.id, str(part["file_id"]), attachment.name, "input")
                )
            content.append(part)
        elif hosted is None:
            raise AssertionError("only images reach here without hosted tools")
        elif routing.route == "data":
            file_id = await hosted.upload_file(attachment.name, data, "user_data")
            await store.add_thread_file(
                ThreadFile(thread.id, file_id, attachment.name, "container")
            )
            data_files.append(attachment.name)
            notices.append(t(lang, "file.ready_data", name=attachment.name))
        else:
            notices.append(
                await _add_document(thread, attachment.name, data, hosted, store, settings, lang)
            )
    if unused:
        log.info("no code interpreter or file search on this backend: %s not used", unused)
        notices.append(t(lang, "file.no_hosted_tools", names=", ".join(unused)))
    # Only zero-width, format or combining characters: nothing was asked.
    text = message.text.strip() if visible(message.text) else ""
    if data_files:
        # For the model, not the person: always English.
        text += (
            f"\n\n(Attached for analysis with Python: {', '.join(data_files)}, under /mnt/data/.)"
        )
    if text.strip():
        content.insert(0, {"type": "input_text", "text": text.strip()})
    items = [{"role": "user", "content": content}] if content else []
    return PreparedInput(items, notices)


async def _add_document(
    thread: ThreadRecord,
    filename: str,
    data: bytes,
    backend: HostedTools,
    store: Conversations,
    settings: Settings,
    lang: str,
) -> str:
    vector_store_id = thread.vector_store_id
    if vector_store_id is None:
        vector_store_id = await backend.create_vector_store(
            f"thread {thread.id} ({thread.platform})",
            expire_days=settings.thread_documents_expire_days or None,
        )
        await store.set_thread_vector_store(thread.id, vector_store_id)
    file_id, failure = await backend.add_document(vector_store_id, filename, data)
    if failure is not None:
        log.warning("document %r could not be indexed: %s", filename, failure)
        return t(lang, "file.document_failed", name=filename, reason=failure)
    await store.add_thread_file(ThreadFile(thread.id, file_id, filename, "vector"))
    return t(lang, "file.ready_document", name=filename)


async def admin_data_files(
    store: Knowledge, platform: str, workspace: str, channels: tuple[str, ...]
) -> list[KnowledgeFile]:
    """The data files admins added for the workspace and for these channels (a thread's
    parent and the thread): all of them go into the container."""
    found: list[KnowledgeFile] = []
    for channel in dict.fromkeys((WORKSPACE_DEFAULT, *channels)):
        files = await store.knowledge_files(platform, workspace, channel)
        found.extend(f for f in files if f.kind == "data")
    return found


async def code_interpreter_tool(
    store: Conversations, thread: ThreadRecord, admin_files: Sequence[KnowledgeFile] = ()
) -> dict[str, Any]:
    files = await store.thread_files(thread.id, "container")
    file_ids = list(dict.fromkeys([*(f.file_id for f in admin_files), *(f.file_id for f in files)]))
    return {"type": "code_interpreter", "container": {"type": "auto", "file_ids": file_ids}}


async def file_search_tool(
    store: Knowledge, thread: ThreadRecord, channel: str
) -> dict[str, Any] | None:
    """The person's own documents plus the most specific knowledge base (the channel's, else
    the workspace's): the tool searches at most two vector stores."""
    stores = [thread.vector_store_id] if thread.vector_store_id else []
    knowledge = await store.get_knowledge_base(thread.platform, thread.workspace, channel)
    documents = [
        f
        for f in await store.knowledge_files(thread.platform, thread.workspace, channel)
        if f.kind == "document"
    ]
    if knowledge is None or not documents:
        knowledge = await store.get_knowledge_base(thread.platform, thread.workspace, "")
    if knowledge:
        stores.append(knowledge)
    if not stores:
        return None
    return {"type": "file_search", "vector_store_ids": stores}
