-- Candidate search within a time window (the event clusterer asks for the nearest articles of the
-- last 30 days) first selects the window's articles by publication date: see nearest_articles.
CREATE INDEX articles_published ON articles(published);
