-- A venue's appeal against a rating it believes malicious (申诉复核), with its
-- evidence; a regulator in scope upholds it (the rating is quarantined, the
-- reason kept in the moderation log) or dismisses it. At most one appeal per
-- rating waits for a decision at a time.
CREATE TABLE rating_appeals (
    venue_id         bigint NOT NULL,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    rating_id        bigint NOT NULL,
    evidence         text NOT NULL,
    state            text NOT NULL DEFAULT 'pending',
    filed_by         text NOT NULL,
    filed_at         timestamptz NOT NULL,
    decided_by       text,
    decided_at       timestamptz,
    decision_reason  text,
    CONSTRAINT rating_appeals_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT rating_appeals_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT rating_appeals_state_known CHECK (state IN ('pending', 'upheld', 'dismissed')),
    CONSTRAINT rating_appeals_evidence_length CHECK (char_length(evidence) BETWEEN 1 AND 2000),
    CONSTRAINT rating_appeals_reason_length CHECK (char_length(decision_reason) <= 500),
    CONSTRAINT rating_appeals_decided CHECK ((state = 'pending') = (decided_at IS NULL))
);

CREATE UNIQUE INDEX rating_appeals_one_pending ON rating_appeals (venue_id, rating_id)
    WHERE state = 'pending';
-- An appeal is addressed by its id alone in the API.
CREATE INDEX rating_appeals_id_idx ON rating_appeals (id);
