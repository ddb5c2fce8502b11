-- Version 13: a profile's tutor policy (JSON: preset, daily time windows, time zone).
ALTER TABLE profiles ADD COLUMN tutor TEXT;
