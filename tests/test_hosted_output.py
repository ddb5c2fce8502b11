"""The pure pieces of web search and image generation: sources as links, images decoded."""

from __future__ import annotations

import base64

from bot.hosted_output import MAX_SOURCES, WebSources, decode_image
from bot.steps import Source

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR rest"
MARKDOWN = "[{title}]({url})"


def page(url: str, title: str = "") -> Source:
    return Source(title, url)


def test_cited_pages_win_over_pages_only_searched_and_repeat_once() -> None:
    pages = WebSources()
    pages.add(page("https://searched.example/"), cited=False)
    assert pages.links(MARKDOWN) == "[searched.example](https://searched.example/)"
    pages.add(page("https://a.example/x?utm_source=openai", "A"), cited=True)
    pages.add(page("https://A.example/x/", "A again"), cited=True)
    pages.add(page("https://b.example/y", ""), cited=True)
    pages.add(page("https://b.example/y#part", "B"), cited=True)  # a title fills in
    assert pages.links(MARKDOWN) == (
        "[A](https://a.example/x?utm_source=openai) · [B](https://b.example/y)"
    )


def test_only_web_links_and_titles_that_cannot_break_the_markdown() -> None:
    pages = WebSources()
    for url in ("javascript:alert(1)", "file:///etc/passwd", "https://", "mailto:a@b.c"):
        pages.add(page(url, "bad"), cited=True)
    assert pages.links(MARKDOWN) == ""
    pages.add(page("https://x.example/a b)c<d>", "[click] *me* `now`\nplease"), cited=True)
    assert pages.links("[{title}](<{url}>)") == (
        "[click me 'now' please](<https://x.example/a%20b%29c%3Cd%3E>)"
    )
    long = page("https://y.example/", "t" * 200)
    other = WebSources()
    other.add(long, cited=True)
    assert other.links(MARKDOWN) == f"[{'t' * 79}…](https://y.example/)"


def test_at_most_a_few_sources_are_listed() -> None:
    pages = WebSources()
    for n in range(MAX_SOURCES + 5):
        pages.add(page(f"https://site{n}.example/"), cited=False)
    assert len(pages.shown()) == MAX_SOURCES


def test_image_results_are_decoded_strictly() -> None:
    encoded = base64.b64encode(PNG).decode()
    image = decode_image(encoded)
    assert image is not None and (image.data, image.extension) == (PNG, "png")
    wrapped = "\n".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
    assert decode_image(wrapped) == image
    assert decode_image(encoded[:-4] + "!!!!") is None
    assert decode_image(encoded[:-1]) is None  # bad padding
    assert decode_image(base64.b64encode(b"<svg>not a picture</svg>").decode()) is None
    assert decode_image("데이터") is None
    assert decode_image(None) is None and decode_image("") is None
    webp = b"RIFF\x10\x00\x00\x00WEBPVP8 "
    assert decode_image(base64.b64encode(webp).decode()) is not None
