-- venue_day_stats.complaints_count counted only complaints filed with a
-- rating, through the batch writer; complaints filed apart from a rating
-- (the device rated the venue today already) were left out, so every reader
-- of the column under-counted them. From now on the transaction that files
-- such a complaint counts it; those filed so far are added here, creating
-- the venue day's row where it has none, so a recount of the raw rows
-- agrees with the column.
INSERT INTO venue_day_stats AS s (
    venue_id, day, ratings_count, overall_sum, overall_hist,
    environment_count, environment_sum, environment_hist,
    skill_count, skill_sum, skill_hist,
    attitude_count, attitude_sum, attitude_hist, complaints_count)
SELECT venue_id, day, 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}',
       0, 0, '{0,0,0,0,0}', count(*)::int
FROM complaints
WHERE rating_id IS NULL
GROUP BY venue_id, day
ON CONFLICT (venue_id, day) DO UPDATE SET
    complaints_count = s.complaints_count + EXCLUDED.complaints_count;
