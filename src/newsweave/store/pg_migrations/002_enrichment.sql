-- What the understanding stages computed per article, and the canonical entities.
CREATE TABLE enrichments (
    article_id  TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    language    TEXT,
    sentences   JSONB NOT NULL,   -- [[start, end], ...] (text is sliced from the article)
    dates       JSONB NOT NULL,   -- list of DateMention
    quotes      JSONB NOT NULL,   -- list of Quote
    keywords    JSONB NOT NULL,   -- list of [phrase, score]
    notes       JSONB NOT NULL,   -- list of what could not be computed
    computed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE entities (
    id       TEXT COLLATE "C" PRIMARY KEY,
    name     TEXT COLLATE "C" NOT NULL,
    type     TEXT NOT NULL,
    -- JSON, not JSONB: {variant: [languages]} keeps its key order, as the other stores do.
    variants JSON NOT NULL
);
CREATE INDEX entities_name ON entities(lower(name));

CREATE TABLE mentions (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    type       TEXT NOT NULL,
    language   TEXT,
    canonical  TEXT,
    entity_id  TEXT COLLATE "C" REFERENCES entities(id),
    PRIMARY KEY (article_id, start, "end")
);
CREATE INDEX mentions_entity ON mentions(entity_id);
CREATE INDEX mentions_text ON mentions(lower(text));
CREATE INDEX mentions_canonical ON mentions(lower(canonical));
