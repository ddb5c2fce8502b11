-- Version 6: platform rate limits shared by several bot processes on one database (only
-- PostgreSQL uses these; SQLite serves one process, whose budgets live in memory).
-- rate_calls: one row per call a shared budget let through, kept for the budget's window.
-- bot_processes: the processes spending a platform's limits, and when each was last seen.
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
