"""The reply editor against a recording reply target (a unit test of a pure piece)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.budget import CallBudget
from bot.errors import RateLimited
from bot.reply import ReplyEditor
from bot.types import ReplyLimits


@dataclass
class RecordingTarget:
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    rate_limit_next: int = 0
    gate: asyncio.Event | None = None
    stamps: list[float] = field(default_factory=list)

    async def _enter(self) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.stamps.append(time.monotonic())
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            raise RateLimited("429", retry_after=0.01)

    async def post(self, text: str) -> str:
        await self._enter()
        ref = f"m{len(self.messages) + 1}"
        self.messages[ref] = text
        self.calls.append(("post", ref, text))
        return ref

    async def edit(self, ref: str, text: str) -> None:
        await self._enter()
        self.messages[ref] = text
        self.calls.append(("edit", ref, text))

    async def upload(self, filename: str, data: bytes) -> None:
        self.calls.append(("upload", filename, ""))

    def show_steps(self, steps: object, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    def set_buttons(self, buttons: Any) -> None:
        return None  # no buttons here

    async def set_status(self, status: str | None) -> None:
        return None

    async def close(self) -> None:
        return None


class Source:
    def __init__(self) -> None:
        self.text = ""

    def __call__(self) -> str:
        return self.text


def editor_for(
    target: RecordingTarget,
    source: Source,
    limits: ReplyLimits,
    budget: CallBudget | None = None,
    **kwargs: object,
) -> ReplyEditor:
    budget = budget or CallBudget(limits.calls_per_window, limits.window)
    return ReplyEditor(target, limits, budget, source=source, **kwargs)  # type: ignore[arg-type]


async def test_posts_placeholder_at_once_and_ends_with_final_text() -> None:
    target, source = RecordingTarget(), Source()
    editor = editor_for(target, source, ReplyLimits(max_length=2000, edit_interval=0.05))
    await editor.start()
    assert target.calls == [("post", "m1", "…")]
    source.text = "Hello"
    editor.mark_dirty()
    await editor.finish("Hello, world.")
    assert target.messages == {"m1": "Hello, world."}


async def test_deltas_are_coalesced_into_few_edits() -> None:
    target, source = RecordingTarget(), Source()
    editor = editor_for(target, source, ReplyLimits(max_length=2000, edit_interval=0.05))
    await editor.start()
    for n in range(300):
        source.text += f"w{n} "
        editor.mark_dirty()
        await asyncio.sleep(0)  # let the flusher run between deltas, as a stream would
    await editor.finish()
    edits = [c for c in target.calls if c[0] == "edit"]
    assert 1 <= len(edits) < 30
    assert target.messages["m1"] == source.text


async def test_long_answer_continues_in_new_messages() -> None:
    target, source = RecordingTarget(), Source()
    saved: list[list[str]] = []

    async def save(refs: list[str]) -> None:
        saved.append(refs)

    editor = editor_for(target, source, ReplyLimits(max_length=100), save_refs=save)
    await editor.start()
    source.text = "```python\n" + "\n".join(f"x = {n}" for n in range(60)) + "\n```"
    await editor.finish()
    assert len(target.messages) >= 4
    assert all(len(text) <= 100 and text.count("```") % 2 == 0 for text in target.messages.values())
    assert saved[-1] == list(target.messages)


async def test_reuses_refs_after_restart_instead_of_posting_again() -> None:
    target, source = RecordingTarget(messages={"m1": "partial"}), Source()
    editor = editor_for(target, source, ReplyLimits(max_length=2000), refs=["m1"])
    await editor.start()
    await editor.finish("complete answer")
    assert target.calls == [("edit", "m1", "complete answer")]


async def test_rate_limited_final_edit_is_retried() -> None:
    target, source = RecordingTarget(), Source()
    editor = editor_for(target, source, ReplyLimits(max_length=2000))
    await editor.start()
    target.rate_limit_next = 2
    await editor.finish("final")
    assert target.messages["m1"] == "final"


async def test_budget_is_shared_fairly_between_concurrent_replies() -> None:
    limits = ReplyLimits(max_length=2000, calls_per_window=4, window=0.2)
    shared = CallBudget(limits.calls_per_window, limits.window)
    targets = [RecordingTarget() for _ in range(3)]
    sources = [Source() for _ in range(3)]
    editors = [editor_for(t, s, limits, shared) for t, s in zip(targets, sources, strict=True)]
    for editor in editors:
        await editor.start()

    async def stream(index: int) -> None:
        for n in range(40):
            sources[index].text += f"{n} "
            editors[index].mark_dirty()
            await asyncio.sleep(0.005)  # allow-sleep: the pace of a model's deltas
        await editors[index].finish()

    await asyncio.gather(*(stream(i) for i in range(3)))
    stamps = sorted(s for t in targets for s in t.stamps)
    # Never more than 4 calls in any 0.2 s window across all three replies.
    for i in range(len(stamps) - 4):
        assert stamps[i + 4] - stamps[i] >= 0.2 - 0.01
    for target, source in zip(targets, sources, strict=True):
        assert target.messages["m1"] == source.text
        assert len(target.calls) >= 2  # each reply got edits, none was starved


@pytest.mark.parametrize("calls", [None, 3])
async def test_budget_pause_blocks_everyone(calls: int | None) -> None:
    budget = CallBudget(calls, 1.0)
    budget.pause(0.05)
    started = time.monotonic()
    await budget.acquire()
    assert time.monotonic() - started >= 0.04


@dataclass
class WatchedTarget(RecordingTarget):
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def _enter(self) -> None:
        self.called.set()
        await super()._enter()

    async def until(self, ready: Callable[[], bool]) -> None:
        async with asyncio.timeout(5):
            while not ready():
                self.called.clear()
                await self.called.wait()


async def test_what_shows_beside_the_text_is_edited_even_when_the_text_is_the_same() -> None:
    target, source = WatchedTarget(), Source()
    editor = editor_for(target, source, ReplyLimits(max_length=20, edit_interval=0.0))
    await editor.start()
    source.text = "first page is long. second page"
    editor.mark_dirty()
    await target.until(lambda: len(target.messages) == 2)  # the flusher posts both pages
    shown = len(target.calls)
    target.rate_limit_next = 1  # the progress edit for the steps fails; the final carries them
    editor.mark_dirty(beside_text=True)
    await target.until(lambda: len(target.stamps) > shown)
    await editor.finish()
    edits = [c for c in target.calls[shown:] if c[0] == "edit"]
    assert [ref for _, ref, _ in edits] == ["m1"]  # the first page only, once it went through
