"""Tools end to end through the console: the seed's scenarios, code interpreter files, file
search with citations and knowledge bases, function calling with plugins and failures."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.builtin_functions import standard_registry
from bot.functions import assistant_function
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

SEED_TUTOR = "You are a personal math tutor. Write and run code to answer math questions."


def outputs_sent(emulator: OpenAIEmulator, index: int) -> list[dict[str, Any]]:
    return [
        i
        for i in emulator.response_requests()[index]["input"]
        if i.get("type") == "function_call_output"
    ]


async def test_seed_math_tutor(make_bot: Callable[..., Any], emulator: OpenAIEmulator) -> None:
    bot: ConsoleBot = await make_bot(assistant_instructions=SEED_TUTOR)
    emulator.script(
        Turn()
        .code(
            "from sympy import symbols, solve\nx = symbols('x')\nprint(solve(3*x + 11 - 14))",
            logs="[1]\n",
        )
        .text("The solution is x = 1.")
    )
    await bot.say("I need to solve the equation `3x + 11 = 14`. Can you help me?")
    out = await bot.answers()
    assert "print(solve(3*x + 11 - 14))" in out and "[1]" in out
    assert out.endswith("The solution is x = 1.\n")
    assert emulator.response_requests()[0]["instructions"] == SEED_TUTOR


async def test_seed_csv_seen_by_later_turns(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    csv = tmp_path / "mydata.csv"
    csv.write_text("name,age,grade\nSarah,15,A\nMin-jun,16,B+\n")
    emulator.script(
        Turn().text("I have your file with 2 students."),
        Turn().code("df[df.name=='Sarah']", logs="Sarah 15 A").text("Sarah is 15, grade A."),
        Turn().code("df[df.name=='Min-jun']", logs="Min-jun 16 B+").text("Min-jun is 16, B+."),
    )
    await bot.say(f"Here is my class data @{csv}")
    first = await bot.answers()
    assert "mydata.csv: ready for analysis with Python." in first
    await bot.say("How old is Sarah and what is her grade?")
    await bot.say("And Min-jun?")
    out = await bot.answers()
    assert "Sarah is 15, grade A." in out and "Min-jun is 16, B+." in out
    [uploaded] = emulator.files.values()
    for request in emulator.response_requests():
        assert request["tools"][0]["container"]["file_ids"] == [uploaded.id]


async def test_chart_arrives_as_a_file(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n chart bytes"
    emulator.script(
        Turn()
        .code("plt.savefig('/mnt/data/grades.png')", files=[("grades.png", png)])
        .text("Here is the chart: [grades.png](sandbox:/mnt/data/grades.png)")
    )
    await bot.say("Plot the grades")
    out = await bot.answers()
    assert (tmp_path / "files" / "grades.png").read_bytes() == png
    assert "[file saved:" in out


async def test_document_question_answered_with_a_source(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    syllabus = tmp_path / "syllabus.pdf"
    syllabus.write_bytes(b"%PDF-1.4 The final exam is on June 12.")
    emulator.script(
        Turn().text("Got it."),
        Turn().file_search(["final exam date"]).text("The final exam is on June 12."),
    )
    await bot.say(f"Here is the syllabus @{syllabus}")
    first = await bot.answers()
    assert "syllabus.pdf: added to your documents" in first
    await bot.say("When is the final exam?")
    out = await bot.answers()
    assert out.endswith("The final exam is on June 12.\n\nSources: [1] syllabus.pdf\n")
    [vector_store_id] = list(emulator.vector_stores)
    search = [t for t in emulator.response_requests()[1]["tools"] if t["type"] == "file_search"]
    assert search == [{"type": "file_search", "vector_store_ids": [vector_store_id]}]
    uploaded = [f for f in emulator.files.values() if f.filename == "syllabus.pdf"]
    assert uploaded and uploaded[0].purpose == "assistants"


async def test_knowledge_base_is_searched_in_its_channel_only(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    syllabus = tmp_path / "course.md"
    syllabus.write_text("# Algebra I\nHomework is due every Friday.")
    reply = await bot.command(f"/kb add @{syllabus}", workspace="school", channel="algebra")
    assert reply == "course.md: added to the knowledge base of this channel."
    denied = await bot.command(
        f"/kb add @{syllabus}", workspace="school", channel="algebra", is_admin=False
    )
    assert denied.startswith("Only admins can use “kb add”")
    assert "course.md" in await bot.command("/kb list", workspace="school", channel="algebra")
    [kb_store] = list(emulator.vector_stores)

    emulator.script(
        Turn().file_search(["homework due"]).text("Homework is due every Friday."),
        Turn().text("I don't know your homework schedule."),
    )
    await bot.say("When is homework due?", user="student1", workspace="school", channel="algebra")
    await bot.answers()
    await bot.say(
        "When is homework due?", user="student2", workspace="other-school", channel="algebra"
    )
    out = await bot.answers()
    in_channel, elsewhere = emulator.response_requests()
    assert {"type": "file_search", "vector_store_ids": [kb_store]} in in_channel["tools"]
    assert not [t for t in elsewhere["tools"] if t["type"] == "file_search"]
    assert "Sources: [1] course.md" in out
    removed = await bot.command("/kb remove course.md", workspace="school", channel="algebra")
    assert removed.startswith("Removed course.md")


async def test_function_call_round_trip(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    emulator.script(
        Turn().function_call("calculate", {"expression": "(14 - 11) / 3"}, call_id="call_1"),
        Turn().text("x = 1.0"),
    )
    await bot.say("Solve 3x + 11 = 14 exactly")
    out = await bot.answers()
    assert out.endswith("x = 1.0\n")
    assert outputs_sent(emulator, 1) == [
        {"type": "function_call_output", "call_id": "call_1", "output": "1.0"}
    ]
    first, second = emulator.response_requests()
    assert second["conversation"] == first["conversation"] and second["tools"] == first["tools"]
    [job] = await bot.store.jobs()
    run = await bot.store.latest_run(job.id)
    assert run and run.status == "completed" and run.output_tokens == 2 * 34


async def test_raising_and_timing_out_functions_never_crash_the_turn(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    @assistant_function
    def student_grade(name: str) -> str:
        """A student's grade from the school system."""
        raise ConnectionError("grade server unreachable")

    @assistant_function(timeout=0.05)
    async def slow_lookup(name: str) -> str:
        """A lookup that hangs."""
        await asyncio.Event().wait()
        return ""

    registry = standard_registry(plugins=False)
    registry.add(student_grade)
    registry.add(slow_lookup)
    bot: ConsoleBot = await make_bot(functions=registry)
    emulator.script(
        Turn()
        .function_call("student_grade", {"name": "Kim"}, call_id="c1")
        .function_call("slow_lookup", {"name": "Kim"}, call_id="c2"),
        Turn().text("Sorry, the grade system is not available right now."),
    )
    await bot.say("What is Kim's grade?")
    out = await bot.answers()
    assert out.endswith("Sorry, the grade system is not available right now.\n")
    outputs = {o["call_id"]: json.loads(o["output"]) for o in outputs_sent(emulator, 1)}
    assert "ConnectionError: grade server unreachable" in outputs["c1"]["error"]
    assert "did not finish within 0.05 seconds" in outputs["c2"]["error"]
    [job] = await bot.store.jobs()
    assert job.status == "answered"


