-- Vectors of the sentences an event report compares (stages/sentvec.py), stored with the article
-- when it is enriched, so that a report does not embed them again. `key` fingerprints the
-- enrichment's sentences they were computed from; `data` is sentvec.pack's layout (uint32 count,
-- uint32 sentence indexes, float32 scales, int8 rows of 512).
CREATE TABLE sentence_vectors (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    data       bytea NOT NULL
);
