"""The OpenAI emulator, driven by the real AsyncOpenAI client with strict response validation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import openai
import pytest
import pytest_asyncio
from openai import AsyncOpenAI
from openai.types.responses import (
    ResponseCodeInterpreterToolCall,
    ResponseCompletedEvent,
    ResponseIncompleteEvent,
    ResponseOutputMessage,
    ResponseOutputText,
)
from openai.types.responses.response_output_text import AnnotationContainerFileCitation

from tests.openai_emulator import OpenAIEmulator, RecordedRequest, Turn

pytestmark = pytest.mark.asyncio

MODEL = "gpt-4.1"
T = TypeVar("T")


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as emulator:
        yield emulator


def make_client(emu: OpenAIEmulator, *, max_retries: int = 0, strict: bool = True) -> AsyncOpenAI:
    return AsyncOpenAI(
        base_url=emu.base_url,
        api_key="sk-test",
        max_retries=max_retries,
        _strict_response_validation=strict,
    )


@pytest_asyncio.fixture
async def client(emu: OpenAIEmulator) -> AsyncIterator[AsyncOpenAI]:
    c = make_client(emu)
    yield c
    await c.close()


def posts_to(path: str) -> Any:
    return lambda r: r.method == "POST" and r.path == path


def only(cls: type[T], value: object) -> T:
    """Narrow one member of the SDK's big unions (and check it)."""
    assert isinstance(value, cls), f"expected {cls.__name__}, got {type(value).__name__}"
    return value


def text_of(item: Any) -> str:
    return "".join(getattr(part, "text", "") for part in item.content)


async def test_conversation_create_and_items_pagination(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    conv = await client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "first"}],
        metadata={"thread": "C1/123"},
    )
    assert conv.id.startswith("conv_") and conv.metadata == {"thread": "C1/123"}
    batch: list[Any] = [{"type": "message", "role": "user", "content": f"m{i}"} for i in range(20)]
    created = await client.conversations.items.create(conv.id, items=batch)
    assert len(created.data) == 20 and created.last_id == created.data[-1].id
    with pytest.raises(openai.BadRequestError):
        await client.conversations.items.create(conv.id, items=[*batch, batch[0]])

    seen = [item async for item in client.conversations.items.list(conv.id, limit=8)]
    assert [text_of(i) for i in seen] == [f"m{i}" for i in reversed(range(20))] + ["first"]
    pages = [r for r in emu.requests if r.method == "GET" and r.path.endswith("/items")]
    assert len(pages) == 3 and "after" not in pages[0].query
    assert pages[1].query["after"] == seen[7].id

    asc = await client.conversations.items.list(conv.id, order="asc", limit=2)
    assert [text_of(i) for i in asc.data] == ["first", "m0"] and asc.has_more
    updated = await client.conversations.update(conv.id, metadata={"k": "v"})
    assert updated.metadata == {"k": "v"} and emu.conversations[conv.id].metadata == {"k": "v"}
    assert (await client.conversations.delete(conv.id)).deleted
    with pytest.raises(openai.NotFoundError):
        await client.conversations.retrieve(conv.id)


