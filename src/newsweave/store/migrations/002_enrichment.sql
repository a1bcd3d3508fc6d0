-- What the understanding stages computed per article, and the canonical entities.
CREATE TABLE enrichments (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    language    TEXT,
    sentences   TEXT NOT NULL,   -- JSON [[start, end], ...] (text is sliced from the article)
    dates       TEXT NOT NULL,   -- JSON list of DateMention
    quotes      TEXT NOT NULL,   -- JSON list of Quote
    keywords    TEXT NOT NULL,   -- JSON list of [phrase, score]
    notes       TEXT NOT NULL,   -- JSON list of what could not be computed
    computed_at TEXT NOT NULL
);

CREATE TABLE entities (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    variants TEXT NOT NULL       -- JSON {variant: [languages]}
);
CREATE INDEX entities_name ON entities(name COLLATE NOCASE);

CREATE TABLE mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    type       TEXT NOT NULL,
    language   TEXT,
    canonical  TEXT,
    entity_id  TEXT REFERENCES entities(id),
    PRIMARY KEY (article_id, start, end)
);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX mentions_text ON mentions(text COLLATE NOCASE);
