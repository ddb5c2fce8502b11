"""``/assistant …`` on Slack: who is an admin, the person's language, forms as modals, and
``kb add`` sent as a message with files."""

from __future__ import annotations

import asyncio

from bot.i18n import t
from tests.chat_commands import command_text
from tests.openai_emulator import OpenAIEmulator, Turn
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator_events import view_submission
from tests.slack_fixtures import *  # noqa: F403
from tests.slack_fixtures import ALICE, ALICE_DM, BOB, BOB_DM, SlackBot


async def test_an_admin_sets_instructions_in_a_form(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    reply = await slack_bot.command("config instructions")
    assert command_text(reply) == ""  # the form is the answer
    [view] = slack.views
    element = view["blocks"][0]["element"]
    assert element["initial_value"] == "You are a math tutor."
    assert element["multiline"] is True
    await slack_bot.deliver(
        view_submission(view, "You are a patient chemistry tutor.", user=ALICE),
        type="interactive",
    )
    await slack.until(lambda: bool(slack.ephemeral))
    assert slack.ephemeral[0]["channel"] == ALICE_DM and slack.ephemeral[0]["user"] == ALICE
    await slack_bot.dm("what is a mole?", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    [request] = emulator.response_requests()
    assert request["instructions"] == "You are a patient chemistry tutor."
    assert slack.ack_errors == []


async def test_admin_commands_are_refused_to_others(
    slack_bot: SlackBot, slack: SlackEmulator
) -> None:
    slack.users[BOB] = {"is_admin": False}
    reply = command_text(await slack_bot.command("config model gpt-x", user=BOB, channel=BOB_DM))
    assert reply == t("en", "not_admin", platform="slack", command="config model")
    assert "workspace's admins and owners" in reply
    assert slack.views == []
    slack.users[ALICE] = {"is_owner": True}
    reply = command_text(await slack_bot.command("config model gpt-x"))
    assert "gpt-x" in reply


async def test_the_persons_locale_picks_the_language(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"locale": "ko-KR"}
    reply = command_text(await slack_bot.command("help"))
    assert reply == t("ko", "help", p="/assistant ")
    emulator.script(Turn().text("부분").error_event("server_error", "internal"))
    event = await slack_bot.dm("질문")
    await slack_bot.answers()
    [text] = slack_bot.texts(event)
    assert text.endswith(t("ko", "error.model_failed"))
    [job] = await slack_bot.store.jobs()
    assert job.payload["locale"] == "ko-KR"


async def test_stop_ends_the_answer_in_progress(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    release = asyncio.Event()
    emulator.script(
        Turn()
        .text("The beginning of a long answer", deltas=["The beginning", " of a long answer"])
        .gate(release, after_events=5)
    )
    event = await slack_bot.dm("tell me everything")
    await emulator.response_started(0)
    await slack.until(lambda: any("beginning" in m.shown for m in slack_bot.thread(event)))
    reply = command_text(await slack_bot.command("stop"))
    assert reply == t("en", "stop.done")
    await slack_bot.answers()
    release.set()
    [message] = slack_bot.thread(event)
    assert message.shown.startswith("The beginning") and not message.streaming
    assert message.shown.endswith(t("en", "answer.stopped"))


async def test_kb_add_with_files_sent_as_a_message(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    syllabus = slack.host_file("syllabus.pdf", b"%PDF-1.4 week 1: atoms", "application/pdf")
    event = await slack_bot.dm("kb add", files=[syllabus])
    await slack.until(lambda: bool(slack_bot.texts(event)))
    [text] = slack_bot.texts(event)
    assert "syllabus.pdf" in text
    assert [f.filename for f in emulator.files.values()] == ["syllabus.pdf"]
    assert emulator.vector_stores and emulator.response_requests() == []


async def test_retry_turns_the_failed_reply_into_the_answer(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    emulator.script(
        Turn().text("Partial").error_event("server_error", "internal"),
        Turn().text("The complete answer."),
    )
    event = await slack_bot.dm("question")
    await slack_bot.answers()
    [failed] = slack_bot.texts(event)
    assert failed.endswith(t("en", "error.model_failed"))
    assert command_text(await slack_bot.command("retry")) == t("en", "retry.started")
    await slack_bot.answers()
    assert slack_bot.texts(event) == ["The complete answer."]
    assert not any(m.streaming for m in slack_bot.thread(event))


async def test_an_admin_switches_the_answer_mode(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    reply = command_text(await slack_bot.command("config mode poll"))
    assert reply == "Saved: run_mode for the whole workspace is now poll."
    event = await slack_bot.dm("a long job", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    [request] = emulator.response_requests()
    assert request["background"] is True and not request.get("stream")
    assert slack_bot.texts(event)[-1] == "You said: a long job"
    reply = command_text(await slack_bot.command("config history"))
    assert f"{ALICE}: run_mode of the whole workspace → poll" in reply
    change = reply.split()[0].lstrip("#")
    command_text(await slack_bot.command(f"config rollback {change}"))
    await slack_bot.dm("quick", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    assert emulator.response_requests()[-1]["stream"] is True


async def test_quotas_per_role_and_what_is_left(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    slack.users[BOB] = {"is_admin": False}
    reply = command_text(await slack_bot.command("quota role member messages 1"))
    assert reply.startswith("Daily limit per person with role member: 1 messages")
    refused = command_text(
        await slack_bot.command("quota role member off", user=BOB, channel=BOB_DM)
    )
    assert refused.startswith("Only admins can use")
    events = []
    for text in ("one", "two"):
        events.append(await slack_bot.dm(text, user=BOB, channel=BOB_DM))
        await slack_bot.answers()
    for text in ("one", "two"):  # an admin: the member limit is not theirs
        await slack_bot.dm(text)
        await slack_bot.answers()
    assert len(emulator.response_requests()) == 3
    assert "You've reached today's limit of 1 messages here" in slack_bot.texts(events[1])[-1]
    left = command_text(await slack_bot.command("quota", user=BOB, channel=BOB_DM))
    assert left.startswith("Today here: 0 of 1 messages left.\nThe day resets in")
    mine = command_text(await slack_bot.command("quota"))
    assert mine.startswith("No daily limit applies to you here (2 message(s) today).")


async def test_kb_add_of_a_data_file_reaches_every_conversation(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    slack.users[ALICE] = {"is_admin": True}
    data = slack.host_file("mydata.csv", b"name,age\nKim,15\n", "text/csv")
    event = await slack_bot.dm("kb add workspace", files=[data])
    await slack.until(lambda: bool(slack_bot.texts(event)))
    [text] = slack_bot.texts(event)
    assert text.startswith("mydata.csv: added as a data file of the whole workspace")
    [uploaded] = emulator.files.values()
    await slack_bot.dm("How old is Kim?", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    [request] = emulator.response_requests()
    [tool] = [t for t in request["tools"] if t["type"] == "code_interpreter"]
    assert tool["container"]["file_ids"] == [uploaded.id]


async def test_export_arrives_in_the_persons_dm_and_forget_deletes(
    slack_bot: SlackBot, emulator: OpenAIEmulator, slack: SlackEmulator
) -> None:
    await slack_bot.dm("my question")
    await slack_bot.dm("theirs", user=BOB, channel=BOB_DM)
    await slack_bot.answers()
    reply = command_text(await slack_bot.command("export", channel="C0GENERAL"))
    assert reply == "Your history on this platform is in the attached file (1 conversation(s))."
    await slack.until(lambda: any(m.files for m in slack.messages.get(ALICE_DM, [])))
    [upload] = [f for m in slack.messages.get(ALICE_DM, []) for f in m.files]
    assert upload["name"].startswith("assistant-history-slack-")
    confirmed = command_text(await slack_bot.command("forget confirm"))
    assert confirmed.startswith("Done: I deleted 1 conversation(s)")
    assert len(emulator.conversations) == 1
    assert await slack_bot.store.user_threads("slack", ALICE) == []
