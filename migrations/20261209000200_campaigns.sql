-- Demonstration-unit selections (微笑新疆 示范单位推荐; regulators'
-- requirements section C, 巴州 2023): a prefecture's campaign with quotas
-- per county (and one for prefecture-level units, the prefecture's own
-- code), ranked proposals from the ratings of its period, the counties'
-- confirmed lists, the prefecture's sign-off and the award.
--
-- `campaigns` and `campaign_quotas` are small and read beside every
-- venue's nomination, so on a cluster they are reference tables: the
-- venue-side `campaign_nominations` and `demonstration_awards` point at them
-- (a distributed table may point at a reference table, never the other way).

CREATE TABLE campaigns (
    id                   bigint GENERATED ALWAYS AS IDENTITY,
    prefecture_code      char(6) NOT NULL,
    name                 text NOT NULL,
    year                 integer NOT NULL,
    -- Category keys of the units it selects from (业态).
    categories           text[] NOT NULL,
    -- The last local day counties may change and submit their lists.
    deadline             date NOT NULL,
    -- The period the ranking and the gates read, both days included.
    period_start         date NOT NULL,
    period_end           date NOT NULL,
    -- Weights of the three rating dimensions, each 0..1, summing to 1.
    weight_environment   double precision NOT NULL,
    weight_skill         double precision NOT NULL,
    weight_attitude      double precision NOT NULL,
    -- Ratings in the period a venue needs to be ranked at all.
    min_ratings          integer NOT NULL,
    -- Units awarded in these years are not recommended again.
    excluded_award_years integer[] NOT NULL DEFAULT '{}',
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    awarded_by           text,
    awarded_at           timestamptz,
    CONSTRAINT campaigns_pkey PRIMARY KEY (id),
    CONSTRAINT campaigns_prefecture_fkey FOREIGN KEY (prefecture_code) REFERENCES regions (code),
    CONSTRAINT campaigns_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT campaigns_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT campaigns_categories_present CHECK (cardinality(categories) >= 1),
    CONSTRAINT campaigns_period_order CHECK (period_start <= period_end),
    CONSTRAINT campaigns_weights_valid CHECK (
        weight_environment >= 0 AND weight_skill >= 0 AND weight_attitude >= 0
        AND abs(weight_environment + weight_skill + weight_attitude - 1) < 1e-9),
    CONSTRAINT campaigns_min_ratings_range CHECK (min_ratings BETWEEN 1 AND 100000),
    CONSTRAINT campaigns_awarded_whole CHECK ((awarded_at IS NULL) = (awarded_by IS NULL))
);

-- One row per region with a quota. `confirmed` counts the region's
-- confirmed nominations: a confirmation raises it with a conditional
-- update (`confirmed < quota`), which takes the row's lock, so concurrent
-- confirmations never pass the quota, on one server or on a cluster (the
-- row lives on the coordinator's copy of the reference table, and every
-- writer goes through it).
CREATE TABLE campaign_quotas (
    campaign_id      bigint NOT NULL,
    region_code      char(6) NOT NULL,
    quota            integer NOT NULL,
    note             text,
    confirmed        integer NOT NULL DEFAULT 0,
    -- open → submitted (by the county) → confirmed (by the prefecture);
    -- a prefecture may send a submitted list back (sent_back), which the
    -- county changes and submits again.
    state            text NOT NULL DEFAULT 'open',
    submitted_by     text,
    submitted_at     timestamptz,
    reviewed_by      text,
    reviewed_at      timestamptz,
    sent_back_reason text,
    CONSTRAINT campaign_quotas_pkey PRIMARY KEY (campaign_id, region_code),
    CONSTRAINT campaign_quotas_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT campaign_quotas_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT campaign_quotas_quota_range CHECK (quota BETWEEN 1 AND 100000),
    CONSTRAINT campaign_quotas_within_quota CHECK (confirmed BETWEEN 0 AND quota),
    CONSTRAINT campaign_quotas_state_known CHECK (state IN ('open', 'submitted', 'confirmed', 'sent_back')),
    CONSTRAINT campaign_quotas_note_length CHECK (char_length(note) <= 200)
);

