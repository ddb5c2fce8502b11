-- Version 3: who holds a running job and until when; a job whose worker died (its lease ran
-- out without a heartbeat) goes back to the queue and another worker takes it.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN lease_until DOUBLE PRECISION;
CREATE INDEX jobs_leases ON jobs (status, lease_until);
