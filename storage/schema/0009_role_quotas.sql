-- Version 9: daily limits per role (a Discord role id; on Slack "admin" or "member"), which
-- replace the workspace's and channel's limits for people with that role.
CREATE TABLE role_quotas (
    platform          TEXT NOT NULL,
    workspace         TEXT NOT NULL,
    role              TEXT NOT NULL,
    messages_per_day  INTEGER,
    tokens_per_day    BIGINT,
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, role)
);
