-- Version 12: privacy. A workspace's retention period (days after which idle conversations
-- are deleted, here and on OpenAI), and a mark on a thread being deleted: set by the process
-- that claimed the deletion, so another process leaves it alone unless the mark is stale.
ALTER TABLE profiles ADD COLUMN retention_days INTEGER;
ALTER TABLE threads ADD COLUMN deleting_at DOUBLE PRECISION;
CREATE INDEX threads_idle ON threads (platform, workspace, last_used_at);
