-- Version 7 on PostgreSQL (DOUBLE PRECISION epoch seconds): admin-written suggested prompts
-- per workspace, and what the bot remembers about a person (greeted when, looking at what).
ALTER TABLE profiles ADD COLUMN prompts TEXT;

CREATE TABLE people (
    platform      TEXT NOT NULL,
    workspace     TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    greeted_at    DOUBLE PRECISION,
    view_channel  TEXT,
    view_thread   TEXT,
    view_at       DOUBLE PRECISION,
    PRIMARY KEY (platform, workspace, user_id)
);
