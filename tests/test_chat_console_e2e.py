"""End to end on the console with ``MODEL_API=chat_completions``: the engine, the SQLite store
and the real ``openai.AsyncOpenAI`` client against the emulator's Chat Completions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

CHAT = {"model_api": "chat_completions"}


def roles(request: dict[str, Any]) -> list[str]:
    return [m["role"] for m in request["messages"]]


async def test_second_question_carries_the_first_and_survives_a_restart(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    first: ConsoleBot = await make_bot(**CHAT)
    emulator.script(Turn().text("x = 1.", deltas=3).usage(40, 6), Turn().text("Check: 3+11=14."))
    await first.say("Solve 3x + 11 = 14")
    await first.answers()
    await first.say("Check it")
    out = await first.answers()
    assert out == "x = 1.\nCheck: 3+11=14.\n"
    one, two = emulator.chat_requests()
    assert one["stream"] is True and one["stream_options"] == {"include_usage": True}
    assert one["model"] == "gpt-test-mini"
    assert one["messages"] == [
        {"role": "system", "content": "You are a math tutor."},
        {"role": "user", "content": "Solve 3x + 11 = 14"},
    ]
    assert two["messages"][1:] == [
        {"role": "user", "content": "Solve 3x + 11 = 14"},
        {"role": "assistant", "content": "x = 1."},
        {"role": "user", "content": "Check it"},
    ]
    assert "tools" in one and {t["function"]["name"] for t in one["tools"]} == {
        "calculate",
        "conversation_info",
        "current_datetime",
    }
    assert not emulator.response_requests() and not emulator.conversations
    jobs = await first.store.jobs()
    run = await first.store.latest_run(jobs[0].id)
    assert run and run.status == "completed" and (run.input_tokens, run.output_tokens) == (40, 6)
    await first.stop()

    second: ConsoleBot = await make_bot(**CHAT)
    emulator.script(Turn().text("Yes, still x = 1."))
    await second.say("Are you sure?")
    assert await second.answers() == "Yes, still x = 1.\n"
    three = emulator.chat_requests()[2]
    assert [m.get("content") for m in three["messages"][1:]] == [
        "Solve 3x + 11 = 14",
        "x = 1.",
        "Check it",
        "Check: 3+11=14.",
        "Are you sure?",
    ]
    assert "new conversation" in await second.command("reset")
    await second.say("New topic")
    await second.answers()
    assert emulator.chat_requests()[3]["messages"] == [
        {"role": "system", "content": "You are a math tutor."},
        {"role": "user", "content": "New topic"},
    ]


async def test_long_history_is_trimmed_oldest_first_keeping_the_instructions(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(chat_history_tokens=300, **CHAT)
    for n in range(4):
        emulator.script(Turn().text(f"answer {n} " + "y" * 300))
        await bot.say(f"question {n} " + "x" * 300)
        await bot.answers()
    last = emulator.chat_requests()[-1]["messages"]
    assert last[0] == {"role": "system", "content": "You are a math tutor."}
    assert last[-1]["content"].startswith("question 3")
    kept = [m["content"].split(" ")[0] + m["content"].split(" ")[1] for m in last[1:]]
    assert kept == ["question2", "answer2", "question3"]
    # Every exchange is still in the Store; only the request was trimmed.
    [thread_messages] = {len(await bot.store.chat_messages(r)) for r in await _conversations(bot)}
    assert thread_messages == 8


async def _conversations(bot: ConsoleBot) -> list[str]:
    thread = await bot.store.get_thread("console", "local", "local", "|chat")
    assert thread is not None
    return [thread.conversation_id]


async def test_function_call_with_streamed_arguments_round_trips(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(**CHAT)
    emulator.script(
        Turn().function_call("calculate", {"expression": "6*7"}, call_id="call_q1"),
        Turn().text("6 × 7 = 42."),
        Turn().text("You asked about 6 × 7."),
    )
    await bot.say("What is 6*7?")
    out = await bot.answers()
    assert out.endswith("6 × 7 = 42.\n")
    second = emulator.chat_requests()[1]
    assert roles(second) == ["system", "user", "assistant", "tool"]
    call = second["messages"][2]
    assert call["tool_calls"] == [
        {
            "id": "call_q1",
            "type": "function",
            "function": {"name": "calculate", "arguments": '{"expression": "6*7"}'},
        }
    ]
    assert second["messages"][3]["tool_call_id"] == "call_q1"
    assert "42" in second["messages"][3]["content"]
    await bot.say("What did I ask?")
    await bot.answers()
    third = emulator.chat_requests()[2]
    assert roles(third) == ["system", "user", "assistant", "tool", "assistant", "user"]


async def test_too_many_function_rounds_stop_at_the_cap(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(max_tool_rounds=1, **CHAT)
    emulator.script(
        Turn().function_call("calculate", {"expression": "1+1"}),
        Turn().function_call("calculate", {"expression": "2+2"}),
        Turn().text("Enough: 2 and 4."),
    )
    await bot.say("add things")
    assert (await bot.answers()).endswith("Enough: 2 and 4.\n")
    requests = emulator.chat_requests()
    assert len(requests) == 3
    assert "too many function calls" in requests[2]["messages"][-1]["content"]
    assert "tools" not in requests[2]


async def test_hosted_tools_are_refused_and_files_named_as_unused(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    bot: ConsoleBot = await make_bot(**CHAT)
    reply = await bot.command("config tools on code_interpreter")
    assert reply.startswith("code_interpreter cannot be turned on here")
    assert "Chat Completions" in reply
    show = await bot.command("config show")
    assert "• backend: chat_completions (" + emulator.base_url + ") (bot default)" in show
    assert "code_interpreter" not in show and "file_search" not in show
    (tmp_path / "sales.csv").write_text("a,b\n1,2\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 fake")
    (tmp_path / "chart.png").write_bytes(b"\x89PNG fake image")
    emulator.script(Turn().text("I see a picture."))
    await bot.say(
        f"Look @{tmp_path / 'sales.csv'} @{tmp_path / 'notes.pdf'} @{tmp_path / 'chart.png'}"
    )
    out = await bot.answers()
    assert "so these files were not used: sales.csv, notes.pdf." in out
    assert "I see a picture." in out
    [request] = emulator.chat_requests()
    content = request["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "Look"}
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert not emulator.files  # nothing uploaded anywhere
    assert (await bot.command("kb add")).startswith("Knowledge bases need file search")
    # The picture is not kept in the thread (megabytes); a note keeps its place.
    emulator.script(Turn().text("ok"))
    await bot.say("and now?")
    await bot.answers()
    kept = emulator.chat_requests()[1]["messages"][1]
    assert kept == {"role": "user", "content": "Look\n[image attached earlier]"}


async def test_profile_switches_backend_and_server_only_to_listed_ones(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(model_base_urls=emulator.base_url + "/")
    assert "is not one of the model servers" in await bot.command(
        "config server http://evil.example/v1"
    )
    reply = await bot.command("config api chat_completions")
    assert reply.startswith("Saved: the whole workspace now uses the chat_completions API")
    assert "are off while it does" in reply
    reply = await bot.command(f"config server {emulator.base_url}")
    assert emulator.base_url in reply
    await bot.command("config model llama3.2")
    emulator.script(Turn().text("local model here"))
    await bot.say("hi")
    assert "local model here" in await bot.answers()
    assert emulator.chat_requests()[0]["model"] == "llama3.2"
    assert await bot.command("config api default")
    emulator.script(Turn().text("responses again"))
    await bot.say("hi again")
    assert "responses again" in await bot.answers()
    assert len(emulator.response_requests()) == 1


async def test_server_errors_get_friendly_sentences(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(**CHAT)
    emulator.chat_models = {"llama3.2"}
    await bot.say("hello")
    out = await bot.answers()
    assert "The AI server has no model called gpt-test-mini." in out
    assert "try pulling" not in out
    emulator.chat_models = None
    emulator.script(Turn().text("after a 429").http_error(429, retry_after=0.01))
    await bot.say("again")
    assert "after a 429" in await bot.answers()
    emulator.script(Turn().text("partial").error_event("server_error", "engine died"))
    await bot.say("once more")
    out = await bot.answers()
    assert "The AI model ran into an error while answering." in out
    assert "engine died" not in out


async def test_context_too_long_is_sent_again_with_less_history(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(**CHAT)
    for n in range(3):
        emulator.script(Turn().text(f"answer {n}"))
        await bot.say(f"question {n}")
        await bot.answers()
    emulator.script(
        Turn()
        .text("fits now")
        .http_error(400, message="This model's maximum context length is 4096 tokens.")
    )
    await bot.say("question 3")
    assert (await bot.answers()).endswith("fits now\n")
    refused, accepted = emulator.chat_requests()[-2:]
    assert len(accepted["messages"]) < len(refused["messages"])
    assert accepted["messages"][0]["role"] == "system"
    assert accepted["messages"][-1]["content"] == "question 3"


async def test_usage_is_estimated_when_the_server_reports_none(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(**CHAT)
    emulator.chat_reports_usage = False
    emulator.script(Turn().text("An answer of forty characters, roughly."))
    await bot.say("A question that is about forty characters")
    await bot.answers()
    [job] = await bot.store.jobs()
    run = await bot.store.latest_run(job.id)
    assert run is not None and 10 < run.input_tokens < 60 and 5 < run.output_tokens < 30
    assert "1 message(s)" in await bot.command("usage")


async def test_a_server_that_refuses_connections_gets_the_unavailable_sentence(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    closed = "http://127.0.0.1:9/v1"  # discard port: nothing listens on loopback
    bot: ConsoleBot = await make_bot(model_base_urls=closed, openai_max_retries=0, **CHAT)
    assert closed in await bot.command(f"config server {closed}")
    await bot.say("hello?")
    out = await bot.answers()
    assert "The AI service is not answering right now. Please try again in a minute." in out
    assert "Connection" not in out and "Traceback" not in out
    [job] = await bot.store.jobs()
    assert job.status == "failed"
    assert emulator.requests == []
