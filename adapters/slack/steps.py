"""An answer's steps in Slack's shapes: ``task_update`` chunks for a native stream (task cards
in a timeline, each with its status and sources), and a compact ``context`` block above the
answer where the message is posted and updated instead."""

from __future__ import annotations

from typing import Any

from adapters.slack.mentions import neutralise
from bot.steps import LineSyntax, Source, Step, Steps, source_name, steps_line

TASK_DISPLAY_MODE = "timeline"
"""Task cards interleaved with the streamed text, where each step happened."""
TASK_SOURCES = 10


def task_chunk(step: Step) -> dict[str, Any]:
    """A ``task_update`` chunk (slack_sdk's ``TaskUpdateChunk``): Slack shows a card per id and
    updates it when the same id comes again."""
    chunk: dict[str, Any] = {
        "type": "task_update",
        "id": step.id,
        "title": neutralise(step.title),  # titles, queries and page titles come from outside
        "status": step.status,
    }
    if step.details:
        chunk["details"] = neutralise(step.details)
    if step.output:
        chunk["output"] = neutralise(step.output)
    if step.sources:
        chunk["sources"] = [
            {"type": "url", "url": s.url, "text": neutralise(source_name(s)[:150])}
            for s in step.sources[:TASK_SOURCES]
        ]
    return chunk


def markdown_chunk(text: str) -> dict[str, Any]:
    return {"type": "markdown_text", "text": text}


def _mrkdwn_escape(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return neutralise(escaped)  # plain @channel too


def _mrkdwn_link(source: Source) -> str:
    label = _mrkdwn_escape(source_name(source)).replace("|", "¦")[:60]
    url = source.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{url}|{label}>"


_MRKDWN = LineSyntax(escape=_mrkdwn_escape, link=_mrkdwn_link, limit=3000)
"""A context block's mrkdwn text element takes up to 3,000 characters."""


def context_line(steps: Steps, lang: str = "en") -> str:
    """The steps as one mrkdwn line; a reasoning step only while it goes on."""
    return steps_line(steps, lang, _MRKDWN)


def blocks_with_steps(steps: Steps, text: str, lang: str = "en") -> list[dict[str, Any]] | None:
    """A context block with the steps above a markdown block with the answer; None when
    there is nothing to show beside the text."""
    line = context_line(steps, lang)
    if not line:
        return None
    return [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]},
        {"type": "markdown", "text": text},
    ]