async def test_tool_rounds_are_capped(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(max_tool_rounds=2)
    emulator.script(
        *(Turn().function_call("calculate", {"expression": "1+1"}) for _ in range(3)),
        Turn().text("Enough calculating: 2."),
    )
    await bot.say("loop forever")
    out = await bot.answers()
    assert out.endswith("Enough calculating: 2.\n")
    requests = emulator.response_requests()
    assert len(requests) == 4
    assert "too many function calls" in outputs_sent(emulator, 3)[0]["output"]
    assert not [t for t in requests[3]["tools"] if t["type"] == "function"]


async def test_oversize_csv_is_declined_clearly(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    bot: ConsoleBot = await make_bot(max_data_mb=10)
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(20_000_000)
    emulator.script(Turn().text("Without the file: here is what I know."))
    await bot.say(f"analyse this @{big}")
    out = await bot.answers()
    assert "big.csv is too large (20 MB); the limit for data files is 10 MB." in out
    assert "Without the file" in out and emulator.files == {}


PLUGIN = '''
from typing import Literal
from bot.functions import assistant_function

@assistant_function
def lunch_menu(day: Literal["monday", "tuesday"]) -> str:
    """The school cafeteria's lunch menu.

    Args:
        day: which weekday
    """
    return {"monday": "bibimbap", "tuesday": "kimbap"}[day]
'''


async def test_plugin_function_discovered_through_entry_point(
    emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "lunch_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "lunch_plugin.py").write_text(PLUGIN)
    (site / "lunch_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lunch-plugin\nVersion: 1.0\n"
    )
    (site / "lunch_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[assistant_bot.functions]\nlunch = lunch_plugin:lunch_menu\n"
    )
    emulator.script(
        Turn().function_call("lunch_menu", {"day": "tuesday"}, call_id="call_lunch"),
        Turn().text("Tuesday's lunch is kimbap."),
    )
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        OPENAI_API_KEY="sk-test-plugin",
        OPENAI_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        PYTHONPATH=str(site),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "console",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    out, err = await asyncio.wait_for(process.communicate(b"What's for lunch on Tuesday?\n"), 60)
    assert process.returncode == 0, err.decode()
    assert out.decode().endswith("Tuesday's lunch is kimbap.\n")
    first = emulator.response_requests()[0]
    lunch = [t for t in first["tools"] if t.get("name") == "lunch_menu"]
    assert lunch and lunch[0]["parameters"]["properties"]["day"]["enum"] == ["monday", "tuesday"]
    assert outputs_sent(emulator, 1)[0]["output"] == "kimbap"


async def test_a_model_that_never_stops_calling_is_stopped_at_the_hard_cap(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(max_tool_rounds=2, max_model_rounds=4)
    emulator.script(
        *(Turn().function_call("calculate", {"expression": "1+1"}).usage(10, 5) for _ in range(40))
    )
    await bot.say("loop forever")
    out = await bot.answers()
    assert len(emulator.response_requests()) == 4
    assert out.rstrip().endswith(
        "I stopped here: the model kept asking to call functions (4 requests for this "
        "question). Please ask again, more specifically."
    )
    [job] = await bot.store.jobs()
    assert job.status == "answered"
    run = await bot.store.latest_run(job.id)
    assert run is not None and run.status == "incomplete"
    # Every round counts against the person's quota.
    [used] = await bot.store.usage_since("console", "local", 0, user="local")
    assert (used.messages, used.input_tokens, used.output_tokens) == (1, 40, 20)


async def test_rounds_stop_at_the_persons_daily_token_limit(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    bot: ConsoleBot = await make_bot(max_tool_rounds=10, max_model_rounds=20)
    assert (await bot.command("/quota tokens 40")).startswith("Daily limit per person")
    emulator.script(
        *(Turn().function_call("calculate", {"expression": "1+1"}).usage(10, 5) for _ in range(20))
    )
    await bot.say("loop forever")
    out = await bot.answers()
    assert len(emulator.response_requests()) == 3  # 15, 30, then 45 tokens: over 40
    assert "I stopped here: this answer took you to today's limit of 40 tokens here." in out
    [used] = await bot.store.usage_since("console", "local", 0, user="local")
    assert used.tokens == 45
    # The next question is declined before any model request.
    await bot.say("and now?")
    out = await bot.answers()
    assert "You've reached today's limit of 40 tokens here." in out
    assert len(emulator.response_requests()) == 3


async def test_admin_data_files_reach_every_conversation_and_survive(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    bot: ConsoleBot = await make_bot()
    school = {"workspace": "school", "channel": "algebra"}
    class_data = tmp_path / "mydata.csv"
    class_data.write_text("name,age\nKim,15\nLee,16\n")
    reply = await bot.command(f"/kb add @{class_data} workspace", **school)
    assert reply == (
        "mydata.csv: added as a data file of the whole workspace; every conversation here "
        "gets it for analysis with Python."
    )
    listed = await bot.command("/kb list workspace", **school)
    assert listed.endswith("• mydata.csv (data file)")
    [admin_file] = emulator.files.values()
    assert admin_file.purpose == "user_data"
    own = tmp_path / "mine.json"
    own.write_text('{"Kim": "A"}')
    emulator.script(Turn().code("df[df.name=='Kim']", logs="Kim 15").text("Kim is 15."))
    await bot.say(f"How old is Kim? @{own}", user="student", **school)
    await bot.answers()
    [request] = emulator.response_requests()
    mine = next(f for f in emulator.files.values() if f.filename == "mine.json")
    [container] = [t["container"] for t in request["tools"] if t["type"] == "code_interpreter"]
    assert container["file_ids"] == [admin_file.id, mine.id]
    assert "in /mnt/data/ when you run Python: mydata.csv" in request["instructions"]

    await bot.command("/reset", user="student", **school)
    await bot.stop()
    bot = await make_bot()  # a restart
    await bot.say("And Lee?", user="student", **school)
    await bot.say("Hi", user="other", workspace="school", channel="history")
    await bot.answers()
    for request in emulator.response_requests()[1:]:
        [container] = [t["container"] for t in request["tools"] if t["type"] == "code_interpreter"]
        assert admin_file.id in container["file_ids"]
    assert len({r["conversation"] for r in emulator.response_requests()}) == 3  # after reset

    # The same name again replaces it; removing it deletes it on OpenAI too.
    class_data.write_text("name,age\nKim,15\nLee,16\nPark,17\n")
    replaced = await bot.command(f"/kb add @{class_data} workspace", **school)
    assert replaced.startswith("mydata.csv: replaced the data file of the same name")
    assert admin_file.id not in emulator.files
    removed = await bot.command("/kb remove mydata.csv workspace", **school)
    assert removed.startswith("Removed mydata.csv")
    assert [f.filename for f in emulator.files.values()] == ["mine.json"]
    await bot.say("And Park?", user="other", workspace="school", channel="history")
    await bot.answers()
    last = emulator.response_requests()[-1]
    [container] = [t["container"] for t in last["tools"] if t["type"] == "code_interpreter"]
    assert container["file_ids"] == [] and "/mnt/data/" not in last["instructions"]
    off = await bot.command("/config tools off code_interpreter", **school)
    assert "code_interpreter" not in off.split("now", 1)[1]
    again = await bot.command(f"/kb add @{class_data}", **school)
    assert again.endswith("(config tools on code_interpreter).")
    assert "not a document type" not in again
