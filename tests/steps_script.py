"""The scripted answer the step tests share: a code step, then a web search with sources, then
text citing a page; gates let a test see each step in progress."""

from __future__ import annotations

import asyncio

from tests.openai_emulator import Turn
from tests.openai_emulator_hosted import WebSearch, url_citation

WITH_WEB_SEARCH = "code_interpreter,file_search,functions,web_search"
WITH_SUMMARIES = {"assistant_tools": WITH_WEB_SEARCH, "assistant_reasoning_summary": "auto"}
"""A bot that searches the web and asks its (reasoning) model for summaries."""
"""The bot's tools with web search on, as a deployer sets ASSISTANT_TOOLS: the real API (and so
the emulator) never searches the web unless the request carries the ``web_search`` tool."""

PY = "https://www.python.org/downloads/"
PEP = "https://peps.python.org/pep-0745/"
ANSWER = "2 + 2 is 4, and Python 3.14 came out in October 2025 (see the release notes)."
CITED = url_citation(ANSWER, "the release notes", PEP, "PEP 745 – Python 3.14 Release Schedule")

# Events of the scripted response before which the model waits: 0 created, 1 in_progress,
# the code call 2–9 (added, in_progress, two code deltas, code done, interpreting,
# completed, done), the web search 10–14 (added, in_progress, searching, completed, done).
CODE_RUNNING = 4
SEARCHING = 13
ANSWERING = 15


def code_and_web(
    code_running: asyncio.Event, searching: asyncio.Event, answering: asyncio.Event | None = None
) -> Turn:
    turn = (
        Turn()
        .code("print(2 + 2)", logs="4\n")
        .item(WebSearch("python 3.14 release date", [PY, PEP]))
        .text(ANSWER, annotations=[CITED])
        .gate(code_running, after_events=CODE_RUNNING)
        .gate(searching, after_events=SEARCHING)
    )
    return turn if answering is None else turn.gate(answering, after_events=ANSWERING)
