"""Web search and image generation in the OpenAI emulator, shaped from the API reference
(``openai/types/responses``: ResponseFunctionWebSearch, ImageGenerationCall, the
``response.web_search_call.*`` and ``response.image_generation_call.*`` events, url_citation).

    emu.script(
        HostedTurn()
        .web_search("rust 2024 edition", ["https://blog.rust-lang.org/2025/02/20/"])
        .text(answer, annotations=[url_citation(answer, "Rust blog", url, "Rust 2024")])
        .image(png_bytes)
    )

A step knows which tool a request must carry for the model to call it: like the real API,
which never produces a ``web_search_call`` unless ``web_search`` is among the tools, the
emulator answers 400 (``hosted_refusal``) when a scripted step's tool is missing.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.openai_emulator_events import JSON, Turn, new_id

if TYPE_CHECKING:
    from tests.openai_emulator_events import _Builder

SOURCES_INCLUDE = "web_search_call.action.sources"
WEB_SEARCH_TYPES = ("web_search", "web_search_2025_08_26", "web_search_preview")


@dataclass
class WebSearch:
    """One ``web_search_call`` with a search action; its sources appear in the item only when
    the request includes ``web_search_call.action.sources``. A ``failed`` search ends with
    status ``failed``: no ``…web_search_call.completed`` event, no sources."""

    query: str
    sources: list[str] = field(default_factory=list)
    failed: bool = False
    tool_types: tuple[str, ...] = WEB_SEARCH_TYPES

    def play(self, builder: _Builder, index: int) -> None:
        item_id = new_id("ws_", 24)
        item: JSON = {
            "id": item_id,
            "type": "web_search_call",
            "status": "in_progress",
            "action": {"type": "search", "query": self.query},
        }
        builder.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        builder.emit("response.web_search_call.in_progress", **ids)
        builder.emit("response.web_search_call.searching", **ids)
        action: JSON = {"type": "search", "query": self.query, "queries": [self.query]}
        if self.failed:
            builder.done(index, {**item, "status": "failed", "action": action})
            return
        builder.emit("response.web_search_call.completed", **ids)
        if SOURCES_INCLUDE in builder.include:
            action["sources"] = [{"type": "url", "url": url} for url in self.sources]
        builder.done(index, {**item, "status": "completed", "action": action})


@dataclass
class ImageGeneration:
    """One ``image_generation_call``: ``result`` is the base64 the final item carries (a test
    may script a broken one); partial images are sent only as many as the request's tool asks
    for (``partial_images``), as the API does."""

    result: str | None
    partials: list[bytes] = field(default_factory=list)
    failed: bool = False
    tool_types: tuple[str, ...] = ("image_generation",)

    def play(self, builder: Any, index: int) -> None:
        item_id = new_id("ig_", 24)
        item: JSON = {
            "id": item_id,
            "type": "image_generation_call",
            "status": "in_progress",
            "result": None,
        }
        builder.added(index, item)
        ids = {"output_index": index, "item_id": item_id}
        builder.emit("response.image_generation_call.in_progress", **ids)
        builder.emit("response.image_generation_call.generating", **ids)
        wanted = max(
            (
                int(t.get("partial_images") or 0)
                for t in builder.base.get("tools") or []
                if t.get("type") == "image_generation"
            ),
            default=0,
        )
        for n, partial in enumerate(self.partials[:wanted]):
            builder.emit(
                "response.image_generation_call.partial_image",
                **ids,
                partial_image_index=n,
                partial_image_b64=base64.b64encode(partial).decode("ascii"),
                output_format="png",
                size="1024x1024",
                quality="medium",
                background="opaque",
            )
        if self.failed:
            builder.done(index, {**item, "status": "failed"})
            return
        builder.emit("response.image_generation_call.completed", **ids)
        final: JSON = {
            **item,
            "status": "completed",
            "result": self.result,
            "output_format": "png",
            "size": "1024x1024",
            "quality": "medium",
            "background": "opaque",
            "revised_prompt": "A picture, as asked",
        }
        builder.done(index, copy.deepcopy(final))


class HostedTurn(Turn):
    """A ``Turn`` that can also search the web and generate images."""

    def web_search(self, query: str, sources: list[str]) -> HostedTurn:
        self.steps.append(WebSearch(query, list(sources)))  # type: ignore[arg-type]
        return self

    def image(
        self,
        png: bytes | None = None,
        *,
        result: str | None = None,
        partials: tuple[bytes, ...] = (),
    ) -> HostedTurn:
        """An image: ``png`` is sent base64-encoded, ``result`` verbatim (to script a bad one)."""
        encoded = base64.b64encode(png).decode("ascii") if png is not None else result
        self.steps.append(ImageGeneration(encoded, list(partials)))  # type: ignore[arg-type]
        return self

    def failed_image(self) -> HostedTurn:
        self.steps.append(ImageGeneration(None, failed=True))  # type: ignore[arg-type]
        return self


def url_citation(text: str, phrase: str, url: str, title: str) -> JSON:
    """A url_citation annotation over the first ``phrase`` in ``text`` (code point indices)."""
    start = text.index(phrase)
    return {
        "type": "url_citation",
        "start_index": start,
        "end_index": start + len(phrase),
        "url": url,
        "title": title,
    }


def hosted_refusal(turn: Turn, body: JSON) -> str | None:
    """Why the real API could never answer this request so: a step calls a tool it lacks."""
    given = {t.get("type") for t in body.get("tools") or []}
    for step in turn.steps:
        needed = getattr(step, "tool_types", None)
        if needed and not given.intersection(needed):
            return (
                f"The scripted turn calls {needed[0]}, but the request's tools do not include it"
                f" (tools: {sorted(str(g) for g in given)})."
            )
    return None
