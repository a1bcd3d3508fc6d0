-- Articles, recorded duplicates, feed polling state, and full-text search over title and text.
-- Ids and names are COLLATE "C" so that they sort by code point, as in SQLite.
CREATE TABLE articles (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- storage order (SQLite's rowid)
    id            TEXT COLLATE "C" NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    source        TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    published     TIMESTAMPTZ,
    date_source   TEXT NOT NULL,
    outlet        TEXT,
    author        TEXT,
    language      TEXT,
    description   TEXT,
    caption       TEXT,
    content_hash  TEXT NOT NULL,
    ingested_at   TIMESTAMPTZ NOT NULL,
    notes         JSONB NOT NULL DEFAULT '[]',
    sort_at       TIMESTAMPTZ GENERATED ALWAYS AS (COALESCE(published, ingested_at)) STORED,
    -- 'simple': language-agnostic (no stemming, no stop words), like SQLite's unicode61.
    fts           TSVECTOR GENERATED ALWAYS AS (
                      setweight(to_tsvector('simple'::regconfig, title), 'A') ||
                      setweight(to_tsvector('simple'::regconfig, text), 'B')) STORED
);
CREATE INDEX articles_canonical_url ON articles(canonical_url);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE INDEX articles_sort ON articles(sort_at, id);
CREATE INDEX articles_fts ON articles USING GIN (fts);

CREATE TABLE duplicates (
    id          TEXT COLLATE "C" PRIMARY KEY,
    original_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,       -- 'url' or 'text'
    source      TEXT NOT NULL,
    url         TEXT,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX duplicates_original ON duplicates(original_id);

CREATE TABLE feed_state (
    url           TEXT COLLATE "C" PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TIMESTAMPTZ,
    error         TEXT
);
