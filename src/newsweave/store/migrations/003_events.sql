-- Grouping: per-article features, near-duplicate copies, events and storylines.
CREATE TABLE article_features (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    vector     BLOB NOT NULL,      -- float32 little-endian
    lead       BLOB NOT NULL,
    lexical    TEXT NOT NULL,      -- JSON {word: weight}
    entities   TEXT NOT NULL       -- JSON [entity id]
);

CREATE TABLE stories (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    first_date TEXT,
    last_date  TEXT
);

CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    date            TEXT,
    first_published TEXT,
    last_published  TEXT,
    n_articles      INTEGER NOT NULL,
    n_sources       INTEGER NOT NULL,
    languages       TEXT NOT NULL,   -- JSON list
    outlets         TEXT NOT NULL,   -- JSON list
    flags           TEXT NOT NULL,   -- JSON list
    story_id        TEXT REFERENCES stories(id) ON DELETE SET NULL
);
CREATE INDEX events_date ON events(date);

CREATE TABLE event_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    event_id   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    copy_of    TEXT REFERENCES articles(id) ON DELETE SET NULL
);
CREATE INDEX event_articles_event ON event_articles(event_id);
