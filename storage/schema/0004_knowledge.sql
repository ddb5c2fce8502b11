-- Version 4: document search. A thread's own vector store (documents its person attached),
-- and knowledge bases that admins fill for a workspace/guild ('' channel) or one channel.
ALTER TABLE threads ADD COLUMN vector_store_id TEXT;

CREATE TABLE knowledge_bases (
    platform         TEXT NOT NULL,
    workspace        TEXT NOT NULL,
    channel          TEXT NOT NULL DEFAULT '',
    vector_store_id  TEXT NOT NULL,
    created_at       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, channel)
);

CREATE TABLE knowledge_files (
    platform   TEXT NOT NULL,
    workspace  TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    file_id    TEXT NOT NULL,
    filename   TEXT NOT NULL,
    added_by   TEXT NOT NULL DEFAULT '',
    added_at   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, workspace, channel, file_id)
);
