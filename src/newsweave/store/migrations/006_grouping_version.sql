-- The same numbered step as PostgreSQL's: a counter that every replacement of the events bumps,
-- so that a process keeping its own grouping sees that another process wrote one since
-- (pipeline._unchanged_since), even when the counts of articles and events did not move.
CREATE TABLE IF NOT EXISTS store_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO store_state VALUES ('grouping_version', 0);
