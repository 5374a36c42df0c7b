-- Which venue a printed code belongs to, keyed by the code alone. A scan
-- knows only the code; venue_codes is kept with its venue (keyed by venue,
-- so a cluster stores it beside the venue's other rows) and cannot promise
-- a code is unique across venues, nor find it without asking every part of
-- the cluster. This table can do both: a cluster spreads it by code. Every
-- code ever issued keeps its row, so a replaced code still answers "replaced".
CREATE TABLE code_venues (
    code      text NOT NULL,
    venue_id  bigint NOT NULL,
    CONSTRAINT code_venues_pkey PRIMARY KEY (code)
);

INSERT INTO code_venues (code, venue_id) SELECT code, venue_id FROM venue_codes;

-- Uniqueness of a code now lives in code_venues.
DROP INDEX venue_codes_code_idx;
