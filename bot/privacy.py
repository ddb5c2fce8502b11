"""Privacy: forgetting a person (their conversations here and on OpenAI), deleting idle
conversations past a workspace's retention period, and a person's history as a file.

Deleting a thread: claim it in the store (archived at once, so a new message starts a new
thread; another process leaves a claimed thread alone), then delete on OpenAI what is the
thread's alone (the containers its code ran in, the files its person attached, its vector
store, the conversation), then its rows. Every OpenAI delete treats "not found" as done, so
a deletion cut short is finished by the next sweep once its claim is stale.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any, Protocol

from bot.chat_backend import CHAT_PREFIX
from bot.ports import ChatHistory, Conversations, Privacy
from storage.records import ThreadRecord

log = logging.getLogger(__name__)

SWEEP_BATCH = 50
"""Idle threads deleted per workspace per sweep (the next sweep goes on)."""


class _PrivacyStore(Privacy, Conversations, ChatHistory, Protocol):
    """The threads to delete or export, the files in them, and the messages of those the bot
    keeps itself."""


class Deleter(Protocol):
    async def conversation_items(self, conversation_id: str) -> list[dict[str, Any]]: ...

    async def delete_container(self, container_id: str) -> None: ...

    async def delete_file(self, file_id: str) -> None: ...

    async def delete_vector_store(self, vector_store_id: str) -> None: ...

    async def delete_conversation(self, conversation_id: str) -> None: ...


async def delete_thread(
    store: _PrivacyStore,
    backend: Deleter,
    thread: ThreadRecord,
    *,
    idle_before: float | None = None,
) -> bool:
    """Delete one thread everywhere; ``False`` if another process is at it (or, with
    ``idle_before``, it was used again meanwhile)."""
    if not await store.claim_thread_deletion(thread.id, idle_before=idle_before):
        return False
    if thread.conversation_id.startswith(CHAT_PREFIX):  # kept here: nothing on OpenAI
        await store.delete_thread(thread.id)
        return True
    items = await backend.conversation_items(thread.conversation_id)
    containers = {
        str(item["container_id"])
        for item in items
        if item.get("type") == "code_interpreter_call" and item.get("container_id")
    }
    for container_id in sorted(containers):
        await backend.delete_container(container_id)
    for file in await store.thread_files(thread.id):
        await backend.delete_file(file.file_id)
    if thread.vector_store_id:
        await backend.delete_vector_store(thread.vector_store_id)
    await backend.delete_conversation(thread.conversation_id)
    await store.delete_thread(thread.id)
    return True


async def forget_person(store: _PrivacyStore, backend: Deleter, platform: str, user: str) -> int:
    """Everything of the person on this platform; how many conversations were deleted."""
    deleted = 0
    for thread in await store.user_threads(platform, user):
        deleted += await delete_thread(store, backend, thread)
    jobs = await store.delete_jobs(platform, user=user)
    await store.forget_person(platform, user)
    log.info("forgot %s/%s: %d conversation(s), %d message(s)", platform, user, deleted, jobs)
    return deleted


async def sweep_retention(store: _PrivacyStore, backend: Deleter, now: float | None = None) -> int:
    """Delete conversations idle past their workspace's retention period, and the message
    records older than it; how many conversations. Safe to run in several processes."""
    now = time.time() if now is None else now
    deleted = 0
    for profile in await store.retention_profiles():
        if not profile.retention_days:
            continue
        cutoff = now - profile.retention_days * 86_400
        idle = await store.idle_threads(
            profile.platform, profile.workspace, cutoff, limit=SWEEP_BATCH
        )
        for thread in idle:
            try:
                deleted += await delete_thread(store, backend, thread, idle_before=cutoff)
            except Exception:
                log.warning("could not delete idle thread %d; next sweep", thread.id, exc_info=True)
        await store.delete_jobs(profile.platform, workspace=profile.workspace, before=cutoff)
    if deleted:
        log.info("retention: deleted %d idle conversation(s)", deleted)
    return deleted


async def export_history(store: _PrivacyStore, backend: Deleter, platform: str, user: str) -> bytes:
    """The person's conversations on this platform as JSON: what they said, what the
    assistant answered, the code it ran, and the names of the files they attached."""
    conversations = []
    for thread in await store.user_threads(platform, user):
        if thread.conversation_id.startswith(CHAT_PREFIX):
            messages = await store.chat_messages(thread.conversation_id)
            entries = [entry for m in messages for entry in _chat_entries(m.message)]
        else:
            items = await backend.conversation_items(thread.conversation_id)
            entries = [entry for item in items if (entry := _entry(item)) is not None]
        conversations.append(
            {
                "workspace": thread.workspace,
                "profile": thread.profile_key or "workspace",
                "started": _iso(thread.created_at),
                "last_used": _iso(thread.last_used_at),
                "files": [f.filename for f in await store.thread_files(thread.id)],
                "items": entries,
            }
        )
    document = {
        "platform": platform,
        "user": user,
        "exported_at": _iso(time.time()),
        "conversations": conversations,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="seconds")


def _entry(item: dict[str, Any]) -> dict[str, Any] | None:
    if item.get("type") == "message":
        parts = [
            str(part.get("text") or part.get("refusal") or f"[{part.get('type')}]")
            for part in item.get("content") or []
        ]
        return {"role": item.get("role"), "text": "\n".join(parts)}
    if item.get("type") == "code_interpreter_call":
        return {"role": "assistant", "code": item.get("code") or ""}
    if item.get("type") == "function_call":
        return {
            "role": "assistant",
            "function": item.get("name"),
            "arguments": item.get("arguments"),
        }
    return None


def _chat_entries(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A Chat Completions message as export entries (a tool's result is left out, as the
    Responses path leaves out function outputs)."""
    role, content = message.get("role"), message.get("content")
    if role not in ("user", "assistant"):
        return []
    if isinstance(content, list):
        content = "\n".join(str(part.get("text") or f"[{part.get('type')}]") for part in content)
    entries = [{"role": role, "text": content}] if content else []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        entries.append(
            {
                "role": "assistant",
                "function": function.get("name"),
                "arguments": function.get("arguments"),
            }
        )
    return entries
