-- Scores, credit tiers and the compliance records the tier rules read.
--
-- Scores are derived data: recomputed from venue_day_stats (which counts only
-- non-quarantined ratings), stored with the sums and priors they came from so
-- every number can be explained and re-derived.

-- Measures are stored as (weight, weighted score, count) per measure:
-- weight = Σ age weights, weighted = Σ age weight × rating value (0–100),
-- count = number of ratings. Region rows sum them.
CREATE TABLE venue_scores (
    venue_id            bigint NOT NULL,
    category            text NOT NULL,
    province_code       char(6) NOT NULL,
    prefecture_code     char(6),
    county_code         char(6),
    published           boolean NOT NULL,
    score_0_100         double precision,
    confidence          double precision NOT NULL,
    ratings_window      integer NOT NULL,
    histogram           integer[] NOT NULL,
    environment_0_100   double precision,
    skill_0_100         double precision,
    attitude_0_100      double precision,
    overall_weight      double precision NOT NULL,
    overall_weighted    double precision NOT NULL,
    overall_count       bigint NOT NULL,
    environment_weight  double precision NOT NULL,
    environment_weighted double precision NOT NULL,
    environment_count   bigint NOT NULL,
    skill_weight        double precision NOT NULL,
    skill_weighted      double precision NOT NULL,
    skill_count         bigint NOT NULL,
    attitude_weight     double precision NOT NULL,
    attitude_weighted   double precision NOT NULL,
    attitude_count      bigint NOT NULL,
    priors              jsonb NOT NULL,
    rank_prefecture     integer,
    rank_province       integer,
    tier                char(1),
    tier_reasons        jsonb NOT NULL DEFAULT '[]',
    tier_inputs         jsonb,
    rule_set_version    text,
    as_of_day           date NOT NULL,
    computed_at         timestamptz NOT NULL,
    CONSTRAINT venue_scores_pkey PRIMARY KEY (venue_id),
    CONSTRAINT venue_scores_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT venue_scores_score_range CHECK (score_0_100 BETWEEN 0 AND 100),
    CONSTRAINT venue_scores_confidence_range CHECK (confidence BETWEEN 0 AND 1),
    CONSTRAINT venue_scores_published_has_score CHECK (published = (score_0_100 IS NOT NULL)),
    CONSTRAINT venue_scores_tier_known CHECK (tier IN ('A', 'B', 'C', 'D')),
    CONSTRAINT venue_scores_hist_shape CHECK (cardinality(histogram) = 5)
);

