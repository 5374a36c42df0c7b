-- Complaints become cases: an explicit state (see src/domain/complaint.rs),
-- the region handling them (the venue's, until a transfer), due dates, the
-- regulator's verdict and public answer, the visitor's rating of the
-- handling, and a timeline of every step.
ALTER TABLE complaints DROP CONSTRAINT complaints_status_known;
ALTER TABLE complaints RENAME COLUMN status TO state;
UPDATE complaints SET state = CASE state
    WHEN 'new' THEN 'submitted'
    WHEN 'escalated' THEN 'mediating'
    WHEN 'closed' THEN 'closed_unresolved'
    ELSE state END
WHERE state IN ('new', 'escalated', 'closed');

-- Complaints taken by telephone or from the 12345 hotline have neither a
-- rating nor a device.
ALTER TABLE complaints DROP CONSTRAINT complaints_rating_or_device;

ALTER TABLE complaints
    ALTER COLUMN state SET DEFAULT 'submitted',
    ADD CONSTRAINT complaints_state_known CHECK (state IN (
        'submitted', 'accepted', 'rejected', 'transferred', 'venue_replied',
        'mediating', 'resolved', 'closed_unresolved')),
    ADD COLUMN source text NOT NULL DEFAULT 'visitor',
    ADD CONSTRAINT complaints_source_known CHECK (source IN ('visitor', 'phone', 'hotline_12345')),
    ADD CONSTRAINT complaints_visitor_traced CHECK (
        source <> 'visitor' OR rating_id IS NOT NULL OR device_hash IS NOT NULL),
    ADD COLUMN region_code char(6),
    ADD COLUMN service_on date,
    ADD COLUMN state_changed_at timestamptz,
    ADD COLUMN accepted_at timestamptz,
    ADD COLUMN due_at timestamptz,
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN public_answer text,
    ADD CONSTRAINT complaints_public_answer_length CHECK (char_length(public_answer) <= 1000),
    ADD COLUMN upheld boolean,
    ADD COLUMN venue_at_fault boolean,
    ADD CONSTRAINT complaints_fault_upheld CHECK (NOT venue_at_fault OR upheld),
    ADD COLUMN handling_stars smallint,
    ADD CONSTRAINT complaints_handling_stars_range CHECK (handling_stars BETWEEN 1 AND 5),
    ADD COLUMN handling_comment text,
    ADD CONSTRAINT complaints_handling_comment_length CHECK (char_length(handling_comment) <= 500),
    ADD COLUMN handling_rated_at timestamptz,
    ADD COLUMN contact_erased_at timestamptz;

COMMENT ON COLUMN complaints.region_code IS
    'Region handling the case: the venue''s, or the region it was transferred to.';
COMMENT ON COLUMN complaints.service_on IS
    'Local day of the service complained about; a complaint more than the region''s limit after it is refused.';

UPDATE complaints c SET region_code = v.region_code
FROM venues v WHERE v.id = c.venue_id;

UPDATE complaints SET
    service_on = day,
    state_changed_at = created_at,
    closed_at = CASE WHEN state IN ('resolved', 'closed_unresolved') THEN coalesce(resolved_at, created_at) END,
    -- Cases filed before they had clocks: five working days read as a week,
    -- the venue's ten days and mediation's sixty from the filing.
    due_at = CASE state
        WHEN 'submitted' THEN created_at + interval '7 days'
        WHEN 'venue_replied' THEN created_at + interval '60 days'
        WHEN 'mediating' THEN created_at + interval '60 days'
        END;

ALTER TABLE complaints
    ALTER COLUMN region_code SET NOT NULL,
    ALTER COLUMN service_on SET NOT NULL,
    ALTER COLUMN state_changed_at SET NOT NULL;

-- The case queue: open cases of a region, by due date.
CREATE INDEX complaints_queue_idx ON complaints (region_code, due_at) WHERE closed_at IS NULL;
-- Closed cases whose contact must be erased.
CREATE INDEX complaints_contact_erasure_idx ON complaints (closed_at)
    WHERE contact_encrypted IS NOT NULL;

-- A case is addressed by its id alone in the console and the API.
CREATE INDEX complaints_id_idx ON complaints (id);

-- Every step of a case after its filing (the filing itself is the
-- complaint row), in order.
CREATE TABLE complaint_events (
    venue_id      bigint NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    complaint_id  bigint NOT NULL,
    at            timestamptz NOT NULL,
    from_state    text,
    to_state      text NOT NULL,
    actor         text NOT NULL,
    note          text,
    region_code   char(6),
    CONSTRAINT complaint_events_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT complaint_events_case_fkey FOREIGN KEY (venue_id, complaint_id)
        REFERENCES complaints (venue_id, id),
    CONSTRAINT complaint_events_note_length CHECK (char_length(note) <= 1000)
);

CREATE INDEX complaint_events_case_idx ON complaint_events (venue_id, complaint_id, at);

-- The timeline is append-only, like the audit log.
REVOKE UPDATE, DELETE, TRUNCATE ON complaint_events FROM qrfeedback_app;
