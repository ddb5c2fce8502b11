"""Block Kit in the Slack emulator: the blocks a message may carry (checked as Slack
documents them), what they show, and the ``block_actions`` payload Slack sends when someone
clicks a button in them."""

from __future__ import annotations

import json
from typing import Any

from tests.slack_emulator_events import (
    APP_ID,
    JSON,
    MARKDOWN_LIMIT,
    TEAM_ID,
    Message,
    new_id,
    new_ts,
)

BUTTON_TEXT = 75
BUTTON_VALUE = 2000


def parse_blocks(args: JSON) -> list[JSON] | None:
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return blocks if isinstance(blocks, list) else None


def _plain(text: Any) -> bool:
    return (
        isinstance(text, dict)
        and text.get("type") == "plain_text"
        and 0 < len(str(text.get("text") or "")) <= BUTTON_TEXT
    )


def _feedback_problems(element: JSON) -> list[str]:
    problems = []
    for side in ("positive_button", "negative_button"):
        button = element.get(side)
        if not isinstance(button, dict) or not _plain(button.get("text")):
            problems.append(f"{side}.text")
        elif not 0 < len(str(button.get("value") or "")) <= BUTTON_VALUE:
            problems.append(f"{side}.value")
    return problems


def block_problems(blocks: list[JSON]) -> list[str]:
    """What Slack would refuse (``invalid_blocks``) in the blocks this emulator knows."""
    problems: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "markdown":
            if not 0 < len(str(block.get("text") or "")) <= MARKDOWN_LIMIT:
                problems.append("markdown.text")
        elif kind == "context_actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 5:
                problems.append("context_actions.elements")
            for element in elements:
                if element.get("type") == "feedback_buttons":
                    problems += _feedback_problems(element)
                elif element.get("type") != "icon_button":
                    problems.append(f"context_actions: {element.get('type')}")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 25:
                problems.append("actions.elements")
            for element in elements:
                if element.get("type") == "button" and not (
                    _plain(element.get("text"))
                    and element.get("action_id")
                    and len(str(element.get("value") or "")) <= BUTTON_VALUE
                    and element.get("style") in (None, "primary", "danger")
                ):
                    problems.append("actions.button")
        elif kind not in ("section", "context", "divider", "rich_text", "header"):
            problems.append(f"unknown block {kind}")
    return problems


def markdown_of(blocks: list[JSON]) -> str | None:
    """The text of a message's ``markdown`` blocks (what the person reads), if any."""
    texts = [str(b.get("text") or "") for b in blocks if b.get("type") == "markdown"]
    return "\n".join(texts) if texts else None


def buttons_of(message: Message) -> list[JSON]:
    """The interactive elements the message shows: feedback buttons and buttons."""
    found: list[JSON] = []
    for block in message.blocks or []:
        if block.get("type") in ("context_actions", "actions"):
            found += [{**e, "block_id": block.get("block_id") or ""} for e in block["elements"]]
    return found


def block_actions(
    message: Message,
    element: JSON,
    *,
    user: str,
    positive: bool | None = None,
    team_id: str = TEAM_ID,
) -> JSON:
    """The interactive payload when ``user`` clicks ``element`` of ``message`` (for feedback
    buttons, the thumb ``positive`` says)."""
    if element["type"] == "feedback_buttons":
        side = "positive_button" if positive else "negative_button"
        action = {
            "type": "feedback_buttons",
            "action_id": element["action_id"],
            "block_id": element["block_id"],
            "value": element[side]["value"],
            "action_ts": new_ts(),
        }
    else:
        action = {
            "type": "button",
            "action_id": element["action_id"],
            "block_id": element["block_id"],
            "text": element["text"],
            "value": element.get("value", ""),
            "action_ts": new_ts(),
        }
        if element.get("style"):
            action["style"] = element["style"]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": False,
            **({"thread_ts": message.thread_ts} if message.thread_ts else {}),
        },
        "trigger_id": new_id("trig."),
        "team": {"id": team_id, "domain": "emulated"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": message.channel, "name": "general"},
        "message": {**message.to_json(), "blocks": as_stored(message.blocks or [])},
        "state": {"values": {}},
        "response_url": f"https://hooks.slack.invalid/actions/{team_id}/1/x",
        "actions": [action],
    }


def as_stored(blocks: list[JSON]) -> list[JSON]:
    """Blocks as Slack gives them back: a ``markdown`` block is translated into others (here
    one ``rich_text`` section with its text; Slack may make several blocks of one)."""
    stored: list[JSON] = []
    for block in blocks:
        if block.get("type") != "markdown":
            stored.append(block)
            continue
        section = {
            "type": "rich_text_section",
            "elements": [{"type": "text", "text": block["text"]}],
        }
        stored.append({"type": "rich_text", "block_id": new_id("b"), "elements": [section]})
    return stored
