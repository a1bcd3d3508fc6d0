-- The headline vector: the event model scores title-to-title similarity.
ALTER TABLE article_features ADD COLUMN title vector(512);
