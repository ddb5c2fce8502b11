"""Knowledge bases: documents an admin adds for a whole workspace/guild or one channel (a
course syllabus for a class channel), searched together with each person's own documents."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.ingest import DOCUMENT_TYPES, extension, megabytes, route
from bot.openai_backend import OpenAIBackend
from bot.types import Attachment, Platform
from storage.base import Store
from storage.records import WORKSPACE_DEFAULT, KnowledgeFile

log = logging.getLogger(__name__)


def scope_name(channel: str) -> str:
    return "this channel" if channel != WORKSPACE_DEFAULT else "the whole workspace"


async def add_documents(
    *,
    store: Store,
    backend: OpenAIBackend,
    settings: Settings,
    platform: Platform,
    workspace: str,
    channel: str,
    attachments: tuple[Attachment, ...],
    added_by: str,
) -> list[str]:
    """Add each attached document; one line per file saying what happened."""
    if not attachments:
        return ["Attach the documents to add (PDF, DOCX, PPTX, MD, TXT, HTML)."]
    lines = []
    vector_store_id = await store.get_knowledge_base(platform.name, workspace, channel)
    for attachment in attachments:
        routing = route(attachment, settings)
        if extension(attachment.name) not in DOCUMENT_TYPES | {"txt"}:
            lines.append(f"{attachment.name}: not a document type I can search.")
            continue
        if routing.refusal:
            lines.append(routing.refusal)
            continue
        data = await platform.download(attachment)
        if len(data) > routing.limit_bytes:
            lines.append(
                f"{attachment.name} is too large (limit {megabytes(routing.limit_bytes)})."
            )
            continue
        if vector_store_id is None:
            vector_store_id = await backend.create_vector_store(
                f"knowledge {platform.name}/{workspace}/{channel or 'workspace'}"
            )
            await store.set_knowledge_base(platform.name, workspace, channel, vector_store_id)
        file_id, failure = await backend.add_document(vector_store_id, attachment.name, data)
        if failure is not None:
            log.warning("knowledge document %r failed: %s", attachment.name, failure)
            lines.append(f"{attachment.name}: could not be read for searching ({failure}).")
            continue
        await store.add_knowledge_file(
            KnowledgeFile(platform.name, workspace, channel, file_id, attachment.name, added_by)
        )
        lines.append(f"{attachment.name}: added to the knowledge base of {scope_name(channel)}.")
    return lines


async def list_documents(store: Store, platform: str, workspace: str, channel: str) -> str:
    files = await store.knowledge_files(platform, workspace, channel)
    if not files:
        return f"The knowledge base of {scope_name(channel)} is empty."
    names = "\n".join(f"• {f.filename}" for f in files)
    return f"Knowledge base of {scope_name(channel)}:\n{names}"


async def remove_document(
    store: Store, backend: OpenAIBackend, platform: str, workspace: str, channel: str, name: str
) -> str:
    for file in await store.knowledge_files(platform, workspace, channel):
        if file.filename == name or file.file_id == name:
            vector_store_id = await store.get_knowledge_base(platform, workspace, channel)
            if vector_store_id:
                await backend.remove_document(vector_store_id, file.file_id)
            await store.remove_knowledge_file(platform, workspace, channel, file.file_id)
            return f"Removed {file.filename} from the knowledge base of {scope_name(channel)}."
    return f"There is no document named {name!r} in the knowledge base of {scope_name(channel)}."
