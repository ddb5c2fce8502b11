"""Suggested prompts: what admins write, and the defaults that follow the assistant's tools."""

from __future__ import annotations

from bot.welcome import Prompt, default_prompts, parse_prompts


def test_prompts_are_written_one_a_line() -> None:
    assert parse_prompts("Plan | Plan my week\n\n  Release notes  \n") == (
        Prompt("Plan", "Plan my week"),
        Prompt("Release notes", "Release notes"),
    )
    assert parse_prompts("") == ()
    assert parse_prompts("\n".join(f"p{n}" for n in range(5))) is None  # Slack shows four
    assert parse_prompts("| no title") is None
    assert parse_prompts("t" * 76 + " | m") is None


def test_default_prompts_follow_the_tools_and_the_language() -> None:
    titles = [p.title for p in default_prompts("en", ("functions",))]
    assert titles == ["Explain something", "Solve a problem"]
    with_tools = default_prompts("ko", ("code_interpreter", "file_search"))
    assert [p.title for p in with_tools] == ["설명해 주세요", "파일 분석", "문서 검색", "문제 풀기"]
