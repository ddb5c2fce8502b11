"""What the core reports about its work, behind one small interface.

The engine, the turn and the adapters call a ``Metrics``; which one is the composition
root's choice: ``NullMetrics`` (the default: nothing is kept) or ``bot.prometheus``'s, which
is the only module that imports ``prometheus_client``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.buttons import Buttons
from bot.steps import Steps
from bot.types import ReplyTarget

COMPLETED = "completed"
"""The outcome of an answer that was shown in full; any other outcome is a failure reason."""


class Metrics(Protocol):
    def message_accepted(self, platform: str) -> None:
        """A message is in the inbox (after de-duplication)."""

    def queue_wait(self, platform: str, seconds: float) -> None:
        """A job was taken up ``seconds`` after it was accepted."""

    def first_text(self, platform: str, seconds: float) -> None:
        """The first words of an answer were shown, ``seconds`` after acceptance."""

    def answer_finished(self, platform: str, outcome: str, seconds: float) -> None:
        """An answer ended ``seconds`` after acceptance: ``COMPLETED`` or a failure reason."""

    def model_response(
        self, model: str, status: str, input_tokens: int, output_tokens: int
    ) -> None:
        """One model request ended (``status``: completed, incomplete, cancelled, …)."""

    def platform_call(self, platform: str, method: str, status: int) -> None:
        """One HTTP call to a platform's API ended with ``status`` (429: rate limited)."""

    def reply_deferred(self, kind: str) -> None:
        """A reply write was deferred by a rate budget (``bot.budget.DeferredHook``'s kinds:
        ``progress``, ``final``, ``rerouted``)."""


class NullMetrics:
    """Keeps nothing: for tests and embedders that do not scrape."""

    def message_accepted(self, platform: str) -> None:
        return None

    def queue_wait(self, platform: str, seconds: float) -> None:
        return None

    def first_text(self, platform: str, seconds: float) -> None:
        return None

    def answer_finished(self, platform: str, outcome: str, seconds: float) -> None:
        return None

    def model_response(
        self, model: str, status: str, input_tokens: int, output_tokens: int
    ) -> None:
        return None

    def platform_call(self, platform: str, method: str, status: int) -> None:
        return None

    def reply_deferred(self, kind: str) -> None:
        return None


class FirstText:
    """A reply target that calls ``on_first`` once, when the answer's first words (not the
    placeholder) are sent to the platform: the moment the person sees text."""

    def __init__(self, target: ReplyTarget, placeholder: str, on_first: Callable[[], None]):
        self._target = target
        self._placeholder = placeholder
        self._on_first: Callable[[], None] | None = on_first
        self.budget_key = target.budget_key

    def _sent(self, text: str) -> None:
        if self._on_first is not None and text.strip() and text != self._placeholder:
            on_first, self._on_first = self._on_first, None
            on_first()

    async def post(self, text: str) -> str:
        ref = await self._target.post(text)
        self._sent(text)
        return ref

    async def edit(self, ref: str, text: str) -> None:
        await self._target.edit(ref, text)
        self._sent(text)

    async def repost(self, ref: str, text: str) -> str | None:
        new = await self._target.repost(ref, text)
        if new is not None:
            self._sent(text)
        return new

    async def upload(self, filename: str, data: bytes) -> None:
        await self._target.upload(filename, data)

    async def set_status(self, status: str | None) -> None:
        await self._target.set_status(status)

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        self._target.show_steps(steps, lang)

    async def close(self) -> None:
        await self._target.close()

    def open_refs(self) -> list[str]:
        return self._target.open_refs()

    def set_buttons(self, buttons: Buttons | None) -> None:
        self._target.set_buttons(buttons)
