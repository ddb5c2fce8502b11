"""Buttons under a Slack message, drawn as Block Kit: the thumbs up/down as a
``context_actions`` block with Slack's own ``feedback_buttons`` element, other choices as an
``actions`` block of buttons. A message with blocks carries its Markdown in a ``markdown``
block (``markdown_text`` may not be sent with ``blocks``) and a plain ``text`` fallback for
notifications."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextActionsBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    MarkdownBlock,
)

from bot.buttons import Buttons

FALLBACK_LENGTH = 3_000
"""How much of the text goes in the notification fallback (``text``)."""


def button_blocks(buttons: Buttons) -> list[dict[str, Any]]:
    if buttons.kind == "feedback":
        up, down = buttons.buttons[:2]
        element = FeedbackButtonsElement(
            action_id=buttons.action,
            positive_button=FeedbackButtonObject(
                text=up.label, value=up.value, accessibility_label=up.description or None
            ),
            negative_button=FeedbackButtonObject(
                text=down.label, value=down.value, accessibility_label=down.description or None
            ),
        )
        return [ContextActionsBlock(elements=[element]).to_dict()]
    elements = [
        ButtonElement(
            text=button.label[:75],
            action_id=f"{buttons.action}-{index}",
            value=button.value,
            style=None if button.style == "default" else button.style,
            accessibility_label=button.description or None,
        )
        for index, button in enumerate(buttons.buttons)
    ]
    return [ActionsBlock(elements=elements).to_dict()]


def with_buttons(text: str, buttons: Buttons | None) -> dict[str, Any]:
    """The arguments of a message (post or update) that shows ``text`` above ``buttons``
    (``None``: no buttons, taking away those it showed)."""
    blocks = [MarkdownBlock(text=text).to_dict()] if text else []
    actions = button_blocks(buttons) if buttons is not None else []
    return {"text": text[:FALLBACK_LENGTH] or " ", "blocks": blocks + actions}
