"""An answer's steps: each tool call the model makes (code, file search, a function, web
search, an MCP tool, image generation) and its reasoning summaries, with a status and, where
it has them, sources. Platform-neutral: Slack shows them as task cards or a context block,
Discord as one subtext line above the answer (``steps_line``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit

from bot.i18n import t

StepKind = Literal[
    "code_interpreter",
    "file_search",
    "function",
    "web_search",
    "mcp",
    "image_generation",
    "reasoning",
    "other",
]
StepStatus = Literal["in_progress", "complete", "error"]

TITLE_LIMIT = 80
DETAILS_LIMIT = 256
"""Slack's task cards take up to 256 characters of details or output."""
SOURCES_SHOWN = 3
"""Sources listed per step on a one-line display; the rest are counted."""
LINE_LIMIT = 400
"""A steps line stays this short, so it never crowds the answer out of its page."""

NAMED: frozenset[StepKind] = frozenset({"file_search", "function", "web_search", "mcp"})
"""Kinds whose title names what they do (a query, a tool)."""
_HEADING = re.compile(r"^\s*\*\*(.+?)\*\*")
_UNSAFE_IN_LINK = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}
_MARKDOWN_SPECIAL = re.compile(r"([\\*_~`|\[\]()<>])")


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    title: str
    status: StepStatus = "in_progress"
    sources: tuple[Source, ...] = ()
    details: str = ""
    """What the step is about (a query, a tool's name) or, for reasoning, its summary."""
    output: str = ""
    """What it gave, in short (the code's printed output, an MCP tool's answer)."""


Steps = tuple[Step, ...]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reasoning_heading(summary: str) -> str:
    """A reasoning summary's bold opening words (``**Planning the chart**``), if any."""
    match = _HEADING.match(summary)
    return _clip(match.group(1), TITLE_LIMIT) if match else ""


class StepTracker:
    """The steps of one answer, fed by run events; ``on_change`` is told after each change."""

    def __init__(self, on_change: Callable[[], None], lang: str = "en") -> None:
        self._on_change = on_change
        self.lang = lang
        self._steps: dict[str, Step] = {}
        self._summaries: dict[str, str] = {}

    @property
    def steps(self) -> Steps:
        return tuple(self._steps.values())

    def _put(self, step: Step) -> None:
        if self._steps.get(step.id) != step:
            self._steps[step.id] = step
            self._on_change()

    def _title(self, kind: StepKind, label: str) -> str:
        if label and kind in NAMED:
            return _clip(t(self.lang, f"step.{kind}.named", name=label), TITLE_LIMIT)
        return t(self.lang, f"step.{kind}")

    def started(self, step_id: str, kind: StepKind, label: str = "") -> None:
        if step_id in self._steps:
            return
        self._put(
            Step(step_id, kind, self._title(kind, label), details=_clip(label, DETAILS_LIMIT))
        )

    def finished(
        self,
        step_id: str,
        *,
        failed: bool = False,
        label: str = "",
        sources: Sequence[Source] = (),
        kind: StepKind = "other",
        output: str = "",
    ) -> None:
        step = self._steps.get(step_id)
        if step is None:
            step = Step(step_id, kind, self._title(kind, label))
        if label and not step.details:
            step = replace(
                step, title=self._title(step.kind, label), details=_clip(label, DETAILS_LIMIT)
            )
        merged = _merge(step.sources, sources)
        output = _clip(output, DETAILS_LIMIT) if output else step.output
        status: StepStatus = "error" if failed else "complete"
        self._put(replace(step, status=status, sources=merged, output=output))

    def printed(self, step_id: str, output: str) -> None:
        """What a step printed (a code call's logs), before it ends."""
        step = self._steps.get(step_id)
        if step is not None and output.strip():
            self._put(replace(step, output=_clip(output, DETAILS_LIMIT)))

    def cited(self, source: Source) -> None:
        """A web citation in the answer: a source of the latest web search, if any."""
        web = [s for s in self._steps.values() if s.kind == "web_search"]
        if web:
            self._put(replace(web[-1], sources=_merge(web[-1].sources, (source,))))

    def reasoning(self, item_id: str, delta: str = "", *, done: bool = False) -> None:
        """A reasoning summary as it grows. A reasoning item without one (none was asked
        for: ``ASSISTANT_REASONING_SUMMARY``) is no step: there is nothing to show."""
        summary = self._summaries.get(item_id, "") + delta
        self._summaries[item_id] = summary
        if not summary.strip():
            return
        match = _HEADING.match(summary)
        title = reasoning_heading(summary) or t(self.lang, "step.reasoning")
        details = _clip(summary[match.end() :] if match else summary, DETAILS_LIMIT)
        status: StepStatus = "complete" if done else "in_progress"
        self._put(Step(item_id, "reasoning", title, status, details=details))

    def end(self, *, failed: bool) -> None:
        """The answer is over: steps still open are complete (or failed with it)."""
        for step in list(self._steps.values()):
            if step.status == "in_progress":
                self._put(replace(step, status="error" if failed else "complete"))