-- Rankings read one region level (or the whole country), optionally one
-- category, in rank order: each index serves a page by a short index scan.
CREATE INDEX venue_scores_rank_idx
    ON venue_scores (published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_category_rank_idx
    ON venue_scores (category, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_province_rank_idx
    ON venue_scores (province_code, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_province_category_rank_idx
    ON venue_scores (province_code, category, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_prefecture_rank_idx
    ON venue_scores (prefecture_code, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_prefecture_category_rank_idx
    ON venue_scores (prefecture_code, category, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_county_rank_idx
    ON venue_scores (county_code, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);
CREATE INDEX venue_scores_county_category_rank_idx
    ON venue_scores (county_code, category, published DESC, score_0_100 DESC NULLS LAST, confidence DESC, ratings_window DESC, venue_id);

-- One row per region (every level) and category; category '*' is the whole
-- region. Small: regions × (categories + 1).
CREATE TABLE region_scores (
    region_code         char(6) NOT NULL,
    category            text NOT NULL,
    published           boolean NOT NULL,
    score_0_100         double precision,
    ratings_window      bigint NOT NULL,
    overall_weight      double precision NOT NULL,
    overall_weighted    double precision NOT NULL,
    overall_count       bigint NOT NULL,
    environment_weight  double precision NOT NULL,
    environment_weighted double precision NOT NULL,
    environment_count   bigint NOT NULL,
    skill_weight        double precision NOT NULL,
    skill_weighted      double precision NOT NULL,
    skill_count         bigint NOT NULL,
    attitude_weight     double precision NOT NULL,
    attitude_weighted   double precision NOT NULL,
    attitude_count      bigint NOT NULL,
    prior               jsonb NOT NULL,
    venues              integer NOT NULL,
    published_venues    integer NOT NULL,
    median_0_100        double precision,
    p10_0_100           double precision,
    tier_counts         integer[] NOT NULL,
    as_of_day           date NOT NULL,
    computed_at         timestamptz NOT NULL,
    CONSTRAINT region_scores_pkey PRIMARY KEY (region_code, category),
    CONSTRAINT region_scores_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT region_scores_tier_counts_shape CHECK (cardinality(tier_counts) = 4)
);

-- Tier rule sets are versioned data; exactly one is active.
CREATE TABLE tier_rule_sets (
    version     text NOT NULL,
    rules       jsonb NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    active      boolean NOT NULL DEFAULT false,
    CONSTRAINT tier_rule_sets_pkey PRIMARY KEY (version)
);

CREATE UNIQUE INDEX tier_rule_sets_one_active ON tier_rule_sets (active) WHERE active;

-- Every change of a venue's tier, with what it was decided from.
CREATE TABLE tier_history (
    venue_id          bigint NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    tier              char(1) NOT NULL,
    previous_tier     char(1),
    reasons           jsonb NOT NULL,
    inputs            jsonb NOT NULL,
    rule_set_version  text NOT NULL,
    changed_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tier_history_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT tier_history_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT tier_history_tier_known CHECK (tier IN ('A', 'B', 'C', 'D'))
);

-- Compliance records. Their workflows come later; the tier already reads them.
ALTER TABLE complaints
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN resolved_at timestamptz;

CREATE TABLE inspections (
    venue_id      bigint NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    inspected_on  date NOT NULL,
    passed        boolean NOT NULL,
    notes         text,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inspections_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT inspections_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
);

CREATE TABLE violations (
    venue_id      bigint NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    occurred_on   date NOT NULL,
    serious       boolean NOT NULL,
    description   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT violations_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT violations_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
);

CREATE TABLE blacklist_entries (
    venue_id      bigint NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    listed_on     date NOT NULL,
    lifted_on     date,
    reason        text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blacklist_entries_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT blacklist_entries_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT blacklist_entries_lifted_after_listed CHECK (lifted_on IS NULL OR lifted_on >= listed_on)
);

-- Quarantine and release of ratings: who, when, why. Append-only.
CREATE TABLE rating_moderation (
    venue_id    bigint NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    rating_id   bigint NOT NULL,
    action      text NOT NULL,
    reason      text NOT NULL,
    actor       text NOT NULL,
    acted_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rating_moderation_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT rating_moderation_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT rating_moderation_action_known CHECK (action IN ('quarantine', 'release')),
    CONSTRAINT rating_moderation_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500)
);

-- Moderation addresses a rating by its id alone.
CREATE INDEX ratings_id_idx ON ratings (id);

-- Venues whose scores must be refreshed because something other than a new
-- rating changed (quarantine, compliance records). New ratings are found from
-- venue_day_stats.updated_at instead, so the rating path writes nothing more.
CREATE TABLE score_refresh_queue (
    venue_id    bigint NOT NULL,
    queued_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT score_refresh_queue_pkey PRIMARY KEY (venue_id)
);

CREATE FUNCTION queue_score_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO score_refresh_queue (venue_id) VALUES (OLD.venue_id)
        ON CONFLICT (venue_id) DO UPDATE SET queued_at = EXCLUDED.queued_at;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO score_refresh_queue (venue_id) VALUES (NEW.venue_id)
        ON CONFLICT (venue_id) DO UPDATE SET queued_at = EXCLUDED.queued_at;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER inspections_queue_score_refresh AFTER INSERT OR UPDATE OR DELETE ON inspections
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();
CREATE TRIGGER violations_queue_score_refresh AFTER INSERT OR UPDATE OR DELETE ON violations
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();
CREATE TRIGGER blacklist_entries_queue_score_refresh AFTER INSERT OR UPDATE OR DELETE ON blacklist_entries
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();
-- Complaints are few next to ratings, so queuing on insert costs little.
CREATE TRIGGER complaints_queue_score_refresh
    AFTER INSERT OR UPDATE OF verified_at, resolved_at ON complaints
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();

-- A new venue gets its (unpublished) score row and first tier on the next
-- refresh, so it is listed in rankings at once.
CREATE FUNCTION queue_new_venue_score() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO score_refresh_queue (venue_id) VALUES (NEW.id)
        ON CONFLICT (venue_id) DO UPDATE SET queued_at = EXCLUDED.queued_at;
    RETURN NULL;
END $$;

CREATE TRIGGER venues_queue_score_refresh AFTER INSERT ON venues
    FOR EACH ROW EXECUTE FUNCTION queue_new_venue_score();
