"""MCP tool calls that wait for a person's approval: the prompt with Approve / Deny buttons,
and a click on them.

A response that ends with ``mcp_approval_request`` items ends the job: its requests are
recorded (with when they expire), then the answer shows them with buttons. A click by the
person who asked (or an admin, where every server of those requests says so) decides every
request of that response and, in the same transaction, queues a job that continues the
answer with
``mcp_approval_response`` items, so a crash between the click and the continuation loses
nothing. Anyone else is refused; a click after the expiry is refused too
(``bot.mcp_expiry`` edits the prompt when the time is up)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.buttons import SEPARATOR, Button, Buttons
from bot.events import ApprovalRequest
from bot.i18n import t
from bot.places import place
from bot.ports import Inbox, McpTools
from storage.records import CONTINUATION_EVENT, ApprovalStatus, Job, McpApproval, NewJob

log = logging.getLogger(__name__)

MCP_ACTION = "mcp"
APPROVE, DENY = "a", "d"
ARGUMENTS_SHOWN = 200
"""Characters of a tool call's arguments shown in its prompt."""
NAME_SHOWN = 64
"""Characters of a tool's name (which the MCP server chooses) shown in its prompt."""
JOINER = "\u2060"


class ApprovalStore(Inbox, McpTools, Protocol):
    """What approvals need: the answer's job, and the requests."""


def _inline(raw: str, limit: int) -> str:
    """``raw`` (from the model or an MCP server) fit for inside backticks: one line, no
    backtick to close the span early, no ``@`` that could mention anyone (a word joiner
    after it), at most ``limit`` characters."""
    flat = " ".join(raw.split()).replace("`", "'").replace("@", "@" + JOINER)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _arguments(raw: str) -> str:
    return _inline(raw, ARGUMENTS_SHOWN)


def prompt_text(lang: str, requests: Sequence[ApprovalRequest], timeout: float) -> str:
    lines = []
    for request in requests:
        tool = _inline(request.name, NAME_SHOWN)
        arguments = _arguments(request.arguments)
        if arguments in ("", "{}"):
            line = t(lang, "mcp.approval.request.bare", label=request.server_label, tool=tool)
        else:
            line = t(
                lang,
                "mcp.approval.request",
                label=request.server_label,
                tool=tool,
                arguments=arguments,
            )
        lines.append(line)
    lines.append(t(lang, "mcp.approval.ask", minutes=max(1, round(timeout / 60))))
    return "\n".join(lines)


def approval_buttons(lang: str, answers: str) -> Buttons:
    return Buttons(
        "choice",
        MCP_ACTION,
        (
            Button(t(lang, "mcp.approve"), f"{APPROVE}{SEPARATOR}{answers}", "primary"),
            Button(t(lang, "mcp.deny"), f"{DENY}{SEPARATOR}{answers}", "danger"),
        ),
    )


def pending_approvals(
    job: Job,
    response_id: str,
    requests: Sequence[ApprovalRequest],
    *,
    approvers: Mapping[str, str],
    prompt: str,
    timeout: float,
) -> list[McpApproval]:
    """The records of a response's requests, decided together by one click."""
    now = time.time()
    answers = requests[0].id
    return [
        McpApproval(
            *place(job),
            id=request.id,
            answers=answers,
            job_id=job.id,
            user=job.user,
            server_label=request.server_label,
            tool=request.name,
            arguments=request.arguments[:4000],
            response_id=response_id,
            expires_at=now + timeout,
            approvers=approvers.get(request.server_label, "asker"),
            prompt=prompt,
            created_at=now,
        )
        for request in requests
    ]


def approval_inputs(continues: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The input items of a job that continues an answer after a decision."""
    return [
        {
            "type": "mcp_approval_response",
            "approval_request_id": str(a["id"]),
            "approve": bool(a["approve"]),
        }
        for a in continues.get("approvals") or ()
    ]


@dataclass(frozen=True)
class ApprovalClick:
    """Who clicked Approve or Deny, where; ``reply_to`` is where the continued answer goes
    when the adapter wants it elsewhere than the original answer (Discord: under the
    prompt)."""

    platform: str
    user: str
    value: str
    is_admin: bool = False
    reply_to: Mapping[str, object] | None = None


@dataclass(frozen=True)
class ApprovalOutcome:
    text: str
    """The sentence for the person who clicked (only they see it)."""
    prompt: str | None = None
    """The prompt as it was shown (the model's text in it), once decided (its buttons go)."""
    decision: str = ""
    """The line to show under it, saying who decided: our words and a mention of the person
    who clicked (``<@ID>``), the one mention an adapter may let render."""
    continued: Job | None = None
    """The job that continues the answer, queued."""


async def decide(store: ApprovalStore, click: ApprovalClick, lang: str) -> ApprovalOutcome:
    decision, _, answers = click.value.partition(SEPARATOR)
    group = await store.approval_group(answers) if decision in (APPROVE, DENY) else []
    if not group or group[0].platform != click.platform:
        log.info("a click on an unknown approval (%r) by %s", click.value[:60], click.user)
        return ApprovalOutcome(t(lang, "mcp.unknown"))
    first = group[0]
    # One click decides every request of the response: an admin only where each allows it.
    admins = all(a.approvers == "admins" for a in group)
    if click.user != first.user and not (admins and click.is_admin):
        log.info("approval %s refused to %s: not theirs to answer", answers, click.user)
        return ApprovalOutcome(t(lang, "mcp.not_yours.admins" if admins else "mcp.not_yours"))
    refusal = _closed(first)
    if refusal is not None:
        return ApprovalOutcome(t(lang, refusal))
    job = await store.get_job(first.job_id)
    if job is None:
        return ApprovalOutcome(t(lang, "mcp.unknown"))
    approve = decision == APPROVE
    event_id = f"{CONTINUATION_EVENT}{answers}"
    payload = {
        **job.payload,
        "event_id": event_id,
        "text": "",
        "attachments": [],
        "continues": {
            "answers": answers,
            "response_id": first.response_id,
            "approvals": [{"id": a.id, "approve": approve} for a in group],
        },
    }
    if click.reply_to is not None:
        payload["reply_to"] = dict(click.reply_to)
    continuation = NewJob(
        job.platform, job.workspace, job.channel, job.user, event_id, payload, job.thread_key
    )
    status: ApprovalStatus = "approved" if approve else "denied"
    queued = await store.decide_approvals(answers, status, click.user, continuation)
    if queued is None:  # decided or expired meanwhile (another click, the expiry)
        now = await store.get_approval(first.id)
        why = _closed(now) if now is not None else None
        return ApprovalOutcome(t(lang, why or "mcp.already"))
    log.info(
        "MCP approval %s %s by %s; job %d continues it", answers, status, click.user, queued.id
    )
    decision = t(lang, "mcp.approved" if approve else "mcp.denied", user=f"<@{click.user}>")
    text = t(lang, "mcp.click.approved" if approve else "mcp.click.denied")
    return ApprovalOutcome(text, prompt=first.prompt, decision=decision, continued=queued)


def _closed(approval: McpApproval) -> str | None:
    """Why a click can no longer decide it, or None while it waits."""
    if approval.status == "expired" or (
        approval.status == "pending" and approval.expires_at <= time.time()
    ):
        return "mcp.too_late"
    if approval.status != "pending":
        return "mcp.already"
    return None
