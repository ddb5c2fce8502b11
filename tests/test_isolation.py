"""Isolation: one person never sees or affects another's thread, files, documents or queue;
one workspace's configuration and knowledge never reach another."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

ROOM = {"workspace": "school", "channel": "shared-room"}


def tools_of(request: dict[str, object], kind: str) -> list[dict[str, object]]:
    return [t for t in request["tools"] if t["type"] == kind]  # type: ignore[index, union-attr]


async def test_files_and_documents_stay_with_their_owner(
    bot: ConsoleBot, emulator: OpenAIEmulator, tmp_path: Path
) -> None:
    grades = tmp_path / "grades.csv"
    grades.write_text("name,grade\nKim,A\n")
    diary = tmp_path / "diary.md"
    diary.write_text("# Private notes")
    await bot.say(f"my data @{grades} @{diary}", user="alice", **ROOM)
    await bot.answers()
    await bot.say("what files do you have?", user="bob", **ROOM)
    await bot.answers()
    alice, bob = emulator.response_requests()
    assert alice["conversation"] != bob["conversation"]
    assert tools_of(alice, "code_interpreter")[0]["container"]["file_ids"]  # type: ignore[index]
    assert tools_of(bob, "code_interpreter")[0]["container"]["file_ids"] == []  # type: ignore[index]
    assert tools_of(alice, "file_search") and not tools_of(bob, "file_search")


async def test_one_persons_queue_never_blocks_another(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    release = asyncio.Event()
    emulator.script(
        Turn().text("alice's long answer").gate(release, after_events=2),
        Turn().text("bob's quick answer"),
        Turn().text("alice's next answer"),
    )
    await bot.say("long question", user="alice", **ROOM)
    await emulator.response_started(0)
    # Bob's commands touch only Bob: Alice's answer is not his to stop, her thread not his
    # to reset.
    assert await bot.command("/stop", user="bob", **ROOM) == "You have no answer in progress."
    assert await bot.command("/reset", user="bob", **ROOM) == (
        "Started a new conversation. What would you like to talk about?"
    )
    await bot.say("quick question", user="bob", **ROOM)
    await emulator.wait_for_response_count(2, finished=False)
    bob_response = list(emulator.responses.values())[1]
    await emulator.wait_done(bob_response.id)
    await bot.out.shown("bob's quick answer\n")  # shown in full: the model's end is not enough
    assert not next(iter(emulator.responses.values())).done  # alice still waiting
    release.set()
    out = await bot.answers()
    assert "alice's long answer" in out and "stopped" not in out
    assert [j.status for j in await bot.store.jobs()] == ["answered", "answered"]
    await bot.say("and then?", user="alice", **ROOM)
    await bot.answers()
    first, _, again = emulator.response_requests()
    assert again["conversation"] == first["conversation"]


async def test_reset_is_per_person(bot: ConsoleBot, emulator: OpenAIEmulator) -> None:
    for user in ("alice", "bob"):
        await bot.say("hello", user=user, **ROOM)
    await bot.answers()
    await bot.command("/reset", user="alice", **ROOM)
    for user in ("alice", "bob"):
        await bot.say("again", user=user, **ROOM)
    await bot.answers()
    by_person: dict[str, list[str]] = {}
    for request in emulator.response_requests():
        by_person.setdefault(request["safety_identifier"], []).append(request["conversation"])
    alice = by_person[hashlib.sha256(b"console:school:alice").hexdigest()]
    bob = by_person[hashlib.sha256(b"console:school:bob").hexdigest()]
    assert alice[0] != alice[1] and bob[0] == bob[1]
    assert set(alice).isdisjoint(bob)


async def test_workspace_configuration_does_not_leak(
    bot: ConsoleBot, emulator: OpenAIEmulator
) -> None:
    await bot.command("/config instructions Only talk about chemistry.", workspace="lab")
    await bot.command("/quota messages 1", workspace="lab")
    await bot.command("/config language ko", workspace="lab")
    for _ in range(2):
        await bot.say("hi", user="visitor", workspace="elsewhere", channel="c")
    out = await bot.answers()
    requests = emulator.response_requests()
    assert len(requests) == 2
    assert all(r["instructions"] == "You are a math tutor." for r in requests)
    assert "limit" not in out and "한도" not in out
    assert await bot.store.profile_changes("console", "elsewhere") == []
