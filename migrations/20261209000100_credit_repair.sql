-- Credit repair (信用修复; regulators' requirements clause 22, with the
-- credit commitment of clause 19): a venue on a credit list applies with
-- its rectification, evidence files, a signed credit commitment (信用承诺书)
-- where the entry's basis allows one, and a training record; a regulator
-- over the venue approves or rejects it with a reason by a working-day
-- deadline. Approval ends the list entry early (its original end is kept)
-- and the venue's tier follows on its next score refresh.

-- Set by the regulator when proposing: the entry's basis excludes repair by
-- commitment, so an application must bring evidence files instead.
ALTER TABLE list_entries
    ADD COLUMN commitment_excluded boolean NOT NULL DEFAULT false,
    -- The end the decision gave, kept when an approved repair ended the
    -- entry early (then `ends_on` is the approval's day).
    ADD COLUMN original_ends_on date,
    ADD CONSTRAINT list_entries_original_end_later
        CHECK (original_ends_on IS NULL OR original_ends_on > ends_on);

-- A repair approved on the entry's first day ends it that same day.
ALTER TABLE list_entries DROP CONSTRAINT list_entries_ends_after_start;
ALTER TABLE list_entries ADD CONSTRAINT list_entries_ends_after_start
    CHECK (ends_on > starts_on OR (original_ends_on IS NOT NULL AND ends_on = starts_on));

CREATE TABLE repair_applications (
    venue_id            bigint NOT NULL,
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    list_entry_id       bigint NOT NULL,
    state               text NOT NULL DEFAULT 'pending',
    rectification       text NOT NULL,
    commitment_given    boolean NOT NULL,
    training_course     text NOT NULL,
    training_provider   text NOT NULL,
    trained_on          date NOT NULL,
    training_hours      numeric(4, 1) NOT NULL,
    submitted_by        text NOT NULL,
    submitted_at        timestamptz NOT NULL,
    decision_due_on     date NOT NULL,
    decided_by          text,
    decided_at          timestamptz,
    decision_reason     text,
    CONSTRAINT repair_applications_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT repair_applications_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT repair_applications_entry_fkey
        FOREIGN KEY (venue_id, list_entry_id) REFERENCES list_entries (venue_id, id),
    CONSTRAINT repair_applications_state_known
        CHECK (state IN ('pending', 'approved', 'rejected')),
    CONSTRAINT repair_applications_rectification_length
        CHECK (char_length(rectification) BETWEEN 1 AND 5000),
    CONSTRAINT repair_applications_course_length
        CHECK (char_length(training_course) BETWEEN 1 AND 200),
    CONSTRAINT repair_applications_provider_length
        CHECK (char_length(training_provider) BETWEEN 1 AND 200),
    CONSTRAINT repair_applications_hours_range
        CHECK (training_hours > 0 AND training_hours <= 100),
    CONSTRAINT repair_applications_decided_whole
        CHECK ((state = 'pending') = (decided_at IS NULL)
               AND (decided_at IS NULL) = (decided_by IS NULL)
               AND (decided_at IS NULL) = (decision_reason IS NULL)),
    CONSTRAINT repair_applications_reason_length
        CHECK (decision_reason IS NULL OR char_length(decision_reason) BETWEEN 1 AND 1000)
);

COMMENT ON TABLE repair_applications IS
    'Credit repair (信用修复) applications on list entries: rectification, commitment, training, decision.';

-- One pending application per entry at a time; a rejected venue may apply again.
CREATE UNIQUE INDEX repair_applications_one_pending
    ON repair_applications (venue_id, list_entry_id) WHERE state = 'pending';

-- The console's queue: pending first, by deadline.
CREATE INDEX repair_applications_queue_idx ON repair_applications (state, decision_due_on);

-- Evidence of rectification: PDF, JPEG or PNG by their first bytes, kept in
-- the row with their SHA-256 so a file can be proved unchanged.
CREATE TABLE repair_evidence (
    venue_id        bigint NOT NULL,
    application_id  bigint NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    file_name       text NOT NULL,
    content_type    text NOT NULL,
    byte_size       integer NOT NULL,
    sha256          bytea NOT NULL,
    bytes           bytea NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT repair_evidence_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT repair_evidence_application_fkey
        FOREIGN KEY (venue_id, application_id) REFERENCES repair_applications (venue_id, id),
    CONSTRAINT repair_evidence_content_type_known
        CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    CONSTRAINT repair_evidence_size_matches CHECK (byte_size > 0 AND octet_length(bytes) = byte_size),
    CONSTRAINT repair_evidence_sha256_length CHECK (octet_length(sha256) = 32),
    CONSTRAINT repair_evidence_file_name_length CHECK (char_length(file_name) BETWEEN 1 AND 200)
);

CREATE INDEX repair_evidence_application_idx ON repair_evidence (venue_id, application_id);

-- A venue's own requests to be graded again; the next may come three
-- calendar months after the later of its last tier change and its last request.
CREATE TABLE regrade_requests (
    venue_id      bigint NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    requested_by  text NOT NULL,
    requested_at  timestamptz NOT NULL,
    CONSTRAINT regrade_requests_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT regrade_requests_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
);

-- Evidence and requests are a record: added and read, never changed or removed.
REVOKE UPDATE, DELETE, TRUNCATE ON repair_evidence FROM qrfeedback_app;
REVOKE UPDATE, DELETE, TRUNCATE ON regrade_requests FROM qrfeedback_app;
