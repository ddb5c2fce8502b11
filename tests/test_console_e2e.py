"""End to end: the console adapter, the engine and the SQLite store against the OpenAI
emulator, through the real ``openai.AsyncOpenAI`` client on a loopback socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn


async def test_streamed_answer_with_profile_and_conversation(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(Turn().text("Subtract 11, then divide by 3: x = 1.", deltas=6))
    await bot.say("Solve 3x + 11 = 14")
    out = await bot.answers()
    assert out == "Subtract 11, then divide by 3: x = 1.\n"
    [request] = emulator.response_requests()
    assert request["stream"] is True
    assert request["model"] == "gpt-test-mini"
    assert request["instructions"] == "You are a math tutor."
    assert request["truncation"] == "auto"
    assert "code_interpreter_call.outputs" in request["include"]
    assert request["tools"][0] == {
        "type": "code_interpreter",
        "container": {"type": "auto", "file_ids": []},
    }
    functions = {t["name"] for t in request["tools"] if t["type"] == "function"}
    assert functions == {"calculate", "conversation_info", "current_datetime"}
    assert request["input"] == [
        {"role": "user", "content": [{"type": "input_text", "text": "Solve 3x + 11 = 14"}]}
    ]
    conversation = emulator.conversations[request["conversation"]]
    assert [item.get("role") for item in conversation.items] == ["user", "assistant"]
    [job] = await bot.store.jobs()
    assert job.status == "answered"
    run = await bot.store.latest_run(job.id)
    assert run and run.status == "completed" and run.output_tokens > 0


async def test_one_thread_per_user_kept_across_turns(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(Turn().text("one"), Turn().text("two"), Turn().text("three"))
    await bot.say("first", user="alice")
    await bot.answers()
    await bot.say("second", user="alice")
    await bot.answers()
    await bot.say("hello", user="bob")
    await bot.answers()
    conversations = [r["conversation"] for r in emulator.response_requests()]
    assert conversations[0] == conversations[1] != conversations[2]
    created = [r for r in emulator.requests if r.method == "POST" and r.path == "/v1/conversations"]
    assert len(created) == 2


async def test_code_and_logs_are_shown_and_files_saved(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    emulator.script(
        Turn()
        .code(
            "import matplotlib\nprint((14 - 11) / 3)",
            logs="1.0\n",
            files=[("plot.png", b"\x89PNG fake")],
        )
        .text("x = 1. See [plot.png](sandbox:/mnt/data/plot.png)")
    )
    await bot.say("Solve 3x + 11 = 14 and plot it")
    out = await bot.answers()
    assert "```python\nimport matplotlib\nprint((14 - 11) / 3)\n```" in out
    assert "```text\n1.0\n```" in out
    assert out.index("1.0") < out.index("x = 1.")
    assert (tmp_path / "files" / "plot.png").read_bytes() == b"\x89PNG fake"
    assert out.endswith("\n")


async def test_overlapping_messages_are_answered_in_order(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    release = asyncio.Event()
    emulator.script(
        Turn().text("first answer").gate(release, after_events=3), Turn().text("second answer")
    )
    await bot.say("question one")
    await emulator.response_started(0)
    await bot.say("question two")
    await bot.say("question three")
    # While the first answer streams, nothing else is sent on the conversation.
    assert len(emulator.response_requests()) == 1
    release.set()
    out = await bot.answers()
    assert out.index("first answer") < out.index("second answer") < out.index("You said")
    codes = [r.status for r in emulator.requests if r.path == "/v1/responses"]
    assert 400 not in codes
    assert [job.status for job in await bot.store.jobs()] == ["answered"] * 3


async def test_duplicate_events_are_answered_once_even_after_restart(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    first: ConsoleBot = await make_bot()
    assert await first.say("hello", event_id="Ev1")
    assert not await first.say("hello", event_id="Ev1")
    await first.answers()
    await first.stop()
    second: ConsoleBot = await make_bot()
    assert not await second.say("hello", event_id="Ev1")
    await second.answers()
    assert len(emulator.response_requests()) == 1
    assert second.out.getvalue() == ""


async def test_rate_limit_and_server_errors_are_retried(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(
        Turn().text("after a 429").http_error(429, retry_after=0.01),
        Turn().text("after a 500").http_error(500),
    )
    await bot.say("one")
    await bot.say("two")
    out = await bot.answers()
    assert "after a 429" in out and "after a 500" in out
    statuses = [r.status for r in emulator.requests if r.path == "/v1/responses"]
    assert statuses == [429, 200, 500, 200]


async def test_dropped_stream_keeps_partial_text_and_can_be_retried(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(
        Turn()
        .text("The answer starts here and", deltas=["The answer ", "starts here", " and"])
        .drop_after(6),
        Turn().text("Complete answer."),
        Turn().text("Still talking to you."),
    )
    await bot.say("question")
    out = await bot.answers()
    assert "The answer starts here" in out
    assert "⚠️ The connection to the AI service dropped before the answer was finished." in out
    [job] = await bot.store.jobs()
    assert job.status == "failed"
    run = await bot.store.latest_run(job.id)
    assert run and run.status == "failed"
    # The message is not lost: /retry asks it again, and the thread still works.
    assert await bot.engine.retry_last_failed("console", "local", "local")
    await bot.say("and another")
    out = await bot.answers()
    assert "Complete answer." in out and "Still talking to you." in out
    assert out.index("Complete answer.") < out.index("Still talking to you.")
    assert [j.status for j in await bot.store.jobs()] == ["answered", "answered"]


async def test_error_event_shows_one_clear_sentence(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    emulator.script(Turn().text("Partial").error_event("server_error", "boom internals"))
    await bot.say("question")
    out = await bot.answers()
    assert "Partial" in out
    assert "⚠️ The AI model ran into an error while answering. Please try again." in out
    assert "boom internals" not in out and "Traceback" not in out
    [job] = await bot.store.jobs()
    assert job.status == "failed" and job.error


async def test_incomplete_answer_says_so(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    emulator.script(Turn().text("A long essay that").incomplete("max_output_tokens"))
    await bot.say("write an essay")
    out = await bot.answers()
    assert "A long essay that" in out
    assert "cut short by the length limit" in out
    [job] = await bot.store.jobs()
    assert job.status == "answered"


async def test_conversation_locked_by_another_response_is_waited_out(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    await bot.say("hello")
    await bot.answers()
    conversation = emulator.response_requests()[0]["conversation"]
    # Another process starts a long response on the same conversation.
    release = asyncio.Event()
    emulator.script(Turn().text("other process").gate(release), Turn().text("my answer"))
    other = await bot.backend.client.responses.create(
        model="m", input="x", conversation=conversation, background=True
    )
    await bot.say("second question")
    await emulator.wait_requests(lambda r: r.path == "/v1/responses" and r.status == 400)
    release.set()
    await emulator.wait_done(other.id)
    out = await bot.answers()
    assert out.endswith("my answer\n")
    assert [j.status for j in await bot.store.jobs()] == ["answered", "answered"]


async def test_empty_and_unsupported_input_gets_a_clear_reply(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    strange = tmp_path / "virus.exe"
    strange.write_bytes(b"MZ")
    await bot.say(f"@{strange}")
    out = await bot.answers()
    assert "I can't read virus.exe: files of type .exe are not supported." in out
    assert emulator.response_requests() == []
    emulator.script(Turn().text("Here is the summary."))
    await bot.say(f"summarise this @{strange} please")
    out = await bot.answers()
    assert out.count("virus.exe") == 2 and "Here is the summary." in out
    assert emulator.response_requests()[0]["input"][0]["content"] == [
        {"type": "input_text", "text": "summarise this please"}
    ]


async def test_data_file_stays_in_the_thread_container(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    data = tmp_path / "mydata.csv"
    data.write_text("name,age,grade\nKim,15,A\nLee,16,B\n")
    emulator.script(Turn().text("Loaded."), Turn().text("a"), Turn().text("b"), Turn().text("c"))
    await bot.say(f"here is my data @{data}")
    await bot.answers()
    for question in ("how old is Kim?", "and Lee?", "average grade?"):
        await bot.say(question)
        await bot.answers()
    [uploaded] = emulator.files.values()
    assert uploaded.filename == "mydata.csv" and uploaded.purpose == "user_data"
    for request in emulator.response_requests():
        assert request["tools"][0]["container"]["file_ids"] == [uploaded.id]
    first_text = emulator.response_requests()[0]["input"][0]["content"][0]["text"]
    assert "mydata.csv" in first_text


async def test_reset_starts_a_new_conversation(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    await bot.say("remember 42")
    await bot.answers()
    assert await bot.engine.reset("console", "local", "local") == 1
    await bot.say("what number?")
    await bot.answers()
    first, second = emulator.response_requests()
    assert first["conversation"] != second["conversation"]


async def test_polling_mode_shows_progress_and_answer(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(assistant_run_mode="poll")
    emulator.script(Turn().code("print(1 + 1)", logs="2\n").text("It is 2."))
    await bot.say("what is 1 + 1?")
    out = await bot.answers()
    assert "print(1 + 1)" in out and "```text\n2\n```" in out and out.endswith("It is 2.\n")
    [request] = emulator.response_requests()
    assert request["background"] is True and not request.get("stream")
    polls = [
        r for r in emulator.requests if r.method == "GET" and r.path.startswith("/v1/responses/")
    ]
    assert polls


async def test_background_run_in_flight_is_finished_after_restart(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    release = asyncio.Event()
    emulator.script(Turn().text("Finished after the restart.").gate(release, after_events=2))
    first: ConsoleBot = await make_bot(assistant_run_mode="poll")
    await first.say("long job")
    response = await emulator.response_started(0)
    await emulator.wait_requests(lambda r: r.method == "GET" and response.id in r.path)
    await first.engine.stop(grace=0)  # the process goes away mid-run
    await first.backend.close()
    await first.store.close()

    second: ConsoleBot = await make_bot(assistant_run_mode="poll")
    release.set()
    out = await second.answers()
    assert out == "Finished after the restart.\n"
    assert len(emulator.response_requests()) == 1
    [job] = await second.store.jobs()
    assert job.status == "answered"
    run = await second.store.latest_run(job.id)
    assert run and run.response_id == response.id and run.status == "completed"


async def test_background_stream_resumes_after_a_drop(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(assistant_run_mode="background")
    words = ["Resumed ", "streams ", "lose ", "nothing ", "and ", "repeat ", "nothing."]
    emulator.script(Turn().text("".join(words), deltas=words).drop_after(7))
    await bot.say("tell me")
    out = await bot.answers()
    assert out == "".join(words) + "\n"
    [create] = emulator.response_requests()
    assert create["background"] is True and create["stream"] is True
    resumes = [r for r in emulator.requests if r.method == "GET" and r.query.get("stream")]
    assert len(resumes) == 1 and resumes[0].query["starting_after"] == "6"
    [job] = await bot.store.jobs()
    run = await bot.store.latest_run(job.id)
    assert job.status == "answered" and run and run.status == "completed"
    assert run.last_sequence is not None and run.last_sequence > 6


async def test_background_stream_stop_cancels_on_the_server(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(assistant_run_mode="background")
    release = asyncio.Event()
    emulator.script(Turn().text("An endless story", deltas=3).gate(release, after_events=4))
    await bot.say("story")
    response = await emulator.response_started(0)
    await emulator.wait_events(response.id, 4)
    assert await bot.engine.stop_answer("console", "local", "local")
    out = await bot.answers()
    assert out.endswith("⚠️ The answer was stopped.\n")
    assert [r for r in emulator.requests if r.path.endswith(f"/{response.id}/cancel")]
    release.set()
