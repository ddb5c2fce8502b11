"""Message components in the Discord emulator: the buttons a message may carry (checked as
Discord documents them: action rows of at most 5 buttons, ``custom_id`` up to 100
characters, a label or an emoji), and a person's click on one (INTERACTION_CREATE type 3,
MESSAGE_COMPONENT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.discord_emulator import DiscordEmulator, Interaction, User

JSON = dict[str, Any]
ACTION_ROW, BUTTON = 1, 2
LINK_STYLE = 5


def component_problems(components: list[JSON]) -> list[str]:
    problems: list[str] = []
    if len(components) > 5:
        problems.append("more than 5 action rows")
    for row in components:
        if row.get("type") != ACTION_ROW:
            problems.append(f"top-level component type {row.get('type')}")
            continue
        buttons = row.get("components") or []
        if not 0 < len(buttons) <= 5:
            problems.append("an action row holds 1 to 5 buttons")
        for button in buttons:
            if button.get("type") != BUTTON:
                continue
            style = button.get("style")
            if style not in (1, 2, 3, 4, 5, 6):
                problems.append(f"button style {style}")
            if style != LINK_STYLE and not 0 < len(str(button.get("custom_id") or "")) <= 100:
                problems.append("custom_id")
            if not button.get("label") and not button.get("emoji"):
                problems.append("a button needs a label or an emoji")
            if len(str(button.get("label") or "")) > 80:
                problems.append("label")
    return problems


def buttons_of(message: JSON) -> list[JSON]:
    return [
        button
        for row in message.get("components") or []
        for button in row.get("components") or []
        if button.get("type") == BUTTON
    ]


async def click(
    emu: DiscordEmulator, user: User, message: JSON, custom_id: str, *, locale: str = "en-US"
) -> Interaction:
    """``user`` clicks the button ``custom_id`` of ``message`` (which must show it)."""
    if custom_id not in [b.get("custom_id") for b in buttons_of(message)]:
        raise ValueError(f"the message shows no button {custom_id!r}")
    data = {"custom_id": custom_id, "component_type": BUTTON}
    return await emu._interact(
        user, int(message["channel_id"]), 3, data, locale=locale, extra={"message": message}
    )
