-- Headline vectors (the event model scores title-to-title similarity); the events list index.
ALTER TABLE article_features ADD COLUMN title BLOB;
CREATE INDEX events_recent ON events(last_published DESC, id);
