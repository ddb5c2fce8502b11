"""The OpenAI emulator in its own process, streaming N deltas per answer (for benchmarks), on
the Responses API and on Chat Completions alike."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.openai_emulator import OpenAIEmulator, Turn


async def serve(deltas: int, interval: float) -> None:
    words = [f"word{n} " for n in range(deltas)]

    def reply(body: dict[str, Any]) -> Turn:
        return Turn().text("".join(words), deltas=list(words)).delta_interval(interval)

    emulator = OpenAIEmulator()
    emulator.default_reply = reply
    emulator.default_chat_reply = reply
    await emulator.start()
    print(emulator.base_url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.01)
    args = parser.parse_args()
    asyncio.run(serve(args.deltas, args.interval))
