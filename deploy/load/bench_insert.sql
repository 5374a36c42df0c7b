-- pgbench script for deploy/load.sh: the database ceiling for ratings, one
-- durable single-row INSERT per transaction into a table shaped like ratings.
\set venue_id random(1, 200)
\set overall random(1, 5)
\set environment random(1, 5)
\set skill random(1, 5)
\set attitude random(1, 5)
insert into bench_ratings (venue_id, day, device_hash, overall, environment, skill, attitude, tags)
values (:venue_id, current_date,
        sha256(convert_to(random()::text || clock_timestamp()::text, 'UTF8')),
        :overall, :environment, :skill, :attitude, array['clean']);
