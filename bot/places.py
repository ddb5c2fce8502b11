"""Where a job was asked, in the order a record's place takes it."""

from __future__ import annotations

from storage.records import Job


def place(job: Job) -> tuple[str, str, str]:
    """The job's platform, workspace and channel: the first fields of an ``InChannel`` record
    (``Feedback(*place(job), …)``) and of a ``ToolContext``."""
    return job.platform, job.workspace, job.channel
