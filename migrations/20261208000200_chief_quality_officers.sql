-- The Chief Quality Officer (首席质量官) registry of a provincial scheme
-- (吉林, 2024): the appointment conditions of 二(二), the duties of 二(三),
-- training as the gate to registration (三(一)), registration (备案) as a
-- regulator's act with its reason (三(五)), and a yearly evaluation.
-- Every table here is venue-side, keyed by venue_id, and distributes with
-- the venue (store::distribute::VENUE_TABLES).

-- The appointment conditions and duties; all optional, since officers
-- recorded before this change have none yet. The duty keys are the eight
-- duties of 二(三) (domain::quality_officer::Duty).
ALTER TABLE venue_quality_officers
    ADD COLUMN education               text,
    ADD COLUMN qualification           text,
    ADD COLUMN experience_years        smallint,
    ADD COLUMN duties                  text[] NOT NULL DEFAULT '{}',
    ADD COLUMN registration_reason     text,
    ADD COLUMN registration_decided_by text,
    ADD COLUMN registration_decided_at timestamptz,
    ADD CONSTRAINT venue_quality_officers_education_known CHECK (
        education IN ('doctorate', 'master', 'bachelor', 'college', 'secondary')),
    ADD CONSTRAINT venue_quality_officers_qualification_length
        CHECK (char_length(qualification) BETWEEN 1 AND 200),
    ADD CONSTRAINT venue_quality_officers_experience_range
        CHECK (experience_years BETWEEN 0 AND 60),
    ADD CONSTRAINT venue_quality_officers_reason_length
        CHECK (char_length(registration_reason) BETWEEN 1 AND 500);

-- A regulator may now refuse a filing; the venue may then ask again.
ALTER TABLE venue_quality_officers
    DROP CONSTRAINT venue_quality_officers_registration_known,
    ADD CONSTRAINT venue_quality_officers_registration_known
        CHECK (registration_status IN ('unregistered', 'pending', 'registered', 'refused'));

COMMENT ON COLUMN venue_quality_officers.training_hours IS
    'The sum of the officer''s training records (quality_officer_trainings), kept by the writer of every record in the same transaction.';
COMMENT ON COLUMN venue_quality_officers.registration_reason IS
    'Why the regulator registered or refused the filing (三(五)).';

-- One row per course attended: the training history a filing lists (三(五)).
CREATE TABLE quality_officer_trainings (
    venue_id     bigint NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    course       text NOT NULL,
    provider     text NOT NULL,
    trained_on   date NOT NULL,
    hours        numeric(4, 1) NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL,
    CONSTRAINT quality_officer_trainings_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT quality_officer_trainings_officer_fkey FOREIGN KEY (venue_id)
        REFERENCES venue_quality_officers (venue_id),
    CONSTRAINT quality_officer_trainings_course_length CHECK (char_length(course) BETWEEN 1 AND 200),
    CONSTRAINT quality_officer_trainings_provider_length CHECK (char_length(provider) BETWEEN 1 AND 200),
    -- The application takes 0.5 to 100 hours a record; hours carried over
    -- from the single figure kept before may be smaller.
    CONSTRAINT quality_officer_trainings_hours_range CHECK (hours > 0 AND hours <= 100)
);

COMMENT ON TABLE quality_officer_trainings IS
    'A Chief Quality Officer''s training records; their sum is venue_quality_officers.training_hours.';

-- The single training figure kept before becomes records of at most 100
-- hours each, dated on the appointment, so the sum is unchanged.
INSERT INTO quality_officer_trainings
    (venue_id, course, provider, trained_on, hours, recorded_by, recorded_at)
SELECT o.venue_id, 'Training recorded before itemised records (carried over)',
       'not recorded', o.appointed_on,
       least(100, o.training_hours - 100 * part), o.updated_by, o.updated_at
FROM venue_quality_officers o
CROSS JOIN LATERAL generate_series(0, ceil(o.training_hours / 100)::int - 1) AS part
WHERE o.training_hours > 0;

-- A regulator's yearly evaluation of a venue's officer, one per year; a
-- second one for the same year replaces the first (the audit log keeps both).
CREATE TABLE quality_officer_evaluations (
    venue_id      bigint NOT NULL,
    year          smallint NOT NULL,
    officer_name  text NOT NULL,
    grade         text NOT NULL,
    reasons       text NOT NULL,
    evaluated_by  text NOT NULL,
    evaluated_at  timestamptz NOT NULL,
    CONSTRAINT quality_officer_evaluations_pkey PRIMARY KEY (venue_id, year),
    CONSTRAINT quality_officer_evaluations_officer_fkey FOREIGN KEY (venue_id)
        REFERENCES venue_quality_officers (venue_id),
    CONSTRAINT quality_officer_evaluations_grade_known
        CHECK (grade IN ('excellent', 'qualified', 'unqualified')),
    CONSTRAINT quality_officer_evaluations_reasons_length CHECK (char_length(reasons) BETWEEN 1 AND 500),
    CONSTRAINT quality_officer_evaluations_year_range CHECK (year BETWEEN 2000 AND 2100)
);

COMMENT ON TABLE quality_officer_evaluations IS
    'A regulator''s yearly evaluation of a venue''s Chief Quality Officer: excellent, qualified or unqualified, with reasons.';
