-- Venues and their QR codes. A venue keeps every code it was ever issued so a
-- replaced code can still answer "replaced" instead of "unknown".

CREATE TABLE venues (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    region_code    char(6) NOT NULL,
    category       text NOT NULL,
    name           text NOT NULL,
    address        text,
    code_seq       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venues_pkey PRIMARY KEY (id),
    CONSTRAINT venues_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT venues_category_fkey FOREIGN KEY (category) REFERENCES categories (key),
    CONSTRAINT venues_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT venues_address_length CHECK (char_length(address) <= 500)
);

CREATE INDEX venues_region_category_idx ON venues (region_code, category);

CREATE TABLE venue_codes (
    venue_id      bigint NOT NULL,
    code          text NOT NULL,
    key_version   smallint NOT NULL,
    code_seq      integer NOT NULL,
    issued_at     timestamptz NOT NULL DEFAULT now(),
    replaced_at   timestamptz,
    CONSTRAINT venue_codes_pkey PRIMARY KEY (venue_id, code),
    CONSTRAINT venue_codes_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id)
);

-- Codes are looked up by themselves on every scan.
CREATE UNIQUE INDEX venue_codes_code_idx ON venue_codes (code);
-- At most one live code per venue.
CREATE UNIQUE INDEX venue_codes_one_active ON venue_codes (venue_id) WHERE replaced_at IS NULL;
