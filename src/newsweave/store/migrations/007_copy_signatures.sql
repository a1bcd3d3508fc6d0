-- The copy detector's MinHash signature of each article's text (128 little-endian uint32),
-- computed with the other features: a new process rebuilds the stored grouping without hashing
-- every stored text again (Grouper.restore). NULL for features stored before this step (the
-- detector hashes those texts); empty for texts too short to compare.
ALTER TABLE article_features ADD COLUMN minhash BLOB;
