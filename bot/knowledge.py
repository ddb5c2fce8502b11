"""Knowledge bases: files an admin adds for a whole workspace/guild or one channel. Documents
(a course syllabus for a class channel) are searched together with each person's own;
data files (the seed's ``mydata.csv``) go into the code-interpreter container of every
conversation under that profile, beside the person's own files."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.config import Settings
from bot.i18n import t
from bot.ingest import DOCUMENT_TYPES, download, extension, megabytes, route
from bot.openai_backend import OpenAIBackend
from bot.ports import Knowledge
from bot.types import Attachment, Platform
from storage.records import WORKSPACE_DEFAULT, KnowledgeFile

log = logging.getLogger(__name__)


def scope_name(channel: str, lang: str = "en", platform: str = "") -> str:
    key = "scope.channel" if channel != WORKSPACE_DEFAULT else "scope.workspace"
    return t(lang, key, platform=platform)


async def add_documents(
    *,
    store: Knowledge,
    backend: OpenAIBackend,
    settings: Settings,
    platform: Platform,
    workspace: str,
    channel: str,
    attachments: tuple[Attachment, ...],
    added_by: str,
    lang: str = "en",
) -> list[str]:
    """Add each attached document; one line per file saying what happened."""
    if not attachments:
        return [t(lang, "kb.attach")]
    lines = []
    vector_store_id = await store.get_knowledge_base(platform.name, workspace, channel)
    for attachment in attachments:
        routing = route(attachment, settings, lang)
        # A .txt is searched (a document) rather than analysed.
        is_document = extension(attachment.name) in DOCUMENT_TYPES | {"txt"}
        if not is_document and routing.route != "data":
            lines.append(t(lang, "kb.not_document", name=attachment.name))
            continue
        if routing.refusal:
            lines.append(routing.refusal)
            continue
        too_large = t(
            lang, "kb.too_large", name=attachment.name, limit=megabytes(routing.limit_bytes)
        )
        data = await download(platform, attachment, lang, routing.limit_bytes, too_large)
        if isinstance(data, str):
            lines.append(data)
            continue
        if not is_document:
            lines.append(
                await _add_data_file(
                    store,
                    backend,
                    KnowledgeFile(
                        platform.name, workspace, channel, "", attachment.name, added_by=added_by
                    ),
                    data,
                    lang,
                )
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
            lines.append(t(lang, "kb.failed", name=attachment.name, reason=failure))
            continue
        await store.add_knowledge_file(
            KnowledgeFile(
                platform.name, workspace, channel, file_id, attachment.name, added_by=added_by
            )
        )
        lines.append(
            t(
                lang,
                "kb.added",
                name=attachment.name,
                scope=scope_name(channel, lang, platform.name),
            )
        )
    return lines


async def _add_data_file(
    store: Knowledge, backend: OpenAIBackend, file: KnowledgeFile, data: bytes, lang: str
) -> str:
    """Upload a data file for the container; one of the same name here is replaced."""
    file_id = await backend.upload_file(file.filename, data, "user_data")
    scope = (file.platform, file.workspace, file.channel)
    replaced = False
    for old in await store.knowledge_files(*scope):
        if old.kind == "data" and old.filename == file.filename:
            await store.remove_knowledge_file(*scope, old.file_id)
            await backend.delete_file(old.file_id)
            replaced = True
    await store.add_knowledge_file(replace(file, file_id=file_id, kind="data"))
    key = "kb.replaced_data" if replaced else "kb.added_data"
    return t(lang, key, name=file.filename, scope=scope_name(file.channel, lang, file.platform))


async def list_documents(
    store: Knowledge, platform: str, workspace: str, channel: str, lang: str = "en"
) -> str:
    files = await store.knowledge_files(platform, workspace, channel)
    if not files:
        return t(lang, "kb.empty", scope=scope_name(channel, lang, platform))
    tag = t(lang, "kb.data_tag")
    names = "\n".join(f"• {f.filename}" + (f" ({tag})" if f.kind == "data" else "") for f in files)
    return t(lang, "kb.list", scope=scope_name(channel, lang, platform), names=names)


async def remove_document(
    store: Knowledge,
    backend: OpenAIBackend,
    platform: str,
    workspace: str,
    channel: str,
    name: str,
    lang: str = "en",
) -> str:
    for file in await store.knowledge_files(platform, workspace, channel):
        if file.filename == name or file.file_id == name:
            vector_store_id = await store.get_knowledge_base(platform, workspace, channel)
            if file.kind == "data":
                await backend.delete_file(file.file_id)
            elif vector_store_id:
                await backend.remove_document(vector_store_id, file.file_id)
            await store.remove_knowledge_file(platform, workspace, channel, file.file_id)
            return t(
                lang, "kb.removed", name=file.filename, scope=scope_name(channel, lang, platform)
            )
    return t(lang, "kb.missing", name=name, scope=scope_name(channel, lang, platform))
