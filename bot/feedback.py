"""Thumbs up/down on answers: the buttons a complete answer carries, and a click on them.

Only the person who asked may rate their answer; a second click changes their rating (one
row per person per answer). The adapters acknowledge with the returned sentence, seen only by
the person who clicked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.buttons import FEEDBACK, Button, Buttons, RatingValue
from bot.i18n import t
from bot.places import place
from bot.ports import Inbox, Ratings, RunLog
from storage.records import Feedback

log = logging.getLogger(__name__)


class FeedbackStore(Inbox, RunLog, Ratings, Protocol):
    """What a click needs: the answer's job and run, and the ratings."""


def feedback_buttons(lang: str, job_id: int, profile: str) -> Buttons:
    def button(rating: str) -> Button:
        value = RatingValue(job_id, "up" if rating == "up" else "down", profile)
        return Button(
            t(lang, f"feedback.{rating}.label"),
            value.encode(),
            description=t(lang, f"feedback.{rating}.description"),
        )

    return Buttons("feedback", FEEDBACK, (button("up"), button("down")))


@dataclass(frozen=True)
class FeedbackClick:
    """Who clicked which thumb, where (the platform's own ids)."""

    platform: str
    workspace: str
    channel: str
    user: str
    value: str


async def rate_answer(store: FeedbackStore, click: FeedbackClick, lang: str) -> str:
    """Store the rating if the clicker asked the question; the sentence to show them."""
    value = RatingValue.decode(click.value)
    job = await store.get_job(value.job_id) if value is not None else None
    if value is None or job is None or job.platform != click.platform:
        log.info("feedback on an unknown answer (%r) from %s", click.value[:40], click.user)
        return t(lang, "feedback.unknown")
    if job.user != click.user:
        log.info("feedback on job %d refused: %s did not ask it", job.id, click.user)
        return t(lang, "feedback.not_yours")
    before = await store.get_feedback(job.id, click.user)
    run = await store.latest_run(job.id)
    await store.save_feedback(
        Feedback(
            *place(job),
            job_id=job.id,
            user=click.user,
            rating=value.rating,
            profile=value.profile,
            response_id=run.response_id if run is not None else None,
        )
    )
    log.info("job %d rated %s by %s", job.id, value.rating, click.user)
    changed = before is not None and before.rating != value.rating
    return t(lang, f"feedback.{'changed' if changed else 'saved'}.{value.rating}")
