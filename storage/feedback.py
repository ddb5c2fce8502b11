"""Ratings of answers in SQL (``Ratings``): one row per person per answer."""

from __future__ import annotations

import time
from dataclasses import replace

from storage.dialect import Tables, first
from storage.records import Feedback, FeedbackCount

_KEY = "job_id = ? AND user_id = ?"


class FeedbackTables(Tables):
    async def save_feedback(self, feedback: Feedback) -> Feedback:
        now = time.time()
        stamped = replace(feedback, updated_at=feedback.updated_at or now)
        # created_at is the first click's: a change of mind keeps it.
        await self.db.execute(
            "INSERT INTO feedback (job_id, user_id, platform, workspace, channel, profile,"
            " response_id, rating, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (job_id, user_id) DO UPDATE SET rating = excluded.rating,"
            " updated_at = excluded.updated_at",
            (
                stamped.job_id,
                stamped.user,
                stamped.platform,
                stamped.workspace,
                stamped.channel,
                stamped.profile,
                stamped.response_id,
                stamped.rating,
                stamped.created_at or now,
                stamped.updated_at,
            ),
        )
        saved = await self.get_feedback(feedback.job_id, feedback.user)
        assert saved is not None
        return saved

    async def get_feedback(self, job_id: int, user: str) -> Feedback | None:
        found = await self.select(Feedback, "feedback", _KEY, (job_id, user), user="user_id")
        return first(found)

    async def feedback_counts(
        self, platform: str, workspace: str, since: float
    ) -> list[FeedbackCount]:
        rows = await self.db.fetch(
            "SELECT profile, SUM(CASE WHEN rating = 'up' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN rating = 'down' THEN 1 ELSE 0 END) FROM feedback"
            " WHERE platform = ? AND workspace = ? AND updated_at >= ?"
            " GROUP BY profile ORDER BY profile",
            (platform, workspace, since),
        )
        return [FeedbackCount(str(r[0]), int(r[1]), int(r[2])) for r in rows]
