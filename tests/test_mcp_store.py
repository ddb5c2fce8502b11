"""MCP servers and approvals in the Store, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import pytest

from bot.ports import Store
from storage.records import McpApproval, McpServer, NewJob


def approval(job_id: int, request_id: str, answers: str, expires_at: float) -> McpApproval:
    return McpApproval(
        "slack",
        "T1",
        "C1",
        id=request_id,
        answers=answers,
        job_id=job_id,
        user="U1",
        server_label="deploys",
        tool="restart",
        arguments='{"service": "web"}',
        response_id="resp_1",
        expires_at=expires_at,
        prompt="Restart?",
    )


async def test_servers_per_scope_keep_only_the_names_of_header_variables(store: Store) -> None:
    server = McpServer(
        "slack",
        "T1",
        "",
        label="deploys",
        url="https://mcp.example.com",
        allowed_tools=("restart",),
        headers={"Authorization": "DEPLOYS_TOKEN"},
        approvers="admins",
    )
    await store.save_mcp_server(server)
    await store.save_mcp_server(McpServer("slack", "T1", "C1", label="docs", url="https://d"))
    await store.save_mcp_server(McpServer("slack", "T2", "", label="other", url="https://o"))
    [saved] = await store.mcp_servers("slack", "T1", [""])
    assert (saved.allowed_tools, saved.headers, saved.approvers) == (
        ("restart",),
        {"Authorization": "DEPLOYS_TOKEN"},
        "admins",
    )
    assert saved.added_at > 0
    both = await store.mcp_servers("slack", "T1", ["", "C1"])
    assert [(s.channel, s.label) for s in both] == [("", "deploys"), ("C1", "docs")]
    await store.save_mcp_server(McpServer("slack", "T1", "", label="deploys", url="https://new"))
    [replaced] = await store.mcp_servers("slack", "T1", [""])
    assert replaced.url == "https://new" and replaced.allowed_tools is None
    assert await store.remove_mcp_server("slack", "T1", "", "deploys")
    assert not await store.remove_mcp_server("slack", "T1", "", "deploys")


async def test_a_decision_queues_its_continuation_once(store: Store) -> None:
    job = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-1", {"text": "restart"}))
    assert job is not None
    later = time.time() + 60
    await store.add_approvals(
        [approval(job.id, "mcpr_1", "mcpr_1", later), approval(job.id, "mcpr_2", "mcpr_1", later)]
    )
    await store.add_approvals([approval(job.id, "mcpr_1", "mcpr_1", later)])  # again: no-op
    assert [a.id for a in await store.approval_group("mcpr_1")] == ["mcpr_1", "mcpr_2"]
    assert await store.next_approval_expiry() == later

    continuation = NewJob("slack", "T1", "C1", "U1", "mcp:mcpr_1", {"text": ""})
    queued = await store.decide_approvals("mcpr_1", "approved", "U1", continuation)
    assert queued is not None and queued.status == "queued"
    assert await store.decide_approvals("mcpr_1", "denied", "U1", continuation) is None
    group = await store.approval_group("mcpr_1")
    assert {(a.status, a.decided_by, a.continuation_job) for a in group} == {
        ("approved", "U1", queued.id)
    }
    assert await store.next_approval_expiry() is None
    assert len(await store.jobs(statuses=["queued"])) == 2


async def test_an_expired_request_cannot_be_decided(store: Store) -> None:
    job = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-2", {"text": "restart"}))
    assert job is not None
    past = time.time() - 1
    await store.add_approvals([approval(job.id, "mcpr_9", "mcpr_9", past)])
    continuation = NewJob("slack", "T1", "C1", "U1", "mcp:mcpr_9", {"text": ""})
    assert await store.decide_approvals("mcpr_9", "approved", "U1", continuation) is None
    assert len(await store.jobs(statuses=["queued"])) == 1  # nothing queued
    [expired] = await store.expire_approvals(time.time())
    assert (expired.id, expired.status, expired.prompt) == ("mcpr_9", "expired", "Restart?")
    assert await store.expire_approvals(time.time()) == []


def test_mcp_add_reads_a_url_in_slack_link_syntax() -> None:
    from bot.mcp import parse_server

    server = parse_server(
        ["deploys", "<https://mcp.example.com/mcp|mcp.example.com/mcp>", "approval=never"],
        platform="slack",
        workspace="T1",
        channel="",
        user="U1",
        environ={},
    )
    assert (server.url, server.require_approval) == ("https://mcp.example.com/mcp", "never")


async def test_each_process_expires_only_its_own_platforms_requests(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.language import Languages
    from bot.mcp_expiry import ApprovalExpiry

    job = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-3", {"text": "restart"}))
    assert job is not None
    past = time.time() - 1
    on_discord = replace(approval(job.id, "mcpr_d", "mcpr_d", past - 5), platform="discord")
    await store.add_approvals([approval(job.id, "mcpr_s", "mcpr_s", past), on_discord])
    assert await store.next_approval_expiry(["slack"]) == past
    assert await store.next_approval_expiry(["discord"]) == past - 5
    assert await store.next_approval_expiry([]) is None
    # A Discord-only worker: the Slack request stays pending for the Slack process.
    await ApprovalExpiry(store, {}, Languages(store)).expire_due()  # nothing answered here
    assert {a.status for a in await store.approval_group("mcpr_s")} == {"pending"}
    [expired] = await store.expire_approvals(time.time(), ["discord"])
    assert expired.id == "mcpr_d"
    assert (await store.get_approval("mcpr_s")).status == "pending"  # type: ignore[union-attr]
    # A request of a platform with no target here, as a miswired process would see it.
    with caplog.at_level(logging.WARNING, logger="bot.mcp_expiry"):
        await ApprovalExpiry(store, _NoPlatform(), Languages(store)).expire_due()
    assert "mcpr_s" in caplog.text and "not answered here" in caplog.text


class _NoPlatform(dict[str, Any]):
    """Claims Slack for the query but has no Slack target (a miswired process)."""

    def __iter__(self) -> Any:
        return iter(["slack"])


async def test_a_duplicate_continuation_leaves_the_requests_undecided(store: Store) -> None:
    job = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-4", {"text": "restart"}))
    assert job is not None
    await store.add_approvals([approval(job.id, "mcpr_4", "mcpr_4", time.time() + 60)])
    continuation = NewJob("slack", "T1", "C1", "U1", "mcp:mcpr_4", {"text": ""})
    assert await store.remember_event("slack", "mcp:mcpr_4")  # its event was seen already
    assert await store.decide_approvals("mcpr_4", "approved", "U1", continuation) is None
    [left] = await store.approval_group("mcpr_4")
    assert (left.status, left.decided_by, left.continuation_job) == ("pending", None, None)


async def test_requests_go_with_their_jobs_and_with_a_forgotten_person(store: Store) -> None:
    old = await store.accept(NewJob("slack", "T1", "C1", "U1", "ev-5", {"text": "restart"}))
    other = await store.accept(NewJob("slack", "T1", "C1", "U2", "ev-6", {"text": "restart"}))
    assert old is not None and other is not None
    later = time.time() + 60
    await store.add_approvals([approval(old.id, "mcpr_5", "mcpr_5", later)])
    theirs = replace(approval(other.id, "mcpr_6", "mcpr_6", later), user="U2")
    await store.add_approvals([theirs, replace(theirs, id="mcpr_7", answers="mcpr_7")])
    continuation = NewJob("slack", "T1", "C1", "U2", "mcp:mcpr_7", {"text": ""})
    assert await store.decide_approvals("mcpr_7", "approved", "U1", continuation) is not None
    for job in (old, other):
        await store.finish_job(job.id, "answered")
    # The retention sweep: U1's old job goes, and its request with it.
    assert await store.delete_jobs("slack", user="U1") == 1
    assert await store.get_approval("mcpr_5") is None
    assert await store.get_approval("mcpr_6") is not None
    # Forgetting U1: the requests they asked go; on U2's they decided, their name goes.
    await store.add_approvals([approval(other.id, "mcpr_8", "mcpr_8", later)])  # U1 asked
    await store.forget_person("slack", "U1")
    assert await store.get_approval("mcpr_8") is None
    decided = await store.get_approval("mcpr_7")
    assert decided is not None and (decided.status, decided.decided_by) == ("approved", None)
    # Forgetting U2: their requests go, even with their jobs still there.
    await store.forget_person("slack", "U2")
    assert await store.get_approval("mcpr_6") is None
    assert await store.get_approval("mcpr_7") is None


async def test_a_channels_server_overrides_its_parents_and_the_workspaces(store: Store) -> None:
    from bot.mcp import channel_servers

    for channel, url in (("", "https://w"), ("C1", "https://c"), ("TH1", "https://t")):
        await store.save_mcp_server(McpServer("slack", "T1", channel, label="docs", url=url))
    await store.save_mcp_server(McpServer("slack", "T1", "", label="deploys", url="https://d"))

    def urls(servers: list[McpServer]) -> dict[str, str]:
        return {s.label: s.url for s in servers}

    in_thread = await channel_servers(store, "slack", "T1", ("C1", "TH1"))
    assert urls(in_thread) == {"docs": "https://t", "deploys": "https://d"}
    in_channel = await channel_servers(store, "slack", "T1", ("", "C1"))
    assert urls(in_channel) == {"docs": "https://c", "deploys": "https://d"}
    elsewhere = await channel_servers(store, "slack", "T1", ("", "C2"))
    assert urls(elsewhere) == {"docs": "https://w", "deploys": "https://d"}
