"""Buttons under an answer, platform-neutral: the adapters draw them (Slack blocks, Discord
components) and route a click back by ``action`` with the ``value`` it carries.

``feedback`` buttons are the thumbs up/down every complete answer carries (Slack draws them
with its own ``feedback_buttons`` element); ``choice`` buttons are ordinary ones (an MCP
tool call waiting for approval)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ButtonStyle = Literal["default", "primary", "danger"]

FEEDBACK = "feedback"
"""The action of the thumbs up/down buttons."""
SEPARATOR = ":"


@dataclass(frozen=True)
class Button:
    label: str
    value: str
    """What a click carries back (Slack: the button's ``value``; Discord: after the action in
    the ``custom_id``, so at most 90 characters)."""
    style: ButtonStyle = "default"
    description: str = ""
    """For screen readers (Slack's ``accessibility_label``)."""


@dataclass(frozen=True)
class Buttons:
    kind: Literal["feedback", "choice"]
    action: str
    """Which handler a click goes to."""
    buttons: tuple[Button, ...]


def custom_id(action: str, value: str) -> str:
    """One string for both (Discord's ``custom_id``, at most 100 characters)."""
    return f"{action}{SEPARATOR}{value}"[:100]


def parse_custom_id(raw: str) -> tuple[str, str]:
    action, _, value = raw.partition(SEPARATOR)
    return action, value


@dataclass(frozen=True)
class RatingValue:
    """What a thumbs button carries: the answer (its inbox job), up or down, and the profile
    that answered."""

    job_id: int
    rating: Literal["up", "down"]
    profile: str = ""

    def encode(self) -> str:
        return f"{self.rating}{SEPARATOR}{self.job_id}{SEPARATOR}{self.profile}"

    @classmethod
    def decode(cls, raw: str) -> RatingValue | None:
        rating, _, rest = raw.partition(SEPARATOR)
        job, _, profile = rest.partition(SEPARATOR)
        if rating not in ("up", "down") or not job.isdigit():
            return None
        return cls(int(job), "up" if rating == "up" else "down", profile[:64])
