-- Events by storyline: a storyline's page lists its events (WHERE story_id = ?), and deleting a
-- storyline sets its events' story_id to NULL (ON DELETE SET NULL), which without this index
-- scanned every event once per deleted storyline (1,000 storylines over 14,000 events: 3 s).
CREATE INDEX IF NOT EXISTS events_story ON events(story_id);
