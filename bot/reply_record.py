"""What a job's record says about its reply, written before anything can depend on it.

The reply state (``jobs.reply_state``) names the reply's messages (``refs``), those the
platform still shows as being written (``open``: Slack's native streams), the generated files
already uploaded (``uploaded``), and, while a message is being posted, since when
(``opening``). Whoever takes the job up after a crash (a restart, another process) edits
those messages, stops those streams and skips those files instead of posting them again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.ports import Store
from bot.types import ReplyTarget
from storage.records import Job


class ReplyRecord:
    def __init__(
        self, store: Store, job: Job, target: ReplyTarget, refs: Callable[[], list[str]]
    ) -> None:
        self._store = store
        self._job_id = job.id
        self._target = target
        self._refs = refs
        self._had_open = bool(job.reply_state.get("open"))
        self._uploaded: list[str] = [str(f) for f in job.reply_state.get("uploaded") or ()]

    def _state(self, refs: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        state: dict[str, Any] = {
            "refs": self._refs() if refs is None else refs,
            "open": self._target.open_refs(),
            **extra,
        }
        self._had_open = self._had_open or bool(state["open"])
        if self._uploaded:
            state["uploaded"] = list(self._uploaded)
        return state

    async def opening(self) -> None:
        """Write-ahead for a message about to be posted: if the process dies before its id is
        saved, whoever takes the reply up knows one may exist, and since when (a platform
        without idempotent posts can look for it: Slack's ``adapters/slack/lost.py``)."""
        await self._store.save_reply_state(self._job_id, self._state(opening=time.time()))

    async def posted(self, refs: list[str]) -> None:
        """Called the moment a message is posted, before anything else touches it."""
        await self._store.save_reply_state(self._job_id, self._state(refs))

    async def closed(self) -> None:
        """The reply is complete: forget the streams that are stopped now."""
        if self._had_open or self._refs():
            await self._store.save_reply_state(self._job_id, self._state())

    def uploaded_before(self, file_id: str) -> bool:
        return bool(file_id) and file_id in self._uploaded

    async def uploaded(self, file_id: str) -> None:
        if file_id:
            self._uploaded.append(file_id)
            await self._store.save_reply_state(self._job_id, self._state())
