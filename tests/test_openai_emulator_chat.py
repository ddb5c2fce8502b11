"""The emulator's Chat Completions, read by the SDK's own typed helpers with strict response
validation: what it sends must parse as ``ChatCompletionChunk`` / ``ChatCompletion``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest

from tests.openai_emulator import OpenAIEmulator, Turn


@pytest.fixture
async def client(emulator: OpenAIEmulator) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=emulator.base_url,
        api_key="sk-test",
        max_retries=0,
        _strict_response_validation=True,
    ) as sdk:
        yield sdk


async def test_text_streams_as_typed_chunks_with_usage_last(
    emulator: OpenAIEmulator, client: openai.AsyncOpenAI
) -> None:
    emulator.script(Turn().text("Hello there, friend!", deltas=4).usage(21, 5))
    stream = await client.chat.completions.create(
        model="llama3.2",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello there, friend!"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) == 4
    assert chunks[0].choices[0].delta.role == "assistant"
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop" and set(finish[:-1]) == {None}
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (21, 5)
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    [request] = emulator.chat_requests()
    assert request["stream_options"] == {"include_usage": True}


async def test_without_include_usage_there_is_no_usage_chunk(
    emulator: OpenAIEmulator, client: openai.AsyncOpenAI
) -> None:
    emulator.script(Turn().text("ok"))
    stream = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    chunks = [chunk async for chunk in stream]
    assert all(c.usage is None and c.choices for c in chunks)


async def test_tool_call_arguments_arrive_in_pieces(
    emulator: OpenAIEmulator, client: openai.AsyncOpenAI
) -> None:
    emulator.script(
        Turn()
        .function_call("calculate", {"expression": "6*7"}, call_id="call_a")
        .function_call("current_datetime", {}, call_id="call_b")
    )
    stream = await client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "6*7 and the time?"}],
        tools=[{"type": "function", "function": {"name": "calculate", "parameters": {}}}],
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    pieces = 0
    finish = None
    async for chunk in stream:
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for delta in choice.delta.tool_calls or []:
            entry = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            assert delta.function is not None
            entry["id"] += delta.id or ""
            entry["name"] += delta.function.name or ""
            entry["arguments"] += delta.function.arguments or ""
            pieces += bool(delta.function.arguments)
    assert calls == {
        0: {"id": "call_a", "name": "calculate", "arguments": '{"expression": "6*7"}'},
        1: {"id": "call_b", "name": "current_datetime", "arguments": "{}"},
    }
    assert pieces >= 4 and finish == "tool_calls"


async def test_answer_to_tool_calls_must_follow_them(
    emulator: OpenAIEmulator, client: openai.AsyncOpenAI
) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    with pytest.raises(openai.BadRequestError, match="tool_calls"):
        await client.chat.completions.create(
            model="m",
            messages=[
                {"role": "user", "content": "go"},
                {"role": "assistant", "content": None, "tool_calls": [call]},  # type: ignore[list-item]
                {"role": "user", "content": "and?"},
            ],
        )
    with pytest.raises(openai.BadRequestError, match="role 'tool'"):
        await client.chat.completions.create(
            model="m", messages=[{"role": "tool", "tool_call_id": "call_x", "content": "1"}]
        )
    emulator.script(Turn().text("42"))
    done = await client.chat.completions.create(
        model="m",
        messages=[
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": None, "tool_calls": [call]},  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": "call_1", "content": "42"},
        ],
    )
    assert done.choices[0].message.content == "42" and done.usage is not None


async def test_errors_unknown_model_mid_stream_error_and_length(
    emulator: OpenAIEmulator, client: openai.AsyncOpenAI
) -> None:
    emulator.chat_models = {"llama3.2"}
    with pytest.raises(openai.NotFoundError, match="not found, try pulling it first"):
        await client.chat.completions.create(
            model="qwen9", messages=[{"role": "user", "content": "hi"}]
        )
    emulator.script(Turn().text("partial answer").error_event("server_error", "engine died"))
    stream = await client.chat.completions.create(
        model="llama3.2", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    seen = []
    with pytest.raises(openai.APIError, match="engine died"):
        async for chunk in stream:
            seen.append(chunk.choices[0].delta.content or "")
    assert "".join(seen) == "partial answer"
    emulator.script(Turn().text("cut sho").incomplete())
    stream = await client.chat.completions.create(
        model="llama3.2", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    reasons = [c.choices[0].finish_reason async for c in stream if c.choices]
    assert reasons[-1] == "length"
    emulator.script(Turn().http_error(400, code="context_length_exceeded", message="too long"))
    with pytest.raises(openai.BadRequestError) as raised:
        await client.chat.completions.create(
            model="llama3.2", messages=[{"role": "user", "content": "hi"}]
        )
    assert raised.value.code == "context_length_exceeded"
