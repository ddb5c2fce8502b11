"""Recovery at start, in the engine (console platform, one SQLite database, a stop with no
grace standing for a crash): a streamed answer whose response never ends on the server, and
a message interrupted more often than MAX_ATTEMPTS, both end with the "interrupted" notice,
and its ``retry`` then answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.turn import MAX_ATTEMPTS
from tests.conftest import ConsoleBot
from tests.openai_emulator import OpenAIEmulator, Turn

INTERRUPTED = "⚠️ This answer was interrupted by a restart. Send /retry to ask again."


async def until(ready: Callable[[], bool], seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not ready():  # noqa: ASYNC110 (a StringIO has no event to wait on)
            await asyncio.sleep(0.01)  # allow-sleep: polling what the console printed


async def crash(bot: ConsoleBot) -> None:
    """The process goes away: nothing is finished, the job stays running in the inbox."""
    await bot.engine.stop(grace=0)
    await bot.backend.close()
    await bot.store.close()


async def test_a_streamed_answer_whose_response_never_ends_is_closed_as_interrupted(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    never = asyncio.Event()
    story = Turn().text("A story that never ends, sadly", deltas=4)
    emulator.script(story.gate(never, after_events=6))
    first: ConsoleBot = await make_bot()
    await first.say("tell me a story")
    response = await emulator.response_started(0)
    await emulator.wait_events(response.id, 6)
    await until(lambda: "A story" in first.out.getvalue())
    await crash(first)

    # Not a background response: it cannot be resumed or cancelled, and on this server it
    # stays in progress. The restarted bot gives up once it shows no progress for the
    # OpenAI timeout, rather than holding the person's thread for ever.
    second: ConsoleBot = await make_bot(openai_timeout=0.5)
    async with asyncio.timeout(10):
        out = await second.answers()
    assert out.rstrip("\n").endswith(INTERRUPTED)
    assert out.count("⚠️") == 1
    [job] = await second.store.jobs()
    assert job.status == "failed"
    run = await second.store.latest_run(job.id)
    assert run is not None and run.response_id == response.id and run.status == "failed"

    # Once the server lets go of the conversation, retry answers it.
    never.set()
    await emulator.wait_done(response.id)
    emulator.script(Turn().text("The story, told in full."))
    assert await second.engine.retry_last_failed("console", "local", "local")
    out = await second.answers()
    assert out.rstrip("\n").endswith("The story, told in full.")
    assert [j.status for j in await second.store.jobs()] == ["answered"]


async def test_retry_answers_a_message_given_up_after_too_many_attempts(
    make_bot: Callable[..., Any], emulator: OpenAIEmulator
) -> None:
    first: ConsoleBot = await make_bot(start_engine=False)
    await first.say("hello")
    # Taken up and lost MAX_ATTEMPTS times (a crash before the model was even asked).
    for _ in range(MAX_ATTEMPTS):
        assert await first.store.claim_runnable(1, worker="gone", lease=60)
        await first.store.release_expired(before=float("inf"))
    await first.store.close()
    await first.backend.close()

    second: ConsoleBot = await make_bot()
    out = await second.answers()
    assert out.strip() == INTERRUPTED
    assert emulator.response_requests() == []
    assert await second.engine.retry_last_failed("console", "local", "local")
    out = await second.answers()
    assert out.rstrip("\n").endswith("You said: hello")
    assert [j.status for j in await second.store.jobs()] == ["answered"]
