-- Photos taken on an inspection (regulators' requirements clause 25). The
-- bytes live in files under the upload directory, named at random; a row
-- says which file belongs to which inspection, what it is and its SHA-256,
-- so a file can be proved unchanged. Rows and files are written together:
-- no row without its file.

CREATE TABLE inspection_photos (
    venue_id       bigint NOT NULL,
    inspection_id  bigint NOT NULL,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    content_type   text NOT NULL,
    byte_size      integer NOT NULL,
    sha256         bytea NOT NULL,
    stored_name    text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inspection_photos_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT inspection_photos_stored_name_key UNIQUE (venue_id, stored_name),
    CONSTRAINT inspection_photos_inspection_fkey
        FOREIGN KEY (venue_id, inspection_id) REFERENCES inspections (venue_id, id),
    CONSTRAINT inspection_photos_content_type_known
        CHECK (content_type IN ('image/jpeg', 'image/png')),
    CONSTRAINT inspection_photos_byte_size_positive CHECK (byte_size > 0),
    CONSTRAINT inspection_photos_sha256_length CHECK (octet_length(sha256) = 32),
    -- Never a name a client chose: 32 hex digits and the type's extension.
    CONSTRAINT inspection_photos_stored_name_random
        CHECK (stored_name ~ '^[0-9a-f]{32}\.(jpg|png)$')
);

CREATE INDEX inspection_photos_inspection_idx ON inspection_photos (venue_id, inspection_id);

-- Photos are evidence: the application adds them and reads them, never
-- changes or removes them.
REVOKE UPDATE, DELETE, TRUNCATE ON inspection_photos FROM qrfeedback_app;