async def test_streamed_text_turn_appends_conversation_items(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    conv = await client.conversations.create()
    emu.script(Turn().text("Hello there, how can I help?", deltas=3).usage(21, 7))
    stream = await client.responses.create(
        model=MODEL, input="hi", conversation=conv.id, instructions="Be brief.", stream=True
    )
    events = [ev async for ev in stream]
    deltas = [ev.delta for ev in events if ev.type == "response.output_text.delta"]
    assert len(deltas) == 3 and "".join(deltas) == "Hello there, how can I help?"
    assert [ev.sequence_number for ev in events] == list(range(len(events)))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    final = events[-1].response
    assert final.output_text == "Hello there, how can I help?"
    assert final.conversation is not None and final.conversation.id == conv.id
    assert final.usage is not None and final.usage.input_tokens_details.cache_write_tokens == 0
    assert final.instructions == "Be brief."

    items = (await client.conversations.items.list(conv.id, order="asc")).data
    assert [(i.type, getattr(i, "role", None)) for i in items] == [
        ("message", "user"),
        ("message", "assistant"),
    ]
    assert text_of(items[0]) == "hi" and text_of(items[1]) == final.output_text
    assert emu.response_requests()[0]["conversation"] == conv.id


async def test_non_streamed_create_and_default_reply(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    emu.script(Turn().text("Scripted answer."))
    resp = await client.responses.create(model=MODEL, input="question")
    assert resp.status == "completed" and resp.output_text == "Scripted answer."
    assert emu.responses[resp.id].snapshot["status"] == "completed"
    echo = await client.responses.create(
        model=MODEL, input=[{"role": "user", "content": [{"type": "input_text", "text": "ping"}]}]
    )
    assert echo.output_text == "You said: ping"
    demo = await client.responses.create(
        model=MODEL, input="Solve 3x + 11 = 14", include=["code_interpreter_call.outputs"]
    )
    call = demo.output[0]
    assert call.type == "code_interpreter_call" and call.code == "print((14-11)/3)"
    assert call.outputs is not None and call.outputs[0].type == "logs"
    assert call.outputs[0].logs == "1.0\n" and "x = 1" in demo.output_text


async def test_code_turn_with_logs_file_and_citation(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    png = b"\x89PNG\r\n\x1a\nchart"
    text = "Total is 42. Chart: [chart.png](sandbox:/mnt/data/chart.png) done."
    emu.script(
        Turn().code("print(42)", logs="42\n", files=[("chart.png", png)]).text(text),
        Turn()
        .code("print(1)")
        .text("See [chart.png](sandbox:/mnt/data/chart.png)", citation_span="link"),
    )
    stream = await client.responses.create(
        model=MODEL,
        input="plot",
        stream=True,
        include=["code_interpreter_call.outputs"],
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
    )
    events = [ev async for ev in stream]
    types = [ev.type for ev in events]
    for expected in (
        "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call_code.delta",
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
        "response.output_text.annotation.added",
    ):
        assert expected in types
    resp = only(ResponseCompletedEvent, events[-1]).response
    call = only(ResponseCodeInterpreterToolCall, resp.output[0])
    assert call.outputs is not None
    assert [(o.type, getattr(o, "logs", None)) for o in call.outputs] == [("logs", "42\n")]
    part = only(ResponseOutputText, only(ResponseOutputMessage, resp.output[1]).content[0])
    (ann_any,) = part.annotations
    ann = only(AnnotationContainerFileCitation, ann_any)
    assert ann.container_id == call.container_id
    assert text[ann.start_index : ann.end_index] == "sandbox:/mnt/data/chart.png"
    content = await client.containers.files.content.retrieve(
        ann.file_id, container_id=ann.container_id
    )
    assert content.content == png
    meta = await client.containers.files.retrieve(ann.file_id, container_id=ann.container_id)
    assert meta.path == "/mnt/data/chart.png" and meta.bytes == len(png)

    second = await client.responses.create(model=MODEL, input="again")
    assert only(ResponseCodeInterpreterToolCall, second.output[0]).outputs is None  # no include
    part2 = only(ResponseOutputText, only(ResponseOutputMessage, second.output[1]).content[0])
    ann2 = only(AnnotationContainerFileCitation, part2.annotations[0])
    span = part2.text[ann2.start_index : ann2.end_index]
    assert span == "[chart.png](sandbox:/mnt/data/chart.png)"


async def test_function_call_round_trip(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    tools: list[Any] = [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather",
            "parameters": {"type": "object", "properties": {}},
            "strict": False,
        }
    ]
    conv = await client.conversations.create()
    emu.script(
        Turn().function_call("get_weather", {"city": "Paris"}, call_id="call_1"),
        Turn().text("It is sunny in Paris."),
    )
    async with client.responses.stream(
        model=MODEL, input="weather?", conversation=conv.id, tools=tools
    ) as stream:
        first = await stream.get_final_response()
    (call,) = first.output
    assert call.type == "function_call" and call.name == "get_weather"
    assert call.arguments == '{"city": "Paris"}' and call.call_id == "call_1"

    with pytest.raises(openai.BadRequestError, match="No tool output found"):
        await client.responses.create(model=MODEL, input="ignore it", conversation=conv.id)
    with pytest.raises(openai.BadRequestError, match="No tool call found"):
        await client.responses.create(
            model=MODEL,
            conversation=conv.id,
            input=[{"type": "function_call_output", "call_id": "call_bogus", "output": "x"}],
        )
    second = await client.responses.create(
        model=MODEL,
        conversation=conv.id,
        tools=tools,
        input=[{"type": "function_call_output", "call_id": "call_1", "output": '{"sky": "clear"}'}],
    )
    assert second.output_text == "It is sunny in Paris."
    items = (await client.conversations.items.list(conv.id, order="asc")).data
    assert [i.type for i in items] == [
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]
    assert emu.response_requests()[-1]["input"][0]["type"] == "function_call_output"


async def test_file_search_with_include(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    f = await client.files.create(
        file=("notes.txt", b"Embeddings are vectors."), purpose="assistants"
    )
    vs = await client.vector_stores.create(name="kb", file_ids=[f.id])
    tools: list[Any] = [{"type": "file_search", "vector_store_ids": [vs.id]}]
    emu.script(
        Turn().file_search(["what are embeddings"]).text("Vectors."),
        Turn().file_search(["q"], results=[]).text("Nothing."),
    )
    resp = await client.responses.create(
        model=MODEL, input="embeddings?", tools=tools, include=["file_search_call.results"]
    )
    search = resp.output[0]
    assert search.type == "file_search_call" and search.queries == ["what are embeddings"]
    assert search.results is not None and search.results[0].file_id == f.id
    assert search.results[0].text == "Embeddings are vectors."
    assert resp.tools[0].type == "file_search"
    plain = await client.responses.create(model=MODEL, input="again", tools=tools)
    assert plain.output[0].type == "file_search_call" and plain.output[0].results is None


@pytest.mark.parametrize(
    "name", ["openai-responses-text.sse", "openai-responses-code-interpreter.sse"]
)
async def test_replay_sse_transcripts(client: AsyncOpenAI, emu: OpenAIEmulator, name: str) -> None:
    emu.script(Turn.raw(name))
    async with client.responses.stream(model=MODEL, input="hi") as stream:
        types = [ev.type async for ev in stream]
        final = await stream.get_final_response()
    assert types[0] == "response.created" and types[-1] == "response.completed"
    expected = {
        "openai-responses-text.sse": "Hello! How can I help?",
        "openai-responses-code-interpreter.sse": "Total revenue is 48,210. Chart: "
        "[revenue.png](sandbox:/mnt/data/revenue.png)",
    }
    assert final.output_text == expected[name]
    assert emu.responses[final.id].status == "completed"


async def test_replay_chunks_transcript(emu: OpenAIEmulator) -> None:
    # This recording predates usage.input_tokens_details.cache_write_tokens, which the SDK's
    # strict validation requires: replayed byte-for-byte, only a lenient client accepts it.
    emu.script(
        Turn.raw("openai-file-search-tool.2.chunks.txt"),
        Turn.raw("openai-file-search-tool.2.chunks.txt"),
    )
    strict = make_client(emu)
    with pytest.raises(openai.APIResponseValidationError):
        async with strict.responses.stream(model=MODEL, input="q") as stream:
            await stream.get_final_response()
    lenient = make_client(emu, strict=False)
    async with lenient.responses.stream(model=MODEL, input="q") as stream:
        final = await stream.get_final_response()
    assert final.output_text.startswith("The document defines an embedding model")
    assert [o.type for o in final.output] == [
        "reasoning",
        "file_search_call",
        "reasoning",
        "message",
    ]
    await strict.close()
    await lenient.close()


async def test_background_create_then_poll(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("Background done."))
    resp = await client.responses.create(model=MODEL, input="go", background=True)
    assert resp.status == "queued" and resp.background
    polls = 0
    while resp.status in ("queued", "in_progress"):
        polls += 1
        assert polls < 500
        resp = await client.responses.retrieve(resp.id)
    assert resp.status == "completed" and resp.output_text == "Background done."


async def test_gate_holds_background_response(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    release = asyncio.Event()
    conv = await client.conversations.create()
    emu.script(Turn().text("abcdefgh", deltas=4).gate(release, after_events=7))
    resp = await client.responses.create(
        model=MODEL, input="go", background=True, conversation=conv.id
    )
    await emu.wait_events(resp.id, 7)
    partial = await client.responses.retrieve(resp.id)
    assert partial.status == "in_progress"
    assert partial.output[0].type == "message" and text_of(partial.output[0]) == "abcd"
    assert emu.conversations[conv.id].items == []
    release.set()
    await emu.wait_done(resp.id)
    final = await client.responses.retrieve(resp.id)
    assert final.status == "completed" and final.output_text == "abcdefgh"
    assert len(emu.conversations[conv.id].items) == 2


async def test_stream_resume_after_drop(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("one two three four five", deltas=5).drop_after(6))
    stream = await client.responses.create(model=MODEL, input="go", background=True, stream=True)
    seen: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        async for ev in stream:
            seen.append(ev)
    assert len(seen) == 6 and seen[1].type == "response.queued"
    last = seen[-1].sequence_number
    response_id = seen[0].response.id
    resumed = await client.responses.retrieve(response_id, stream=True, starting_after=last)
    rest = [ev async for ev in resumed]
    assert rest[0].sequence_number == last + 1 and rest[-1].type == "response.completed"
    text = "".join(ev.delta for ev in seen + rest if ev.type == "response.output_text.delta")
    assert text == "one two three four five"
    async with client.responses.stream(response_id=response_id, starting_after=last) as helper:
        after = [ev.sequence_number async for ev in helper]
        final = await helper.get_final_response()
    assert after[0] == last + 1 and final.output_text == text


async def test_cancel_background_response(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    never = asyncio.Event()
    conv = await client.conversations.create()
    emu.script(Turn().text("never finished").gate(never, after_events=4))
    resp = await client.responses.create(
        model=MODEL, input="go", background=True, conversation=conv.id
    )
    await emu.wait_events(resp.id, 4)
    cancelled = await client.responses.cancel(resp.id)
    assert cancelled.status == "cancelled"
    assert (await client.responses.retrieve(resp.id)).status == "cancelled"
    assert emu.conversations[conv.id].items == []
    nxt = await client.responses.create(model=MODEL, input="next", conversation=conv.id)
    assert nxt.status == "completed"


async def test_429_retry_after_is_honoured(emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("after the limit").http_error(429, retry_after=0.01))
    client = make_client(emu, max_retries=2)
    resp = await client.responses.create(model=MODEL, input="hi")
    assert resp.output_text == "after the limit"
    posts = emu.response_requests()
    assert len(posts) == 2
    retries = [r.headers["x-stainless-retry-count"] for r in emu.requests]
    assert retries == ["0", "1"]
    await client.close()


async def test_500_then_success(emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("recovered").http_error(500, retry_after=0.01, times=2))
    client = make_client(emu, max_retries=2)
    resp = await client.responses.create(model=MODEL, input="hi")
    assert resp.output_text == "recovered" and len(emu.response_requests()) == 3
    emu.script(Turn().text("x").http_error(500, code="server_error", retry_after=0.01))
    with pytest.raises(openai.InternalServerError) as info:
        await client.with_options(max_retries=0).responses.create(model=MODEL, input="hi")
    assert info.value.code == "server_error"
    await client.close()


async def test_dropped_stream_raises_connection_error(emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("cut short", deltas=3).drop_after(3))
    client = make_client(emu, max_retries=2)
    stream = await client.responses.create(model=MODEL, input="hi", stream=True)
    seen = []
    with pytest.raises(openai.APIConnectionError):
        async for ev in stream:
            seen.append(ev.type)
    assert len(seen) == 3 and len(emu.response_requests()) == 1
    stored = await emu.wait_for_response_count(1)
    assert stored[0].status == "completed"  # generation went on server side
    await client.close()


async def test_error_event_raises_api_error(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("partial").error_event("server_error", "The model had an error."))
    stream = await client.responses.create(model=MODEL, input="hi", stream=True)
    seen = []
    with pytest.raises(openai.APIError) as info:
        async for ev in stream:
            seen.append(ev.type)
    assert info.value.code == "server_error" and "model had an error" in info.value.message
    assert "response.output_item.done" in seen
    (stored,) = await emu.wait_for_response_count(1)
    assert stored.events[-2]["type"] == "error" and stored.events[-1]["type"] == "response.failed"
    failed = await client.responses.retrieve(stored.id)
    assert failed.status == "failed" and failed.error is not None
    assert failed.error.code == "server_error"

    emu.script(Turn().text("partial").error_event(with_error_event=False))
    async with client.responses.stream(model=MODEL, input="hi") as helper:
        last = [ev async for ev in helper][-1]
    assert last.type == "response.failed"


async def test_incomplete(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    emu.script(Turn().text("truncated answ").incomplete(), Turn().text("cut").incomplete())
    stream = await client.responses.create(model=MODEL, input="hi", stream=True)
    events = [ev async for ev in stream]
    resp = only(ResponseIncompleteEvent, events[-1]).response
    assert resp.status == "incomplete" and resp.incomplete_details is not None
    assert resp.incomplete_details.reason == "max_output_tokens"
    assert resp.output_text == "truncated answ"
    assert only(ResponseOutputMessage, resp.output[0]).status == "incomplete"
    plain = await client.responses.create(model=MODEL, input="hi", max_output_tokens=16)
    assert plain.status == "incomplete" and plain.max_output_tokens == 16


async def test_conversation_locked_is_not_retried(emu: OpenAIEmulator) -> None:
    client = make_client(emu, max_retries=2)
    release = asyncio.Event()
    conv = await client.conversations.create()
    emu.script(Turn().text("slow").gate(release, after_events=2), Turn().text("later"))
    first = await client.responses.create(
        model=MODEL, input="a", background=True, conversation=conv.id
    )
    with pytest.raises(openai.BadRequestError) as info:
        await client.responses.create(model=MODEL, input="b", conversation=conv.id)
    assert info.value.code == "conversation_locked" and info.value.param == "conversation"
    assert len(emu.response_requests()) == 2  # one for each create: no retry
    release.set()
    await emu.wait_done(first.id)
    later = await client.responses.create(model=MODEL, input="b", conversation=conv.id)
    assert later.output_text == "later"
    await client.close()


async def test_file_upload_multipart(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    f = await client.files.create(file=("data.csv", b"a,b\n1,2\n"), purpose="user_data")
    assert f.id.startswith("file-") and f.bytes == 8 and f.status == "processed"
    assert emu.files[f.id].bytes == b"a,b\n1,2\n" and emu.files[f.id].purpose == "user_data"
    (upload,) = await emu.wait_requests(posts_to("/v1/files"))
    assert upload.form == {"file": {"filename": "data.csv", "size": 8}, "purpose": "user_data"}
    assert (await client.files.retrieve(f.id)).filename == "data.csv"
    assert (await client.files.content(f.id)).content == b"a,b\n1,2\n"
    assert (await client.files.delete(f.id)).deleted
    with pytest.raises(openai.NotFoundError):
        await client.files.retrieve(f.id)


async def test_vector_store_polling_helpers(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    vs = await client.vector_stores.create(
        name="docs", expires_after={"anchor": "last_active_at", "days": 7}
    )
    f = await client.files.create(file=("a.md", b"# A"), purpose="assistants")
    vsf = await client.vector_stores.files.create_and_poll(f.id, vector_store_id=vs.id)
    assert vsf.status == "completed" and vsf.vector_store_id == vs.id

    def is_poll(r: RecordedRequest) -> bool:
        return r.method == "GET" and "x-stainless-poll-helper" in r.headers

    assert len(await emu.wait_requests(is_poll, 2)) == 2  # in_progress once, then completed
    up = await client.vector_stores.files.upload_and_poll(
        vector_store_id=vs.id, file=("b.md", b"# B")
    )
    assert up.status == "completed"
    listed = [x.id async for x in client.vector_stores.files.list(vs.id)]
    assert sorted(listed) == sorted([f.id, up.id])
    store = await client.vector_stores.retrieve(vs.id)
    assert store.file_counts.completed == 2 and store.status == "completed"
    assert (await client.vector_stores.files.delete(f.id, vector_store_id=vs.id)).deleted
    assert (await client.vector_stores.delete(vs.id)).deleted


async def test_unknown_route_is_openai_404(client: AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        await client.get("/nope", cast_to=object)
    assert info.value.message.startswith("Error code: 404")
    assert isinstance(info.value.body, dict) and "Invalid URL" in info.value.body["message"]


async def test_wait_helpers_and_response_started(client: AsyncOpenAI, emu: OpenAIEmulator) -> None:
    release = asyncio.Event()
    emu.script(Turn().text("late").gate(release, after_events=1))
    task = asyncio.create_task(client.responses.create(model=MODEL, input="x"))
    started = await emu.response_started(0)
    assert started.events[0]["type"] == "response.created" and not started.done
    await emu.wait_requests(posts_to("/v1/responses"))
    release.set()
    resp = await task
    assert resp.output_text == "late"
    assert [r.id for r in await emu.wait_for_response_count(1)] == [resp.id]
