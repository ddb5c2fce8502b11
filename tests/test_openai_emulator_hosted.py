"""The emulator's web search and image generation, read by the real AsyncOpenAI client with
strict response validation (so every event and item has the API reference's shape)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
import pytest_asyncio
from openai import AsyncOpenAI
from openai.types.responses import ResponseFunctionWebSearch, ResponseOutputMessage
from openai.types.responses.response_function_web_search import ActionSearch
from openai.types.responses.response_output_item import ImageGenerationCall
from openai.types.responses.response_output_text import AnnotationURLCitation

from tests.openai_emulator import OpenAIEmulator
from tests.openai_emulator_hosted import HostedTurn, url_citation

MODEL = "gpt-4.1"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake image"
URL = "https://www.rust-lang.org/2024/?utm_source=openai"
ANSWER = "The 2024 edition shipped with Rust 1.85 (Rust blog)."
TOOLS: list[Any] = [{"type": "web_search"}, {"type": "image_generation", "partial_images": 1}]


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[OpenAIEmulator]:
    async with OpenAIEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def client(emu: OpenAIEmulator) -> AsyncIterator[AsyncOpenAI]:
    c = AsyncOpenAI(base_url=emu.base_url, api_key="sk-test", _strict_response_validation=True)
    yield c
    await c.close()


def scripted() -> HostedTurn:
    return (
        HostedTurn()
        .web_search("rust 2024 edition", [URL, "https://blog.rust-lang.org/"])
        .text(ANSWER, annotations=[url_citation(ANSWER, "Rust blog", URL, "Rust 2024")])
        .image(PNG, partials=(b"\x89PNG partial", b"\x89PNG second partial"))
    )


async def test_web_search_citation_and_image_events_parse_as_the_sdk_types(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    emu.script(scripted())
    stream = await client.responses.create(
        model=MODEL,
        input="What's new in Rust 2024? And draw a crab.",
        tools=TOOLS,
        include=["web_search_call.action.sources"],
        stream=True,
    )
    events = [event async for event in stream]
    kinds = [e.type for e in events]
    searching = [k for k in kinds if k.startswith("response.web_search_call.")]
    assert searching == [
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
    ]
    drawing = [k for k in kinds if k.startswith("response.image_generation_call.")]
    assert drawing == [
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.partial_image",  # one: the tool asked for one
        "response.image_generation_call.completed",
    ]
    [annotation] = [e for e in events if e.type == "response.output_text.annotation.added"]
    assert annotation.annotation is not None
    assert annotation.annotation.model_dump() == {
        "type": "url_citation",
        "start_index": ANSWER.index("Rust blog"),
        "end_index": ANSWER.index("Rust blog") + len("Rust blog"),
        "url": URL,
        "title": "Rust 2024",
    }
    final = events[-1]
    assert final.type == "response.completed"
    search, message, image = final.response.output
    assert isinstance(search, ResponseFunctionWebSearch) and search.status == "completed"
    assert isinstance(search.action, ActionSearch) and search.action.query == "rust 2024 edition"
    assert [s.url for s in search.action.sources or []] == [URL, "https://blog.rust-lang.org/"]
    assert isinstance(message, ResponseOutputMessage)
    [cited] = message.content[0].annotations  # type: ignore[union-attr]
    assert isinstance(cited, AnnotationURLCitation) and cited.url == URL
    assert isinstance(image, ImageGenerationCall) and image.result is not None
    assert base64.b64decode(image.result) == PNG


async def test_sources_only_with_the_include_and_a_call_only_with_the_tool(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    emu.script(HostedTurn().web_search("q", [URL]).text("ok"))
    response = await client.responses.create(model=MODEL, input="q", tools=TOOLS)
    search = response.output[0]
    assert isinstance(search, ResponseFunctionWebSearch)
    assert isinstance(search.action, ActionSearch) and search.action.sources is None

    emu.script(HostedTurn().image(PNG))
    with pytest.raises(openai.BadRequestError, match="calls image_generation"):
        await client.responses.create(model=MODEL, input="draw", tools=[{"type": "web_search"}])
    emu.script(HostedTurn().web_search("q", [URL]))
    with pytest.raises(openai.BadRequestError, match="calls web_search"):
        await client.responses.create(model=MODEL, input="q")


async def test_a_polled_response_shows_the_items_as_they_come(
    client: AsyncOpenAI, emu: OpenAIEmulator
) -> None:
    emu.script(scripted())
    started = await client.responses.create(
        model=MODEL, input="q", tools=TOOLS, background=True, include=[]
    )
    await emu.wait_done(started.id)
    polled = await client.responses.retrieve(started.id)
    assert [item.type for item in polled.output] == [
        "web_search_call",
        "message",
        "image_generation_call",
    ]
