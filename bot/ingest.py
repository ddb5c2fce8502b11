"""Attachments → input items and thread files: images and PDFs go into the message,
data files into the thread's code-interpreter container."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol

from bot.errors import RunError
from bot.types import Attachment, InboundMessage, Platform
from storage.base import Store
from storage.records import ThreadFile, ThreadRecord

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
DOCUMENT_TYPES = frozenset({"pdf"})
DATA_TYPES = frozenset({"csv", "tsv", "xlsx", "xls", "json", "txt"})


class FileUploader(Protocol):
    async def upload_file(self, filename: str, data: bytes, purpose: str = "user_data") -> str: ...


@dataclass
class PreparedInput:
    items: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _limit_text(max_bytes: int) -> str:
    return f"{max_bytes / 1_000_000:g} MB"


async def prepare_input(
    message: InboundMessage,
    thread: ThreadRecord,
    *,
    platform: Platform,
    uploader: FileUploader,
    store: Store,
    max_file_bytes: int,
) -> PreparedInput:
    content: list[dict[str, Any]] = []
    notices: list[str] = []
    data_files: list[str] = []
    for attachment in message.attachments:
        kind = extension(attachment.name)
        if kind not in IMAGE_TYPES | DOCUMENT_TYPES | DATA_TYPES:
            notices.append(
                f"I can't read {attachment.name}: files of type .{kind or '?'} are not supported."
            )
            log.info("unsupported attachment %r skipped", attachment.name)
            continue
        if attachment.size > max_file_bytes:
            notices.append(
                f"{attachment.name} is too large ({_limit_text(attachment.size)}); "
                f"the limit is {_limit_text(max_file_bytes)}."
            )
            log.info("oversize attachment %r (%d bytes) skipped", attachment.name, attachment.size)
            continue
        try:
            file_id = await _upload(attachment, platform, uploader, max_file_bytes)
        except RunError:
            raise
        except Exception:
            log.warning("could not fetch attachment %r", attachment.name, exc_info=True)
            notices.append(f"I couldn't download {attachment.name}; please send it again.")
            continue
        if kind in IMAGE_TYPES:
            content.append({"type": "input_image", "file_id": file_id, "detail": "auto"})
        elif kind in DOCUMENT_TYPES:
            content.append({"type": "input_file", "file_id": file_id})
        else:
            await store.add_thread_file(
                ThreadFile(thread.id, file_id, attachment.name, "container")
            )
            data_files.append(attachment.name)
    text = message.text.strip()
    if data_files:
        names = ", ".join(data_files)
        text += f"\n\n(Attached for analysis with Python: {names}, under /mnt/data/.)"
    if text.strip():
        content.insert(0, {"type": "input_text", "text": text.strip()})
    items = [{"role": "user", "content": content}] if content else []
    return PreparedInput(items, notices)


async def _upload(
    attachment: Attachment, platform: Platform, uploader: FileUploader, max_file_bytes: int
) -> str:
    data = await platform.download(attachment)
    if len(data) > max_file_bytes:
        raise ValueError(f"{attachment.name} grew past the limit while downloading")
    return await uploader.upload_file(attachment.name, data, "user_data")


async def code_interpreter_tool(store: Store, thread: ThreadRecord) -> dict[str, Any]:
    files = await store.thread_files(thread.id, "container")
    return {
        "type": "code_interpreter",
        "container": {"type": "auto", "file_ids": [f.file_id for f in files]},
    }
