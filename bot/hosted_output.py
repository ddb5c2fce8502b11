"""The Responses API's web search and image generation: the tools as a request names them, and
what they give an answer: the web pages it cites, as links in the platform's syntax, and
generated images, decoded and checked. Chat Completions servers have neither."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.steps import Source, safe_url

SEARCH_AND_IMAGES: dict[str, dict[str, Any]] = {
    "web_search": {"type": "web_search"},
    "image_generation": {"type": "image_generation"},
}
"""Profile tool name → the tool in a Responses request."""
SOURCES_INCLUDE = "web_search_call.action.sources"
"""Without it a web_search_call's ``action.sources`` is left out."""

MAX_SOURCES = 8
"""Links listed under an answer at most (a search can use dozens of pages)."""
MAX_TITLE = 80

_IMAGE_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True)
class Image:
    data: bytes
    extension: str


def decode_image(result: str | None) -> Image | None:
    """The image in an ``image_generation_call``'s ``result``, or None when it is missing, not
    base64, or not a picture (PNG, JPEG, GIF, WebP)."""
    if not result:
        return None
    raw = "".join(result.split()).encode("ascii", "replace")
    if not _BASE64.fullmatch(raw):
        return None
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    for magic, extension in _IMAGE_KINDS:
        if data.startswith(magic):
            return Image(data, extension)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Image(data, "webp")
    return None


def _key(url: str) -> str:
    """Two links to one page (the API adds ``utm_source=openai`` to cited links) are one."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return urlunsplit(
        (parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), urlencode(query), "")
    )


def _title(source: Source) -> str:
    title = " ".join(source.title.split()) or urlsplit(source.url).netloc.removeprefix("www.")
    for char in "[]":
        title = title.replace(char, "")
    title = title.replace("`", "'").replace("*", "").replace("_", " ").strip()
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


class WebSources:
    """The pages of one answer: those its text cites, else those its searches used."""

    def __init__(self) -> None:
        self._cited: dict[str, Source] = {}
        self._found: dict[str, Source] = {}

    def add(self, source: Source, *, cited: bool) -> None:
        if safe_url(source.url) is None:
            return
        pages = self._cited if cited else self._found
        key = _key(source.url)
        known = pages.get(key)
        if known is None:
            pages[key] = source
        elif not known.title and source.title:
            pages[key] = Source(source.title, known.url)

    def shown(self) -> list[Source]:
        return list((self._cited or self._found).values())[:MAX_SOURCES]

    def links(self, link_format: str) -> str:
        """``link_format`` with ``{title}`` and ``{url}`` for each page, joined by `` · ``."""
        links = []
        for source in self.shown():
            url = safe_url(source.url)
            if url is not None:
                links.append(link_format.format(title=_title(source), url=url))
        return " · ".join(links)
