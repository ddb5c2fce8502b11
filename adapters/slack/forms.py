"""Slack modals for the forms a command asks for (``bot.admin.ModalRequest``).

The modal carries what its submission needs in ``private_metadata`` (the form's id and the
channel the command came from), so nothing is kept in memory between the two requests.
"""

from __future__ import annotations

import json
from typing import Any

from bot.admin import ModalRequest

CALLBACK_ID = "assistant-form"
_BLOCK, _ACTION = "value", "text"
_TITLE_LIMIT = 24  # Slack's limit for a modal title
_INPUT_LIMIT = 3000  # and for a plain-text input


def modal_view(request: ModalRequest, *, channel: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"id": request.id, "channel": channel}),
        "title": {"type": "plain_text", "text": request.title[:_TITLE_LIMIT]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": _BLOCK,
                "label": {"type": "plain_text", "text": request.label[:2000]},
                "element": {
                    "type": "plain_text_input",
                    "action_id": _ACTION,
                    "multiline": True,
                    "max_length": _INPUT_LIMIT,
                    "initial_value": request.value[:_INPUT_LIMIT],
                },
            }
        ],
    }


def submitted(view: dict[str, Any]) -> tuple[str, str, str]:
    """(form id, channel, value) of a ``view_submission``."""
    meta = json.loads(view.get("private_metadata") or "{}")
    state = view.get("state", {}).get("values", {})
    value = state.get(_BLOCK, {}).get(_ACTION, {}).get("value") or ""
    return str(meta.get("id", "")), str(meta.get("channel", "")), str(value)
