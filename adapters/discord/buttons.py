"""Buttons under a Discord message: an action row of buttons whose ``custom_id`` names the
action and the value a click carries back (``bot.buttons``). Clicks are routed by that id in
``on_interaction``, so buttons keep working after a restart; the views are never stored in
discord.py's view store (they are stopped before they are sent)."""

from __future__ import annotations

from typing import Any

import discord

from bot.buttons import Buttons, custom_id

_STYLES = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}
_THUMBS = ("👍", "👎")


def button_view(buttons: Buttons) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(buttons.buttons):
        thumb = buttons.kind == "feedback" and index < len(_THUMBS)
        view.add_item(
            discord.ui.Button(
                style=_STYLES[button.style],
                label=None if thumb else button.label[:80],
                emoji=_THUMBS[index] if thumb else None,
                custom_id=custom_id(buttons.action, button.value),
            )
        )
    view.stop()  # routed by custom_id in on_interaction, not by discord.py's view store
    return view


class ButtonsOnMessages:
    """Which message of a reply shows buttons: the one the next call after ``set_buttons``
    addresses (``bot.types.ReplyTarget.set_buttons``)."""

    def __init__(self) -> None:
        self._next: Buttons | None = None
        self._marked = False
        self._shown: dict[str, Buttons | None] = {}

    def set_buttons(self, buttons: Buttons | None) -> None:
        self._next, self._marked = buttons, True

    def pending(self) -> dict[str, Any]:
        """The ``view`` argument of a new message, when the next call posts one."""
        if self._marked and self._next is not None:
            return {"view": button_view(self._next)}
        return {}

    def claim(self, ref: str) -> None:
        if self._marked:
            self._marked = False
            self._shown[ref] = self._next

    def moved(self, old: str, new: str) -> None:
        if old in self._shown:
            self._shown[new] = self._shown.pop(old)

    def view_of(self, ref: str) -> dict[str, Any]:
        """The ``view`` argument of an edit: the buttons, ``None`` to take them away, or
        nothing (the message keeps what it shows)."""
        if ref not in self._shown:
            return {}
        buttons = self._shown[ref]
        return {"view": button_view(buttons) if buttons is not None else None}

    def unclaim(self, ref: str) -> None:
        """The message is gone: its buttons go with the next call (a new message)."""
        if ref in self._shown:
            self._next, self._marked = self._shown.pop(ref), True

    def hand_to(self, other: Any) -> None:
        """The next call goes to another target (``ChannelReply``): the mark goes with it."""
        if self._marked:
            self._marked = False
            other.set_buttons(self._next)
