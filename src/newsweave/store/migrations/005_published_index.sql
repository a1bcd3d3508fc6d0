-- The same numbered step as PostgreSQL's (the two schemas keep one version sequence): the
-- publication-date index that time-window queries use.
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