-- A venue confirmed (or once confirmed, then removed or swapped out) by its
-- county for a campaign, with the unit's deeds (主要事迹) and its service
-- ambassador (形象大使) for the forms.
CREATE TABLE campaign_nominations (
    venue_id          bigint NOT NULL,
    campaign_id       bigint NOT NULL,
    region_code       char(6) NOT NULL,
    -- confirmed, or removed (taken off the list, or swapped out for another)
    state             text NOT NULL,
    -- proposed (within the quota's ranking), swap (in place of a proposed
    -- one, with a reason) or added (an eligible venue not proposed)
    kind              text NOT NULL,
    reason            text,
    replaces_venue_id bigint,
    rank              integer,
    score_0_100       double precision,
    confirmed_by      text NOT NULL,
    confirmed_at      timestamptz NOT NULL,
    removed_by        text,
    removed_at        timestamptz,
    removed_reason    text,
    deeds             text,
    ambassador_name    text,
    ambassador_post    text,
    ambassador_phone   text,
    ambassador_address text,
    ambassador_deeds   text,
    ambassador_set_by  text,
    ambassador_set_at  timestamptz,
    CONSTRAINT campaign_nominations_pkey PRIMARY KEY (venue_id, campaign_id),
    CONSTRAINT campaign_nominations_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT campaign_nominations_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    CONSTRAINT campaign_nominations_state_known CHECK (state IN ('confirmed', 'removed')),
    CONSTRAINT campaign_nominations_kind_known CHECK (kind IN ('proposed', 'swap', 'added')),
    CONSTRAINT campaign_nominations_swap_reasoned CHECK (
        kind <> 'swap' OR (reason IS NOT NULL AND replaces_venue_id IS NOT NULL)),
    CONSTRAINT campaign_nominations_reason_length CHECK (char_length(reason) BETWEEN 1 AND 1000),
    CONSTRAINT campaign_nominations_removed_whole CHECK (
        (state = 'removed') = (removed_at IS NOT NULL) AND (removed_at IS NULL) = (removed_by IS NULL)),
    CONSTRAINT campaign_nominations_deeds_length CHECK (char_length(deeds) BETWEEN 300 AND 500),
    CONSTRAINT campaign_nominations_ambassador_whole CHECK (
        (ambassador_name IS NULL) = (ambassador_set_at IS NULL)
        AND (ambassador_name IS NULL) = (ambassador_post IS NULL)
        AND (ambassador_name IS NULL) = (ambassador_deeds IS NULL)),
    CONSTRAINT campaign_nominations_ambassador_deeds_length
        CHECK (char_length(ambassador_deeds) BETWEEN 300 AND 500)
);

CREATE INDEX campaign_nominations_campaign_idx ON campaign_nominations (campaign_id, region_code);

-- Units awarded: the history the next campaign's "not awarded in YEAR"
-- gate reads, and the credit tier's `demonstration_unit` input, true from
-- `awarded_on` until `status_until` (exclusive: the award year and the next).
CREATE TABLE demonstration_awards (
    venue_id      bigint NOT NULL,
    campaign_id   bigint NOT NULL,
    award_year    integer NOT NULL,
    awarded_on    date NOT NULL,
    status_until  date NOT NULL,
    awarded_by    text NOT NULL,
    awarded_at    timestamptz NOT NULL,
    CONSTRAINT demonstration_awards_pkey PRIMARY KEY (venue_id, campaign_id),
    CONSTRAINT demonstration_awards_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT demonstration_awards_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    -- Equal for an earlier year's award recorded after its status ran out.
    CONSTRAINT demonstration_awards_status_order CHECK (awarded_on <= status_until)
);

CREATE INDEX demonstration_awards_in_force_idx ON demonstration_awards (status_until, awarded_on);

-- Awards and nominations are a record: never deleted.
REVOKE DELETE, TRUNCATE ON campaign_nominations, demonstration_awards, campaigns, campaign_quotas
    FROM qrfeedback_app;
