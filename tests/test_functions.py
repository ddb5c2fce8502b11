"""The function registry: schemas from hints and docstrings, and calls that never raise."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Literal

from bot.builtin_functions import calculate, current_datetime, standard_registry
from bot.functions import FunctionCall, FunctionRegistry, ToolContext, assistant_function, describe

CONTEXT = ToolContext("slack", "T1", "C1", "U1", "Kim")


def test_schema_from_hints_and_docstring() -> None:
    @assistant_function(timeout=3)
    def grade_of(
        student: str, subject: Literal["math", "art"], year: int | None, context: ToolContext
    ) -> str:
        """Look up a student's grade.

        Args:
            student: the student's full name
            subject: which subject
            year: school year, null for the current one
        """
        return "A"

    spec = describe(grade_of)
    assert spec.description == "Look up a student's grade."
    assert spec.context_param == "context"
    assert spec.tool()["strict"] is True
    assert spec.parameters == {
        "type": "object",
        "properties": {
            "student": {"type": "string", "description": "the student's full name"},
            "subject": {"type": "string", "enum": ["math", "art"], "description": "which subject"},
            "year": {
                "type": ["integer", "null"],
                "description": "school year, null for the current one",
            },
        },
        "required": ["student", "subject", "year"],
        "additionalProperties": False,
    }


def test_enablement_by_profile_tools() -> None:
    registry = standard_registry(plugins=False)
    assert registry.enabled_names(["functions"]) == [
        "calculate",
        "conversation_info",
        "current_datetime",
    ]
    assert registry.enabled_names(["code_interpreter", "fn:calculate"]) == ["calculate"]
    assert registry.tools([]) == []


async def test_calls_report_errors_instead_of_raising() -> None:
    release = threading.Event()

    def broken(x: int) -> str:
        """Always fails."""
        raise RuntimeError("database down")

    @assistant_function(timeout=0.05)
    async def slow() -> str:
        """Never finishes in time."""
        await asyncio.Event().wait()
        return "late"

    @assistant_function(timeout=0.05)
    def slow_sync() -> str:
        """Blocks a worker thread."""
        release.wait(5)
        return "late"

    registry = FunctionRegistry([describe(broken)])
    registry.add(slow)
    registry.add(slow_sync)
    failed = json.loads(await registry.call(FunctionCall("c1", "broken", '{"x": 1}'), CONTEXT))
    assert failed == {"error": "broken failed: RuntimeError: database down"}
    timed_out = json.loads(await registry.call(FunctionCall("c2", "slow", "{}"), CONTEXT))
    assert "did not finish within 0.05 seconds" in timed_out["error"]
    blocked = json.loads(await registry.call(FunctionCall("c3", "slow_sync", "{}"), CONTEXT))
    release.set()
    assert "did not finish" in blocked["error"]
    unknown = json.loads(await registry.call(FunctionCall("c4", "nope", "{}"), CONTEXT))
    assert "unknown function" in unknown["error"]
    bad = json.loads(await registry.call(FunctionCall("c5", "broken", "[1]"), CONTEXT))
    assert "invalid arguments" in bad["error"]


async def test_builtins() -> None:
    registry = standard_registry(plugins=False)
    info = json.loads(await registry.call(FunctionCall("c", "conversation_info", "{}"), CONTEXT))
    assert info["user_name"] == "Kim" and info["channel"] == "C1"
    assert calculate("(14 - 11) / 3") == "1.0"
    assert calculate("2 ** 10000").startswith("Cannot evaluate")
    assert calculate("__import__('os')").startswith("Cannot evaluate")
    assert "Asia/Seoul" in current_datetime("Asia/Seoul")
    assert current_datetime("Mars/Base").startswith("Unknown time zone")


def test_a_function_for_some_platforms_is_offered_only_there() -> None:
    registry = FunctionRegistry([calculate])
    spec = describe(current_datetime)
    registry.replace(
        type(spec)(
            spec.name, spec.description, spec.parameters, spec.func, platforms=frozenset({"slack"})
        )
    )

    def offered(platform: str | None) -> list[str]:
        return [t["name"] for t in registry.tools(["functions"], platform)]

    assert offered("slack") == ["calculate", "current_datetime"]
    assert offered("discord") == ["calculate"]
    assert offered(None) == ["calculate", "current_datetime"]
