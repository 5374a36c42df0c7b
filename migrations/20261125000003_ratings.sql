-- Raw ratings: the source of truth, append-only, never deleted (a suspicious
-- rating gets quarantined_at instead). Partitioned by month on the local day.

CREATE TABLE ratings (
    venue_id          bigint NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    day               date NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    device_hash       bytea NOT NULL,
    overall           smallint NOT NULL,
    environment       smallint,
    skill             smallint,
    attitude          smallint,
    tags              text[] NOT NULL DEFAULT '{}',
    comment           text,
    form_nonce        bytea,
    quarantined_at    timestamptz,
    quarantine_reason text,
    CONSTRAINT ratings_pkey PRIMARY KEY (venue_id, id, day),
    CONSTRAINT ratings_one_per_device_day UNIQUE (venue_id, day, device_hash),
    CONSTRAINT ratings_overall_range CHECK (overall BETWEEN 1 AND 5),
    CONSTRAINT ratings_environment_range CHECK (environment BETWEEN 1 AND 5),
    CONSTRAINT ratings_skill_range CHECK (skill BETWEEN 1 AND 5),
    CONSTRAINT ratings_attitude_range CHECK (attitude BETWEEN 1 AND 5),
    CONSTRAINT ratings_comment_length CHECK (char_length(comment) <= 500)
    -- No foreign key to venues here: every rating is written by the same
    -- statement that upserts its venue_day_stats row, whose foreign key checks
    -- the venue once per venue and day instead of once per rating.
) PARTITION BY RANGE (day);

-- An HTML form's token is good for one rating. Partial, so API ratings (no
-- form) pay nothing for it.
CREATE UNIQUE INDEX ratings_form_used_once ON ratings (venue_id, day, form_nonce)
    WHERE form_nonce IS NOT NULL;

-- Catches any day without a monthly partition so no rating is ever refused.
CREATE TABLE ratings_default PARTITION OF ratings DEFAULT;

-- Reads by venue and day range use ratings_one_per_device_day's index.

-- Creates the monthly partitions covering [from_month, from_month + months).
CREATE FUNCTION ensure_rating_partitions(from_month date, months integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    created integer := 0;
    month_start date;
    part_name text;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        month_start := (date_trunc('month', from_month) + make_interval(months => i))::date;
        part_name := format('ratings_%s', to_char(month_start, 'YYYYMM'));
        IF to_regclass(part_name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF ratings FOR VALUES FROM (%L) TO (%L)',
                part_name, month_start, (month_start + interval '1 month')::date);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

SELECT ensure_rating_partitions((now() AT TIME ZONE 'Asia/Shanghai')::date - 62, 15);

-- Per-venue per-day aggregates, upserted in the same transaction as each insert.
-- Histograms are five counts for 1..5 stars.
CREATE TABLE venue_day_stats (
    venue_id          bigint NOT NULL,
    day               date NOT NULL,
    ratings_count     integer NOT NULL,
    overall_sum       integer NOT NULL,
    overall_hist      integer[] NOT NULL,
    environment_count integer NOT NULL,
    environment_sum   integer NOT NULL,
    environment_hist  integer[] NOT NULL,
    skill_count       integer NOT NULL,
    skill_sum         integer NOT NULL,
    skill_hist        integer[] NOT NULL,
    attitude_count    integer NOT NULL,
    attitude_sum      integer NOT NULL,
    attitude_hist     integer[] NOT NULL,
    complaints_count  integer NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venue_day_stats_pkey PRIMARY KEY (venue_id, day),
    CONSTRAINT venue_day_stats_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT venue_day_stats_hist_shape CHECK (
        cardinality(overall_hist) = 5 AND cardinality(environment_hist) = 5
        AND cardinality(skill_hist) = 5 AND cardinality(attitude_hist) = 5)
) WITH (fillfactor = 50); -- room for HOT updates: each row is updated all day

CREATE INDEX venue_day_stats_day_idx ON venue_day_stats (day);

CREATE TABLE venue_day_tags (
    venue_id   bigint NOT NULL,
    day        date NOT NULL,
    tag        text NOT NULL,
    count      integer NOT NULL,
    CONSTRAINT venue_day_tags_pkey PRIMARY KEY (venue_id, day, tag),
    CONSTRAINT venue_day_tags_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
) WITH (fillfactor = 50);

-- Elementwise sum of two five-count histograms.
CREATE FUNCTION hist_add(a integer[], b integer[])
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5]]
$$;
