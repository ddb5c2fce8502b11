"""The pure pieces of an answer's steps: the tracker fed by run events, the feeders that turn
Responses API events and snapshots into those events, and each platform's one-line forms."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.steps import blocks_with_steps, context_line, task_chunk
from bot.feed import SnapshotFeeder, StreamFeeder, call_ended
from bot.render import AnswerRenderer
from bot.steps import Source, Step, StepTracker, steps_line, steps_summary

WEB = Source("Python.org", "https://www.python.org/downloads/")


def tracker() -> tuple[StepTracker, list[int]]:
    changes: list[int] = []
    tracked = StepTracker(lambda: changes.append(1))
    return tracked, changes


def test_a_tool_call_goes_from_in_progress_to_complete_with_its_sources() -> None:
    steps, changes = tracker()
    steps.started("ci_1", "code_interpreter")
    steps.started("ws_1", "web_search")
    steps.finished("ci_1")
    steps.finished("ws_1", label="python release", sources=[Source("", WEB.url)])
    steps.cited(WEB)  # a url_citation of the same page names it
    steps.cited(Source("PEP 745", "https://peps.python.org/pep-0745/"))
    code, web = steps.steps
    assert (code.kind, code.status, code.title) == (
        "code_interpreter",
        "complete",
        "Run Python code",
    )
    assert (web.status, web.title) == ("complete", "Search the web: python release")
    assert [s.url for s in web.sources] == [WEB.url, "https://peps.python.org/pep-0745/"]
    assert web.sources[0].title == "Python.org"
    assert len(changes) == 6


def test_a_failed_call_is_an_error_and_the_end_closes_what_is_open() -> None:
    steps, _ = tracker()
    steps.started("mcp_1", "mcp", "lookup")
    steps.finished("mcp_1", failed=True)
    steps.started("fc_1", "function", "weather")
    steps.end(failed=False)
    assert [(s.title, s.status) for s in steps.steps] == [
        ("Use lookup", "error"),
        ("Call weather", "complete"),
    ]
    other, _ = tracker()
    other.started("ci_1", "code_interpreter")
    other.end(failed=True)
    assert other.steps[0].status == "error"


def test_a_reasoning_summary_is_a_step_titled_by_its_heading() -> None:
    steps, _ = tracker()
    steps.reasoning("rs_1", "**Planning the")
    steps.reasoning("rs_1", " chart**\n\nI will plot the data.")
    [step] = steps.steps
    assert (step.kind, step.title, step.status) == (
        "reasoning",
        "Planning the chart",
        "in_progress",
    )
    assert step.details == "I will plot the data."
    steps.reasoning("rs_1", done=True)
    assert steps.steps[0].status == "complete"
    untitled, _ = tracker()
    untitled.reasoning("rs_2", "Just thinking.", done=True)
    assert untitled.steps[0].title == "Thinking"


def test_the_line_shows_statuses_and_links_and_collapses_to_a_summary() -> None:
    steps = (
        Step("ci", "code_interpreter", "Run Python code", "complete"),
        Step("ws", "web_search", "Search the web", "in_progress", (WEB,)),
        Step("rs", "reasoning", "Planning", "in_progress"),
    )
    line = steps_line(steps, "en")
    assert line == (
        "✅ Run Python code · ⏳ Search the web: "
        "[Python.org](<https://www.python.org/downloads/>) · 💭 Planning"
    )
    done = (steps[0], Step("ws", "web_search", "Search the web", "error", (WEB,)))
    assert steps_summary(done, "en") == "⚠️ Steps (2): code, web search · sources: 1 · 1 failed"
    assert steps_summary(done[:1], "en") == "✅ Steps (1): code"
    assert steps_summary((steps[2],), "en") == ""


def test_a_line_stays_short_whatever_the_sources() -> None:
    many = tuple(Source(f"Page {n} " * 5, f"https://example.com/{'x' * 80}/{n}") for n in range(9))
    steps = tuple(
        Step(f"ws{n}", "web_search", "Search the web", "complete", many) for n in range(4)
    )
    line = steps_line(steps, "en")
    assert len(line) <= 400 and "\n" not in line
    assert len(context_line(steps)) <= 3000


def test_slack_shapes() -> None:
    step = Step("ws_1", "web_search", "Search the web: a <b>", "complete", (WEB,), "a <b>")
    assert task_chunk(step) == {
        "type": "task_update",
        "id": "ws_1",
        "title": "Search the web: a <b>",
        "status": "complete",
        "details": "a <b>",
        "sources": [{"type": "url", "url": WEB.url, "text": "Python.org"}],
    }
    blocks = blocks_with_steps((step,), "The answer")
    assert blocks is not None
    context, markdown = blocks
    assert context["elements"][0]["text"] == (
        "✅ Search the web: a &lt;b&gt;: <https://www.python.org/downloads/|Python.org>"
    )
    assert markdown == {"type": "markdown", "text": "The answer"}
    only_thought = (Step("rs", "reasoning", "Done thinking", "complete"),)
    assert blocks_with_steps(only_thought, "x") is None


class Steps:
    """A ``RunEventHandler`` that is the renderer, whose steps and text a test reads."""

    def __init__(self) -> None:
        self.renderer = AnswerRenderer(
            on_change=lambda: None, on_status=self._status, on_file=self._file
        )

    async def _status(self, status: str | None) -> None: ...

    async def _file(self, file: Any) -> None: ...


async def _no_files(container: str, file: str) -> bytes:
    raise AssertionError("no file is fetched")


WEB_ITEM = {
    "id": "ws_1",
    "type": "web_search_call",
    "status": "completed",
    "action": {"type": "search", "query": "q", "sources": [{"type": "url", "url": WEB.url}]},
}


async def test_stream_events_become_steps_and_never_text() -> None:
    seen = Steps()
    feed = StreamFeeder(seen.renderer, _no_files)
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "item": {"id": "rs_1", "type": "reasoning"}},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "delta": "**Plan**"},
        {
            "type": "response.output_item.done",
            "item": {"id": "rs_1", "type": "reasoning", "summary": [{"text": "**Plan**"}]},
        },
        {"type": "response.output_item.added", "item": {**WEB_ITEM, "status": "in_progress"}},
        {"type": "response.output_item.done", "item": WEB_ITEM},
        {
            "type": "response.output_item.added",
            "item": {"id": "mcp_1", "type": "mcp_call", "name": "lookup"},
        },
        {
            "type": "response.output_item.done",
            "item": {"id": "mcp_1", "type": "mcp_call", "name": "lookup", "error": {"code": 1}},
        },
        {"type": "response.output_item.added", "item": {"id": "m", "type": "message"}},
        {"type": "response.output_text.delta", "delta": "Answer."},
        {
            "type": "response.output_text.annotation.added",
            "annotation": {"type": "url_citation", "url": WEB.url, "title": WEB.title},
        },
    ]
    for event in events:
        await feed.feed(event)
    steps = seen.renderer.steps.steps
    assert [(s.kind, s.status) for s in steps] == [
        ("reasoning", "complete"),
        ("web_search", "complete"),
        ("mcp", "error"),
    ]
    assert steps[1].sources == (WEB,) and steps[1].title == "Search the web: q"
    assert seen.renderer.text() == "Answer."


async def test_snapshots_become_the_same_steps() -> None:
    seen = Steps()
    feed = SnapshotFeeder(seen.renderer, _no_files)
    running = {"id": "ci_1", "type": "code_interpreter_call", "status": "in_progress", "code": ""}
    await feed.feed({"status": "in_progress", "output": [running]})
    assert seen.renderer.steps.steps[0].status == "in_progress"
    failed = {**running, "status": "failed"}
    await feed.feed({"status": "in_progress", "output": [failed, WEB_ITEM]})
    await feed.feed({"status": "in_progress", "output": [failed, WEB_ITEM]})
    assert [(s.kind, s.status) for s in seen.renderer.steps.steps] == [
        ("code_interpreter", "error"),
        ("web_search", "complete"),
    ]


def test_call_ended_reads_queries_and_failures() -> None:
    search = {"type": "file_search_call", "status": "completed", "queries": ["a", "b"]}
    assert call_ended(search).label == "a; b" and not call_ended(search).failed
    assert call_ended({"type": "web_search_call", "status": "incomplete"}).failed


def test_outside_words_never_notify_and_only_web_pages_are_linked() -> None:
    steps, _ = tracker()
    steps.started("ws_1", "web_search")
    bad = [Source("<!channel> @here", "https://x.example/"), Source("x", "javascript:alert(1)")]
    steps.finished("ws_1", label="@everyone", sources=bad)
    [step] = steps.steps
    assert [s.url for s in step.sources] == ["https://x.example/"]
    chunk = task_chunk(step)
    assert "@everyone" not in chunk["title"] and "<!channel>" not in str(chunk["sources"])
    assert "@here" not in chunk["sources"][0]["text"]
    line = context_line(steps.steps)
    assert "<!channel>" not in line and "@here" not in line and "@everyone" not in line


def test_outside_text_cannot_format_or_link_on_discord() -> None:
    """A query, a page title or a URL from outside shows as written: it cannot open a masked
    link, emphasis or code of its own, nor end our link early."""
    steps, _ = tracker()
    steps.started("ws_1", "web_search")
    evil = Source("x](https://evil.example) **bold** `code`", "https://a.example/p (1)>")
    steps.finished("ws_1", label="[click](https://evil.example)", sources=[evil])
    line = steps_line(steps.steps, "en")
    # Every bracket, star and backtick from outside is escaped; ours open the one link.
    unescaped = re.findall(r"(?<!\\)[\[\]*`]", line)
    assert unescaped == ["[", "]"]
    assert "\\[click\\]\\(https://evil.example\\)" in line
    assert "(<https://a.example/p%20%281%29%3E>)" in line


def test_more_sources_are_counted_in_the_persons_language_on_slack() -> None:
    steps, _ = tracker()
    steps.started("ws_1", "web_search")
    pages = [Source("", f"https://example.com/{n}") for n in range(5)]
    steps.finished("ws_1", label="q", sources=pages)
    assert context_line(steps.steps, "en").endswith("+2 more")
    assert context_line(steps.steps, "ko").endswith("외 2개")
    [context, _markdown] = blocks_with_steps(steps.steps, "answer", "ko") or []
    assert context["elements"][0]["text"].endswith("외 2개")
