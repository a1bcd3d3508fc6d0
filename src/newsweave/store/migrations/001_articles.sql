-- Articles, recorded duplicates, feed polling state, and full-text search over title and text.
CREATE TABLE articles (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    source        TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    published     TEXT,              -- ISO 8601, UTC
    date_source   TEXT NOT NULL,
    outlet        TEXT,
    author        TEXT,
    language      TEXT,
    description   TEXT,
    caption       TEXT,
    content_hash  TEXT NOT NULL,
    ingested_at   TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX articles_canonical_url ON articles(canonical_url);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE INDEX articles_sort ON articles(COALESCE(published, ingested_at));

CREATE TABLE duplicates (
    id          TEXT PRIMARY KEY,
    original_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,       -- 'url' or 'text'
    source      TEXT NOT NULL,
    url         TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX duplicates_original ON duplicates(original_id);

CREATE TABLE feed_state (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT,
    error         TEXT
);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
