"""Split a long Markdown answer into platform-sized messages without breaking code blocks."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")


def open_fence(text: str) -> str | None:
    """The opening line of the code block still open at the end of ``text``, if any."""
    opening: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if not match:
            continue
        if opening is None:
            opening = line.strip()
        elif match.group(3).strip() == "":
            opening = None
    return opening


def close_open_fence(text: str) -> str:
    """``text`` with its open code block closed, so a half-streamed answer renders well."""
    opening = open_fence(text)
    if opening is None:
        return text
    fence = re.match(r"(`+|~+)", opening)
    closer = fence.group(1) if fence else "```"
    return text + ("" if text.endswith("\n") else "\n") + closer


def _break_at(text: str, limit: int) -> int:
    """Where to cut ``text`` (≤ limit): a paragraph, a line, a space, else hard."""
    window = text[:limit]
    for sep in ("\n\n", "\n", " "):
        cut = window.rfind(sep)
        if cut > limit // 2:
            return cut + len(sep)
    return limit


def split_message(text: str, max_length: int | None) -> list[str]:
    """Pages of at most ``max_length`` characters; a code block cut between pages is closed
    at the end of one and reopened (same language) at the start of the next."""
    if not text:
        return [""]
    if max_length is None or len(text) <= max_length:
        return [text]
    pages: list[str] = []
    rest = text
    reopen = ""
    while rest:
        body = reopen + rest
        if len(body) <= max_length:
            pages.append(body)
            break
        # Room for a closing fence ("\n```") if the page ends inside a code block.
        budget = max_length - 8
        cut = _break_at(body, budget)
        if cut <= len(reopen):
            cut = budget
        page = body[:cut]
        opening = open_fence(page)
        if opening is not None:
            page = close_open_fence(page.rstrip("\n"))
            reopen = opening + "\n"
        else:
            reopen = ""
        pages.append(page.rstrip("\n") if opening is None else page)
        rest = body[cut:]
    return pages
