"""Discord modals for the forms a command asks for (``bot.admin.ModalRequest``).

A form is stateless: its ``custom_id`` names the form (``assistant-form:config.instructions``)
and the submit interaction carries the channel, the member and their permissions, so a form
opened before a restart is still saved after it, and the admin check runs again on submit.

A text input holds at most 4,000 characters and a modal at most five of them: a longer
text is shown across several fields, cut at line breaks, and joined again on submit.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.admin import ModalRequest

FORM_PREFIX = "assistant-form:"
FIELD_LIMIT = 4000
"""Discord's limit for a text input's value (``max_length``)."""
MAX_FIELDS = 5
"""Components in one modal."""
TITLE_LIMIT = 45
LABEL_LIMIT = 45
_PART = re.compile(r"part(\d)")


def split_value(text: str, limit: int = FIELD_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a line break (else at a
    space, else anywhere) whose character is dropped: ``join_parts`` puts a line break back."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            parts.append(rest[:limit])
            rest = rest[limit:]
            continue
        parts.append(rest[:cut])
        rest = rest[cut + 1 :]
    parts.append(rest)
    return parts


def join_parts(parts: list[str]) -> str:
    return "\n".join(part for part in parts if part)


def form_modal(request: ModalRequest) -> discord.ui.Modal | None:
    """The modal for a form, pre-filled; ``None`` when the value is too long for one."""
    parts = split_value(request.value)
    if len(parts) > MAX_FIELDS:
        return None
    if len(parts) < MAX_FIELDS and len(parts[-1]) > FIELD_LIMIT * 3 // 4:
        parts.append("")  # room to write more
    modal = discord.ui.Modal(
        title=request.title[:TITLE_LIMIT], custom_id=FORM_PREFIX + request.id, timeout=None
    )
    for number, part in enumerate(parts, 1):
        label = request.label if number == 1 else f"{request.label} ({number})"
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.long,
            custom_id=f"part{number}",
            default=part or None,
            required=False,
            max_length=FIELD_LIMIT,
        )
        modal.add_item(discord.ui.Label(text=label[:LABEL_LIMIT], component=field))
    # Not kept in discord.py's view store: the submit is routed by custom_id (``submitted``).
    modal.stop()
    return modal


def submitted(data: dict[str, Any]) -> tuple[str, str] | None:
    """(form id, value) of a modal submit's ``data``, or ``None`` if it is not our form."""
    custom_id = str(data.get("custom_id") or "")
    if not custom_id.startswith(FORM_PREFIX):
        return None
    values: dict[int, str] = {}

    def collect(components: list[dict[str, Any]]) -> None:
        for component in components:
            if component.get("type") == 1:  # action row (older modals)
                collect(component.get("components") or [])
            elif component.get("type") == 18:  # label
                collect([component.get("component") or {}])
            elif match := _PART.fullmatch(str(component.get("custom_id", ""))):
                values[int(match.group(1))] = str(component.get("value") or "")

    collect(data.get("components") or [])
    parts = [values[number] for number in sorted(values)]
    return custom_id.removeprefix(FORM_PREFIX), join_parts(parts)
