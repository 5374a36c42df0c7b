-- Tier overrides (信用分级分类监管, regulators' requirements clause A.20): a
-- regulator over a venue sets its credit tier by hand, with a reason, until
-- an end date; the score refresh grades the venue with the override while it
-- is in force and by the rules again from its end date, and the tier history
-- says which of the two each change came from.

CREATE TABLE tier_overrides (
    venue_id    bigint NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    tier        char(1) NOT NULL,
    reason      text NOT NULL,
    -- The first local day the rules apply again: in force while today < ends_on.
    ends_on     date NOT NULL,
    set_by      text NOT NULL,
    set_at      timestamptz NOT NULL,
    -- Set when ended early by a regulator (`early`) or, once its end date
    -- came, by the refresh or the next override of the venue (`expired`).
    ended_at    timestamptz,
    end_kind    text,
    ended_by    text,
    end_reason  text,
    CONSTRAINT tier_overrides_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT tier_overrides_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT tier_overrides_tier_known CHECK (tier IN ('A', 'B', 'C', 'D')),
    CONSTRAINT tier_overrides_end_kind_known CHECK (end_kind IN ('early', 'expired')),
    CONSTRAINT tier_overrides_ended_whole CHECK (
        (ended_at IS NULL) = (end_kind IS NULL)
        AND (end_kind IS DISTINCT FROM 'early' OR (ended_by IS NOT NULL AND end_reason IS NOT NULL))
    )
);

-- At most one override of a venue that has not been closed.
CREATE UNIQUE INDEX tier_overrides_one_open ON tier_overrides (venue_id) WHERE ended_at IS NULL;

-- Overrides are a record: ended, never deleted.
REVOKE DELETE, TRUNCATE ON tier_overrides FROM qrfeedback_app;

-- Where the tier in force came from, on the score and in its history.
ALTER TABLE venue_scores
    ADD COLUMN tier_source text NOT NULL DEFAULT 'rules',
    ADD COLUMN tier_override_id bigint,
    ADD CONSTRAINT venue_scores_tier_source_known CHECK (tier_source IN ('rules', 'override')),
    ADD CONSTRAINT venue_scores_override_named CHECK ((tier_source = 'override') = (tier_override_id IS NOT NULL));

-- The refresher looks for overrides that ended while still applied.
CREATE INDEX venue_scores_overridden ON venue_scores (venue_id) WHERE tier_override_id IS NOT NULL;

ALTER TABLE tier_history
    ADD COLUMN source text NOT NULL DEFAULT 'rules',
    ADD COLUMN override_id bigint,
    ADD CONSTRAINT tier_history_source_known CHECK (source IN ('rules', 'override')),
    ADD CONSTRAINT tier_history_override_named CHECK ((source = 'override') = (override_id IS NOT NULL));
