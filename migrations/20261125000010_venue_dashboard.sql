-- What a venue publishes about its own service: its service-quality
-- commitment (服务质量承诺), its Chief Quality Officer (首席质量官) and its
-- public replies to visitors' comments. All three are venue-side tables keyed
-- by venue_id, so they distribute with the venue's ratings.

-- One current commitment per venue; its history is in the audit log.
CREATE TABLE venue_commitments (
    venue_id      bigint NOT NULL,
    body          text NOT NULL,
    published_at  timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venue_commitments_pkey PRIMARY KEY (venue_id),
    CONSTRAINT venue_commitments_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT venue_commitments_body_length CHECK (char_length(body) BETWEEN 1 AND 1000)
);

COMMENT ON TABLE venue_commitments IS
    'A venue''s published service-quality commitment (服务质量承诺); a tier rule input.';
COMMENT ON COLUMN venue_commitments.published_at IS
    'When the venue first published a commitment; edits move updated_at only.';

-- One current Chief Quality Officer per venue; its history is in the audit log.
CREATE TABLE venue_quality_officers (
    venue_id             bigint NOT NULL,
    name                 text NOT NULL,
    position             text NOT NULL,
    appointed_on         date NOT NULL,
    training_hours       numeric(6, 1) NOT NULL,
    registration_status  text NOT NULL,
    updated_by           text NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venue_quality_officers_pkey PRIMARY KEY (venue_id),
    CONSTRAINT venue_quality_officers_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT venue_quality_officers_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT venue_quality_officers_position_length CHECK (char_length(position) BETWEEN 1 AND 100),
    CONSTRAINT venue_quality_officers_training_hours_range CHECK (training_hours BETWEEN 0 AND 10000),
    CONSTRAINT venue_quality_officers_registration_known
        CHECK (registration_status IN ('unregistered', 'pending', 'registered'))
);

COMMENT ON TABLE venue_quality_officers IS
    'A venue''s Chief Quality Officer (首席质量官); registered (备案) counts as a tier rule input.';
COMMENT ON COLUMN venue_quality_officers.registration_status IS
    'Filing (备案) with the regulator: unregistered, pending or registered.';

-- One public reply per rating. ratings is partitioned by day, so its key is
-- (venue_id, id, day) and a reply carries the rating's day to reference it.
CREATE TABLE rating_replies (
    venue_id    bigint NOT NULL,
    rating_id   bigint NOT NULL,
    rating_day  date NOT NULL,
    body        text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rating_replies_pkey PRIMARY KEY (venue_id, rating_id),
    CONSTRAINT rating_replies_rating_fkey FOREIGN KEY (venue_id, rating_id, rating_day)
        REFERENCES ratings (venue_id, id, day),
    CONSTRAINT rating_replies_body_length CHECK (char_length(body) BETWEEN 1 AND 500)
);

COMMENT ON TABLE rating_replies IS
    'The venue''s public answer to a visitor''s comment; replacing it keeps created_at and moves updated_at.';

-- The dashboard and the public venue page read a venue's newest comments.
-- Partial, so ratings without a comment (most of them) cost nothing more.
CREATE INDEX ratings_venue_comments_idx ON ratings (venue_id, day DESC, created_at DESC)
    WHERE comment IS NOT NULL AND quarantined_at IS NULL;

-- A commitment or a registration changes tier inputs: refresh the venue's
-- tier like the compliance records do.
CREATE TRIGGER venue_commitments_queue_score_refresh
    AFTER INSERT OR UPDATE OR DELETE ON venue_commitments
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();
CREATE TRIGGER venue_quality_officers_queue_score_refresh
    AFTER INSERT OR UPDATE OF registration_status OR DELETE ON venue_quality_officers
    FOR EACH ROW EXECUTE FUNCTION queue_score_refresh();
