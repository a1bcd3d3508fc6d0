-- Grouping: per-article features (vectors in pgvector), near-duplicate copies, events, storylines.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE article_features (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    vector     vector(512) NOT NULL,   -- L2-normalised article vector
    lead       vector(512) NOT NULL,
    -- JSON, not JSONB: {word: weight} keeps its key order, so sums over it are reproducible.
    lexical    JSON NOT NULL,
    entities   JSONB NOT NULL          -- [entity id]
);
-- Nearest-neighbour candidates for the clusterer (cosine; the vectors are unit length).
CREATE INDEX article_features_vector ON article_features USING hnsw (vector vector_cosine_ops);

CREATE TABLE stories (
    id         TEXT COLLATE "C" PRIMARY KEY,
    title      TEXT NOT NULL,
    first_date DATE,
    last_date  DATE
);

CREATE TABLE events (
    id              TEXT COLLATE "C" PRIMARY KEY,
    title           TEXT NOT NULL,
    date            DATE,
    first_published TIMESTAMPTZ,
    last_published  TIMESTAMPTZ,
    n_articles      INTEGER NOT NULL,
    n_sources       INTEGER NOT NULL,
    languages       JSONB NOT NULL,
    outlets         JSONB NOT NULL,
    flags           JSONB NOT NULL,
    story_id        TEXT COLLATE "C" REFERENCES stories(id) ON DELETE SET NULL
);
CREATE INDEX events_date ON events(date);

CREATE TABLE event_articles (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    event_id   TEXT COLLATE "C" NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    copy_of    TEXT COLLATE "C" REFERENCES articles(id) ON DELETE SET NULL
);
CREATE INDEX event_articles_event ON event_articles(event_id);
