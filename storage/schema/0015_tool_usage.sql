-- Version 15: the hosted tools a run used that are billed per call (web searches, generated
-- images), counted like its tokens: in the usage report and against daily quotas.
ALTER TABLE runs ADD COLUMN web_searches INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN images INTEGER NOT NULL DEFAULT 0;
