"""A turn is built from its dependencies alone, without an engine: one job answered end to
end (the SQLite store, the real OpenAI client against the emulator, the console platform)."""

from __future__ import annotations

from pathlib import Path

import openai

from adapters.console import ConsolePlatform, parse_line
from bot.backends import Backends
from bot.budget_registry import BudgetRegistry
from bot.builtin_functions import standard_registry
from bot.language import Languages
from bot.metrics import NullMetrics
from bot.openai_backend import OpenAIBackend
from bot.turn import Turn
from bot.turn_deps import TurnDeps
from storage.sqlite import SQLiteStore
from tests.conftest import Terminal, test_settings
from tests.openai_emulator import OpenAIEmulator
from tests.openai_emulator import Turn as ModelTurn


async def test_a_turn_answers_a_job_without_an_engine(
    emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    settings = test_settings(emulator, tmp_path / "bot.db", assistant_tools="")
    store = SQLiteStore(str(tmp_path / "bot.db"))
    await store.open()
    backend = OpenAIBackend(
        openai.AsyncOpenAI(api_key="sk-test-emulator-key", base_url=emulator.base_url)
    )
    deps = TurnDeps(
        store=store,
        settings=settings,
        backends=Backends(backend, store, settings),
        functions=standard_registry(),
        budgets=BudgetRegistry(),
        metrics=NullMetrics(),
        languages=Languages(store),
    )
    out = Terminal()
    platform = ConsolePlatform(out=out, files_dir=tmp_path / "files")
    emulator.script(ModelTurn().text("Four.", deltas=2))
    try:
        job = await store.accept(parse_line("What is 2 + 2?").to_new_job())
        assert job is not None
        await Turn(deps, platform, job).run()
        assert out.getvalue() == "Four.\n"
        [request] = emulator.response_requests()
        assert request["instructions"] == "You are a math tutor."
        assert request["input"] == [
            {"role": "user", "content": [{"type": "input_text", "text": "What is 2 + 2?"}]}
        ]
        [done] = await store.jobs()
        assert done.status == "answered"
    finally:
        await backend.close()
        await store.close()
