"""Ratings of answers in SQL (``Ratings``): one row per person per answer."""

from __future__ import annotations

from storage.dialect import Tables, insert, values_of
from storage.records import Feedback, FeedbackCount

_KEY = "job_id = ? AND user_id = ?"


class FeedbackTables(Tables):
    async def save_feedback(self, feedback: Feedback) -> Feedback:
        values = values_of(feedback, stamp=("created_at", "updated_at"))
        # created_at is the first click's: a change of mind keeps it.
        change = "DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at"
        await self.db.execute(
            *insert("feedback", values, f"ON CONFLICT (job_id, user_id) {change}")
        )
        saved = await self.get_feedback(feedback.job_id, feedback.user)
        assert saved is not None
        return saved

    async def get_feedback(self, job_id: int, user: str) -> Feedback | None:
        return await self.one(Feedback, "feedback", _KEY, (job_id, user))

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
