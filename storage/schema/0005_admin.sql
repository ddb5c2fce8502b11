-- Version 5: admin controls. The workspace's language, every profile change (who, when,
-- old and new value as JSON) for history and rollback, per-user daily quotas, and an index
-- to count a person's usage by day.
ALTER TABLE profiles ADD COLUMN language TEXT;

CREATE TABLE profile_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    TEXT NOT NULL,
    workspace   TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    changed_by  TEXT NOT NULL,
    changed_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX profile_changes_scope ON profile_changes (platform, workspace, id);

CREATE TABLE quotas (
    platform          TEXT NOT NULL,
    workspace         TEXT NOT NULL,
    channel           TEXT NOT NULL DEFAULT '',
    messages_per_day  INTEGER,
    tokens_per_day    BIGINT,
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);

CREATE INDEX runs_started ON runs (started_at);
