-- Version 8: OpenAI-compatible Chat Completions servers as a second model backend. A profile
-- may choose its model API and server (the key stays in the environment); with no
-- Conversations API on such servers, each thread's messages are kept here, in order.
ALTER TABLE profiles ADD COLUMN model_api TEXT;
ALTER TABLE profiles ADD COLUMN base_url TEXT;

CREATE TABLE chat_messages (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    message          TEXT NOT NULL,
    tokens           INTEGER NOT NULL,
    created_at       DOUBLE PRECISION NOT NULL
);
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, id);
