-- Version 16: thumbs up/down on answers. One row per person per answer (the inbox job the
-- answer was for): a second click changes the rating. ``profile`` is the key of the profile
-- that answered ('' for the workspace's), so the usage report counts ratings per profile.
CREATE TABLE feedback (
    job_id       BIGINT NOT NULL,
    user_id      TEXT NOT NULL,
    platform     TEXT NOT NULL,
    workspace    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    profile      TEXT NOT NULL DEFAULT '',
    response_id  TEXT,
    rating       TEXT NOT NULL,
    created_at   DOUBLE PRECISION NOT NULL,
    updated_at   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, user_id)
);
CREATE INDEX feedback_workspace ON feedback (platform, workspace, updated_at);
