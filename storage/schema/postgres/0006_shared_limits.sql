-- Version 6 on PostgreSQL: platform rate limits shared by several bot processes. rate_calls
-- holds one row per call a shared budget let through, for the budget's window; bot_processes
-- the processes spending a platform's limits. Times are the server's clock (epoch seconds).
CREATE TABLE rate_calls (
    budget_key  TEXT NOT NULL,
    at          DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_calls_key_at ON rate_calls (budget_key, at);

CREATE TABLE bot_processes (
    platform  TEXT NOT NULL,
    worker    TEXT NOT NULL,
    seen_at   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (platform, worker)
);
