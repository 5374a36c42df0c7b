-- Complaints filed with a rating. The contact is personal data: stored only
-- encrypted by the application.
CREATE TABLE complaints (
    venue_id          bigint NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    rating_id         bigint NOT NULL,
    tracking_code     text NOT NULL,
    description       text NOT NULL,
    contact_encrypted bytea,
    status            text NOT NULL DEFAULT 'new',
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT complaints_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT complaints_tracking_code_key UNIQUE (venue_id, tracking_code),
    CONSTRAINT complaints_status_known CHECK (status IN ('new', 'venue_replied', 'resolved', 'escalated', 'closed')),
    CONSTRAINT complaints_description_length CHECK (char_length(description) BETWEEN 1 AND 1000),
    CONSTRAINT complaints_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
);

CREATE INDEX complaints_tracking_code_idx ON complaints (tracking_code);

-- Idempotency-Key answers for POST /api/v1/ratings: the same key and body get
-- the same answer. A device id the server issued is derived from the key, so
-- no raw device id is stored here.
CREATE TABLE idempotency_keys (
    key            text NOT NULL,
    request_hash   bytea NOT NULL,
    venue_id       bigint NOT NULL,
    rating_id      bigint NOT NULL,
    tracking_code  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (key)
);

CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
