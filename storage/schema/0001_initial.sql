-- Version 1: profiles, threads, thread files, the inbox, inbound event ids, runs.
-- Written with PostgreSQL's types; SQLite reads them through storage/sqlite.py's ddl()
-- (identity ids become INTEGER PRIMARY KEY, DOUBLE PRECISION epoch seconds REAL: on
-- PostgreSQL, REAL is 4 bytes and would round them).
CREATE TABLE profiles (
    platform      TEXT NOT NULL,
    workspace     TEXT NOT NULL,
    channel       TEXT NOT NULL DEFAULT '',
    model         TEXT,
    instructions  TEXT,
    tools         TEXT,
    run_mode      TEXT,
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);

CREATE TABLE threads (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         TEXT NOT NULL,
    workspace        TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    profile_key      TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    created_at       DOUBLE PRECISION NOT NULL,
    last_used_at     DOUBLE PRECISION NOT NULL,
    archived_at      DOUBLE PRECISION
);
CREATE INDEX threads_owner ON threads (platform, workspace, user_id, profile_key, archived_at);

CREATE TABLE thread_files (
    thread_id   BIGINT NOT NULL REFERENCES threads (id),
    file_id     TEXT NOT NULL,
    filename    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (thread_id, file_id)
);

CREATE TABLE inbound_events (
    platform  TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    seen_at   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, event_id)
);

CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     TEXT NOT NULL,
    workspace    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    thread_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    reply_state  TEXT NOT NULL DEFAULT '{}',
    error        TEXT,
    created_at   DOUBLE PRECISION NOT NULL,
    updated_at   DOUBLE PRECISION NOT NULL,
    UNIQUE (platform, event_id)
);
CREATE INDEX jobs_status_thread ON jobs (status, thread_key, id);

CREATE TABLE runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id         BIGINT NOT NULL REFERENCES jobs (id),
    thread_id      BIGINT NOT NULL REFERENCES threads (id),
    mode           TEXT NOT NULL,
    status         TEXT NOT NULL,
    response_id    TEXT,
    last_sequence  INTEGER,
    input_tokens   BIGINT NOT NULL DEFAULT 0,
    output_tokens  BIGINT NOT NULL DEFAULT 0,
    error          TEXT,
    started_at     DOUBLE PRECISION NOT NULL,
    finished_at    DOUBLE PRECISION
);
CREATE INDEX runs_job ON runs (job_id);
