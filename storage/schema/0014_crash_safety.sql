-- Version 14: exactly one message per answer across a crash. open_replies counts the messages
-- of a job's reply that the platform still shows as being written (Slack native streams,
-- listed in reply_state under "open"): start-up recovery closes those of finished jobs.
-- bot_threads: the platform threads the bot answers in, so a follow-up there without a
-- mention is answered after a restart and by every process on a shared database.
ALTER TABLE jobs ADD COLUMN open_replies INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_open_replies ON jobs (status) WHERE open_replies > 0;

CREATE TABLE bot_threads (
    platform    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    thread      TEXT NOT NULL,
    started_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, channel, thread)
);
