-- Version 2: who holds a running job and until when, so a job whose worker died is taken over.
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN lease_until REAL;
