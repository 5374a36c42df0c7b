-- The working-day calendar case deadlines count in. A day not listed
-- follows the weekday rule (Monday to Friday work); a listed day is a public
-- holiday or a make-up working day (调休上班). The State Council's notice of
-- each year is loaded once by `qrfeedback migrate` (holiday_notices records
-- which years it loaded), so an admin's later edits are never overwritten.
CREATE TABLE holidays (
    day         date NOT NULL,
    kind        text NOT NULL,
    name        text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT holidays_pkey PRIMARY KEY (day),
    CONSTRAINT holidays_kind_known CHECK (kind IN ('holiday', 'workday')),
    CONSTRAINT holidays_name_length CHECK (char_length(name) <= 100)
);

CREATE TABLE holiday_notices (
    year       integer NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT holiday_notices_pkey PRIMARY KEY (year)
);

-- A region's own case clocks; a region without a row takes its nearest
-- ancestor's, and the defaults above the province.
CREATE TABLE region_case_clocks (
    region_code             char(6) NOT NULL,
    accept_working_days     integer NOT NULL,
    venue_reply_days        integer NOT NULL,
    mediation_days          integer NOT NULL,
    max_service_age_days    integer NOT NULL,
    contact_retention_days  integer NOT NULL,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT region_case_clocks_pkey PRIMARY KEY (region_code),
    CONSTRAINT region_case_clocks_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT region_case_clocks_in_range CHECK (
        accept_working_days BETWEEN 1 AND 60
        AND venue_reply_days BETWEEN 1 AND 365
        AND mediation_days BETWEEN 1 AND 365
        AND max_service_age_days BETWEEN 1 AND 3650
        AND contact_retention_days BETWEEN 1 AND 3650)
);
