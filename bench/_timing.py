"""What the concurrency benchmarks share: an OpenAI emulator that notes, per response, when
its last text delta went out and when it completed (the start of "delta → final text")."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.openai_emulator import OpenAIEmulator, Turn


class TimedOpenAIEmulator(OpenAIEmulator):
    """Notes when each response emitted its last text delta, and when it completed."""

    def __init__(self) -> None:
        super().__init__()
        self.last_delta: dict[str, float] = {}
        self.completed: dict[str, float] = {}

    async def _notify(self) -> None:
        now = time.monotonic()
        for response in self.responses.values():
            if response.events and response.events[-1]["type"] == "response.output_text.delta":
                self.last_delta[response.id] = now
            if response.done:
                self.completed.setdefault(response.id, now)
        await super()._notify()


def paced_turn(text: str, *, first_token: float, chunk: int, interval: float) -> Turn:
    """The model of the side-by-side comparison: ``first_token`` seconds to the first text,
    then ``chunk`` characters every ``interval`` seconds."""
    chunks = [text[i : i + chunk] for i in range(0, len(text), chunk)] or [text]
    turn = Turn().text(text, deltas=chunks).delta_interval(interval)
    if first_token > 0:
        started = asyncio.Event()
        asyncio.get_running_loop().call_later(first_token, started.set)
        turn.gate(started, after_events=2)  # after response.created and in_progress
    return turn


def prose(length: int, seed: str) -> str:
    """``length`` characters of sentences (so a long answer splits at word boundaries)."""
    sentences: list[str] = []
    n = 0
    while sum(len(s) + 1 for s in sentences) < length:
        sentences.append(f"Step {n} of the worked answer for {seed}.")
        n += 1
    return " ".join(sentences)[:length].rstrip()


def lateness(values: list[float]) -> str:
    """Per-answer lateness as the issue quotes it: median and max, in seconds."""
    if not values:
        return "n/a"
    ordered = sorted(values)
    return f"median {statistics.median(ordered):.2f} s, max {ordered[-1]:.2f} s"
