-- Whoever changes what a venue's score or tier is computed from queues the
-- venue's refresh in the same transaction (store::scores::queue_refresh):
-- a Citus cluster refuses triggers on distributed tables, and every one of
-- these tables is distributed by venue. Ratings and complaints need no entry:
-- they change the venue day's aggregate, whose updated_at the refresher
-- polls. A row written by hand (psql) is scored on the next full recompute
-- (at start-up, at local midnight, or `qrfeedback recompute`).
DROP TRIGGER IF EXISTS venues_queue_score_refresh ON venues;
DROP TRIGGER IF EXISTS complaints_queue_score_refresh ON complaints;
DROP TRIGGER IF EXISTS inspections_queue_score_refresh ON inspections;
DROP TRIGGER IF EXISTS violations_queue_score_refresh ON violations;
DROP TRIGGER IF EXISTS blacklist_entries_queue_score_refresh ON blacklist_entries;
DROP TRIGGER IF EXISTS venue_commitments_queue_score_refresh ON venue_commitments;
DROP TRIGGER IF EXISTS venue_quality_officers_queue_score_refresh ON venue_quality_officers;
DROP FUNCTION IF EXISTS queue_score_refresh();
DROP FUNCTION IF EXISTS queue_new_venue_score();
