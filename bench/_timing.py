"""What the concurrency benchmarks share: an OpenAI emulator that notes, per response, when
its last text delta went out and when it completed (the start of "delta → final text")."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.openai_emulator import OpenAIEmulator


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
