"""The pure pieces of the Chat Completions backend: messages, trimming, repair, chunks."""

from __future__ import annotations

from typing import Any

from bot.chat_history import (
    INTERRUPTED_OUTPUT,
    chat_tools,
    estimate_tokens,
    repair,
    to_chat_messages,
    trim,
)
from bot.chat_stream import ChatFeeder
from bot.events import FileOutput, RunResult, ToolCall


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def calls(*ids: str) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": i, "type": "function", "function": {"name": "f", "arguments": "{}"}} for i in ids
        ],
    }


def tool(call_id: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": "1"}


def sized(*messages: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    return [(m, 10) for m in messages]


def test_input_items_become_chat_messages() -> None:
    items = [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "what is this?"},
                {"type": "input_image", "image_url": "data:image/png;base64,AA", "detail": "auto"},
            ],
        },
        {"type": "function_call_output", "call_id": "c1", "output": '{"r": 1}'},
    ]
    assert to_chat_messages(items) == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": '{"r": 1}'},
    ]
    assert to_chat_messages(
        [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}]
    ) == [user("hi")]


def test_only_function_tools_are_offered() -> None:
    tools = [
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {
            "type": "function",
            "name": "f",
            "description": "d",
            "parameters": {"type": "object"},
            "strict": True,
        },
    ]
    assert chat_tools(tools) == [
        {
            "type": "function",
            "function": {
                "name": "f",
                "description": "d",
                "parameters": {"type": "object"},
                "strict": True,
            },
        }
    ]


def test_estimate_grows_with_text_and_images() -> None:
    assert estimate_tokens(user("")) < estimate_tokens(user("x" * 400)) == 104
    picture = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "d"}}]}
    assert estimate_tokens(picture) > 500


def test_trim_drops_whole_exchanges_oldest_first() -> None:
    history = sized(
        user("q1"),
        calls("a"),
        tool("a"),
        {"role": "assistant", "content": "a1"},
        user("q2"),
        {"role": "assistant", "content": "a2"},
    )
    kept, dropped = trim(
        history, [user("q3")], system_tokens=10, budget=10 + 20 + estimate_tokens(user("q3"))
    )
    assert kept == [user("q2"), {"role": "assistant", "content": "a2"}] and dropped == 4
    kept, dropped = trim(history, [user("q3")], system_tokens=10, budget=10_000)
    assert len(kept) == 6 and dropped == 0
    kept, dropped = trim(history, [user("q3")], system_tokens=10, budget=1)
    assert kept == [] and dropped == 6


def test_trim_keeps_the_exchange_whose_tool_results_are_being_sent() -> None:
    history = sized(user("q1"), {"role": "assistant", "content": "a1"}, user("q2"), calls("b"))
    kept, _ = trim(history, [tool("b")], system_tokens=10, budget=1)
    assert kept == [user("q2"), calls("b")]


def test_repair_answers_calls_left_without_results() -> None:
    history = sized(user("q1"), calls("a", "b"), tool("a"), user("q1 again"))
    repaired = [m for m, _ in repair(history)]
    assert repaired[3] == {"role": "tool", "tool_call_id": "b", "content": INTERRUPTED_OUTPUT}
    assert repaired[4] == user("q1 again")
    open_round = sized(user("q"), calls("c"))
    assert [m for m, _ in repair(open_round, answering=True)] == [user("q"), calls("c")]
    assert len(repair(open_round)) == 3


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    async def on_status(self, status: str) -> None:
        self.events.append(("status", status))

    async def on_text_created(self) -> None:
        self.events.append(("text", None))

    async def on_text_delta(self, delta: str) -> None:
        self.events.append(("delta", delta))

    async def on_tool_call_created(self, call: ToolCall) -> None:
        self.events.append(("call", call.name))

    async def on_tool_call_delta(self, call: ToolCall, *, code: str = "", logs: str = "") -> None:
        self.events.append(("call_delta", code))

    async def on_tool_call_done(self, call: ToolCall, done: object) -> None: ...

    async def on_web_citation(self, source: object) -> None: ...

    async def on_reasoning(self, item_id: str, delta: str = "", *, done: bool = False) -> None: ...

    async def on_file_output(self, file: FileOutput) -> None: ...

    async def on_citation(self, filename: str) -> None: ...

    async def on_image(self, item_id: str, result: str | None) -> None: ...

    async def on_done(self, result: RunResult) -> None: ...

    async def on_failed(self, error: object) -> None: ...


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "c1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


async def test_feeder_assembles_calls_from_servers_that_send_no_ids() -> None:
    recorder = Recorder()
    feeder = ChatFeeder(recorder)  # type: ignore[arg-type]
    await feeder.feed(chunk({"role": "assistant", "content": "Let me"}))
    await feeder.feed(chunk({"content": " check."}))
    await feeder.feed(
        chunk({"tool_calls": [{"index": 0, "function": {"name": "calc", "arguments": '{"e":'}}]})
    )
    await feeder.feed(chunk({"tool_calls": [{"index": 0, "function": {"arguments": ' "1+1"}'}}]}))
    await feeder.feed(chunk({}, "length"))
    result = feeder.result(estimated_input=7, estimated_output=3)
    assert recorder.events == [
        ("status", "in_progress"),
        ("text", None),
        ("delta", "Let me"),
        ("delta", " check."),
        ("status", "function"),
    ]
    [call] = result.function_calls
    assert (
        call.name == "calc"
        and call.arguments == '{"e": "1+1"}'
        and call.call_id.startswith("call_")
    )
    assert result.status == "incomplete" and result.incomplete_reason == "max_output_tokens"
    assert (result.input_tokens, result.output_tokens) == (7, 3)
