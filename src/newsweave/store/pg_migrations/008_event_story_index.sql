-- Events by storyline: a storyline's page lists its events (WHERE story_id = %s), and deleting a
-- storyline sets its events' story_id to NULL (ON DELETE SET NULL), which without this index
-- scanned every event once per deleted storyline.
CREATE INDEX IF NOT EXISTS events_story ON events (story_id);