def _merge(have: tuple[Source, ...], more: Sequence[Source]) -> tuple[Source, ...]:
    """``have`` and the new ones of ``more``; a title learnt later (a citation names a page
    the search listed by its URL alone) is kept."""
    merged = {s.url: s for s in have}
    for source in more:
        if urlsplit(source.url).scheme not in ("http", "https"):
            continue  # only a web page is linked
        known = merged.get(source.url)
        if known is None or (not known.title and source.title):
            merged[source.url] = source
    return tuple(merged.values())


# One-line display (Discord's subtext line, any plain-text platform).

ICONS: dict[StepStatus, str] = {"in_progress": "⏳", "complete": "✅", "error": "⚠️"}


def source_name(source: Source) -> str:
    """What a source is called: its title, else its site."""
    return source.title or urlsplit(source.url).netloc or source.url


def safe_url(url: str) -> str | None:
    """An http(s) URL that cannot end a Markdown link early (spaces, brackets and angle
    brackets percent-encoded); None for any other kind of link (``javascript:``…)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    cleaned = url.strip()
    for char, escaped in _UNSAFE_IN_LINK.items():
        cleaned = cleaned.replace(char, escaped)
    return cleaned


def markdown_escape(text: str) -> str:
    """Text from outside (a query, a page title, a tool's name) shown as it is in Discord's
    Markdown: no emphasis, code, masked link or quote of its own."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _markdown_link(source: Source) -> str:
    text = markdown_escape(_clip(source_name(source), 40))
    url = safe_url(source.url)
    return f"[{text}](<{url}>)" if url is not None else text


@dataclass(frozen=True)
class LineSyntax:
    """How a platform writes a steps line: its escaping of titles, its links and the line's
    length limit."""

    escape: Callable[[str], str] = markdown_escape
    link: Callable[[Source], str] = _markdown_link
    limit: int = LINE_LIMIT


MARKDOWN = LineSyntax()
"""Discord's Markdown: ``[title](<url>)`` (the angle brackets keep a link from unfurling)."""


def steps_line(steps: Sequence[Step], lang: str, syntax: LineSyntax = MARKDOWN) -> str:
    """The steps while the answer is written: ``⏳ Running code · ✅ Web search: [a](<…>)``.
    A reasoning step shows only while it goes on, by its heading; a line too long loses its
    links (what makes it long)."""
    parts: list[str] = []
    for step in steps:
        if step.kind == "reasoning":
            if step.status == "in_progress":
                parts.append(f"💭 {syntax.escape(step.title)}")
            continue
        part = f"{ICONS[step.status]} {syntax.escape(step.title)}"
        if step.sources:
            links = [syntax.link(source) for source in step.sources[:SOURCES_SHOWN]]
            more = len(step.sources) - len(links)
            part += ": " + ", ".join(links)
            if more > 0:
                part += " " + t(lang, "steps.more_sources", n=more)
        parts.append(part)
    line = " · ".join(parts)
    if len(line) > syntax.limit:
        line = " · ".join(
            f"{ICONS[s.status]} {syntax.escape(s.title)}" for s in steps if s.kind != "reasoning"
        )
    return _clip(line, syntax.limit)


def steps_summary(steps: Sequence[Step], lang: str) -> str:
    """The steps collapsed once the answer is complete: ``✅ 2 steps: code, web search``."""
    done = [s for s in steps if s.kind != "reasoning"]
    if not done:
        return ""
    failed = sum(1 for s in done if s.status == "error")
    kinds = list(dict.fromkeys(t(lang, f"steps.kind.{s.kind}") for s in done))
    sources = sum(len(s.sources) for s in done)
    line = t(lang, "steps.summary", n=len(done), kinds=", ".join(kinds))
    if sources:
        line += " · " + t(lang, "steps.sources", n=sources)
    if failed:
        return f"⚠️ {line} · " + t(lang, "steps.failed", n=failed)
    return f"✅ {line}"
