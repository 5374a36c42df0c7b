-- How a slice's published venue scores spread over ten-point bands
-- (0–10, …, 90–100), beside their median and 10th percentile. Rows written
-- before this column start empty and fill at the next refresh.
ALTER TABLE region_scores
    ADD COLUMN score_distribution integer[] NOT NULL DEFAULT '{0,0,0,0,0,0,0,0,0,0}',
    ADD CONSTRAINT region_scores_score_distribution_shape CHECK (cardinality(score_distribution) = 10);
