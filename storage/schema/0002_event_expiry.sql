-- Version 2: inbound event ids expire (EVENT_RETENTION_DAYS); purging scans them by age.
CREATE INDEX inbound_events_seen_at ON inbound_events (seen_at);
