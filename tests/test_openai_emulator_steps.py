"""The emulator's step items (web search, MCP call, reasoning, a failing code call, url
citations) checked against the SDK's own types: the response with strict validation, and every
stream event with the ``ResponseStreamEvent`` union."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from openai import AsyncOpenAI
from openai.types.responses import ResponseStreamEvent, ToolParam
from openai.types.shared_params import Reasoning as ReasoningParam
from pydantic import TypeAdapter

from tests.openai_emulator import OpenAIEmulator, Turn
from tests.openai_emulator_hosted import WebSearch, url_citation
from tests.openai_emulator_mcp import McpCall
from tests.openai_emulator_steps import FailedCode, Reasoning

TEXT = "See the schedule."
SUMMARY: ReasoningParam = {"summary": "auto"}
SCRIPT = (
    Turn()
    .item(Reasoning(["**Looking it up**\n\nA search will do.", "Then answer."]))
    .item(WebSearch("python 3.14", ["https://a.example/1", "https://b.example/2"]))
    .item(McpCall("docs", "lookup", {"q": "x"}, output="found"))
    .item(
        McpCall(
            "docs",
            "lookup",
            {"q": "y"},
            error={"type": "http_error", "code": 502, "message": "Bad Gateway"},
        )
    )
    .item(FailedCode("import nothing"))
    .text(TEXT, annotations=[url_citation(TEXT, "the schedule", "https://b.example/2", "B")])
)
SOURCES = "web_search_call.action.sources"
# What the real API needs to search the web and to call the docs server's tools.
TOOLS: list[ToolParam] = [
    {"type": "web_search"},
    {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://docs.example/mcp",
        "require_approval": "never",
    },
]


@pytest_asyncio.fixture
async def client() -> AsyncIterator[tuple[AsyncOpenAI, OpenAIEmulator]]:
    async with OpenAIEmulator() as emu:
        c = AsyncOpenAI(base_url=emu.base_url, api_key="sk-test", _strict_response_validation=True)
        yield c, emu
        await c.close()


async def test_the_items_validate_as_the_sdk_types(
    client: tuple[AsyncOpenAI, OpenAIEmulator],
) -> None:
    sdk, emu = client
    emu.script(SCRIPT, SCRIPT)
    resp = await sdk.responses.create(
        model="gpt-5-mini", input="q", include=[SOURCES], tools=TOOLS, reasoning=SUMMARY
    )
    reasoning, web, mcp_ok, mcp_failed, code, message = resp.output
    assert reasoning.type == "reasoning"
    assert [s.text for s in reasoning.summary] == [
        "**Looking it up**\n\nA search will do.",
        "Then answer.",
    ]
    assert web.type == "web_search_call" and web.status == "completed"
    assert web.action.type == "search" and web.action.query == "python 3.14"
    assert [s.url for s in web.action.sources or []] == [
        "https://a.example/1",
        "https://b.example/2",
    ]
    assert mcp_ok.type == "mcp_call" and mcp_ok.output == "found" and mcp_ok.status == "completed"
    assert mcp_failed.type == "mcp_call" and mcp_failed.status == "failed"
    assert mcp_failed.error is not None and mcp_failed.error.type == "http_error"
    assert code.type == "code_interpreter_call" and code.status == "failed"
    assert message.type == "message"
    [part] = message.content
    assert part.type == "output_text"
    [cite] = part.annotations
    assert cite.type == "url_citation" and TEXT[cite.start_index : cite.end_index] == "the schedule"
    # Without the include, a search carries no sources; without a summary asked for, the
    # reasoning item has none.
    plain = await sdk.responses.create(model="gpt-5-mini", input="q", tools=TOOLS)
    assert plain.output[0].type == "reasoning" and plain.output[0].summary == []
    assert plain.output[1].type == "web_search_call"
    assert plain.output[1].action.type == "search" and plain.output[1].action.sources is None


async def test_every_stream_event_is_a_typed_event(
    client: tuple[AsyncOpenAI, OpenAIEmulator],
) -> None:
    sdk, emu = client
    emu.script(SCRIPT)
    events = TypeAdapter[Any](ResponseStreamEvent)
    seen: list[str] = []
    stream = await sdk.responses.create(
        model="gpt-5-mini",
        input="q",
        include=[SOURCES],
        tools=TOOLS,
        reasoning=SUMMARY,
        stream=True,
    )
    async for event in stream:
        typed = events.validate_python(event.model_dump(mode="json", exclude_unset=True))
        seen.append(typed.type)
    expected = [
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.mcp_call.in_progress",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
        "response.code_interpreter_call.interpreting",
        "response.output_text.annotation.added",
    ]
    assert all(kind in seen for kind in expected)
    assert seen[-1] == "response.completed"
