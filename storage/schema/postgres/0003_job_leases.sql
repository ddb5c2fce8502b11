-- Version 3 on PostgreSQL: who holds a running job and until when (DOUBLE PRECISION epoch
-- seconds, as every time here). A job whose worker died goes back to the queue.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN lease_until DOUBLE PRECISION;
CREATE INDEX jobs_leases ON jobs (status, lease_until);
