-- Version 17: remote MCP servers an admin configured per profile (workspace, or a channel),
-- and the tool calls of theirs that wait for a person's approval. Headers are kept as the
-- names of environment variables only (JSON: header name -> variable name), never values.
CREATE TABLE mcp_servers (
    platform          TEXT NOT NULL,
    workspace         TEXT NOT NULL,
    channel           TEXT NOT NULL,
    label             TEXT NOT NULL,
    url               TEXT NOT NULL,
    allowed_tools     TEXT,
    require_approval  TEXT NOT NULL DEFAULT 'always',
    headers           TEXT NOT NULL DEFAULT '{}',
    approvers         TEXT NOT NULL DEFAULT 'asker',
    added_by          TEXT NOT NULL DEFAULT '',
    added_at          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, channel, label)
);

-- One row per mcp_approval_request item. ``answers`` groups the requests of one response: a
-- click decides them together and queues one continuation job (``continuation_job``).
CREATE TABLE mcp_approvals (
    id                TEXT PRIMARY KEY,
    answers           TEXT NOT NULL,
    job_id            BIGINT NOT NULL,
    platform          TEXT NOT NULL,
    workspace         TEXT NOT NULL,
    channel           TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    server_label      TEXT NOT NULL,
    tool              TEXT NOT NULL,
    arguments         TEXT NOT NULL DEFAULT '',
    response_id       TEXT NOT NULL,
    approvers         TEXT NOT NULL DEFAULT 'asker',
    prompt            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'pending',
    decided_by        TEXT,
    created_at        DOUBLE PRECISION NOT NULL,
    expires_at        DOUBLE PRECISION NOT NULL,
    decided_at        DOUBLE PRECISION,
    continuation_job  BIGINT
);
CREATE INDEX mcp_approvals_pending ON mcp_approvals (expires_at) WHERE status = 'pending';
CREATE INDEX mcp_approvals_answers ON mcp_approvals (answers);
