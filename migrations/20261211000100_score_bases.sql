-- Each venue's score inputs kept from one refresh to the next, so a refresh
-- reads yesterday's and today's aggregates (and the few days leaving the
-- windows) instead of the venue's whole history; see
-- src/domain/score_history.rs. Derived data: dropping every row only makes
-- the next refresh read everything again.
--
-- The sums hold every day before `cutoff`, with ages measured from it;
-- `cutoff` is NULL when a past day of the venue changed (moderation, a
-- reconcile repair) and the base must be rebuilt from the whole history.
-- Those changes add one to `version`; a refresh stores a base only if the
-- version is still the one it read, so a base computed from a history that
-- changed meanwhile is never kept. `half_life_days` and `window_days` are the
-- constants the sums were built with: other constants make it unusable.
CREATE TABLE venue_score_bases (
    venue_id             bigint NOT NULL,
    version              bigint NOT NULL DEFAULT 0,
    cutoff               date,
    half_life_days       double precision NOT NULL DEFAULT 0,
    window_days          integer NOT NULL DEFAULT 0,
    overall_weight       double precision NOT NULL DEFAULT 0,
    overall_weighted     double precision NOT NULL DEFAULT 0,
    overall_count        bigint NOT NULL DEFAULT 0,
    environment_weight   double precision NOT NULL DEFAULT 0,
    environment_weighted double precision NOT NULL DEFAULT 0,
    environment_count    bigint NOT NULL DEFAULT 0,
    skill_weight         double precision NOT NULL DEFAULT 0,
    skill_weighted       double precision NOT NULL DEFAULT 0,
    skill_count          bigint NOT NULL DEFAULT 0,
    attitude_weight      double precision NOT NULL DEFAULT 0,
    attitude_weighted    double precision NOT NULL DEFAULT 0,
    attitude_count       bigint NOT NULL DEFAULT 0,
    window_histogram     bigint[] NOT NULL DEFAULT '{0,0,0,0,0}',
    ratings_12m          bigint NOT NULL DEFAULT 0,
    built_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venue_score_bases_pkey PRIMARY KEY (venue_id),
    CONSTRAINT venue_score_bases_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT venue_score_bases_hist_shape CHECK (cardinality(window_histogram) = 5)
);
