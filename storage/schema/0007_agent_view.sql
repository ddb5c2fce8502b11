-- Version 7: Slack's Agent messaging experience. Suggested prompts an admin wrote for the
-- workspace (a profile setting, so they get history and rollback like the others), and what
-- the bot remembers about a person between messages: when it greeted them, and what they last
-- looked at (a channel, or a thread in it), so "summarise this channel" works after a restart
-- and in whichever process takes the message.
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
