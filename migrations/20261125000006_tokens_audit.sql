-- API tokens for automation, each with a role and a scope, and the
-- append-only audit log of every change made with them. Tokens are a small
-- lookup table (a reference table when distributed).

-- A token is shown once; only a hash of its secret is kept.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    name         text NOT NULL,
    role         text NOT NULL,
    region_code  char(6),
    venue_ids    bigint[] NOT NULL DEFAULT '{}',
    secret_hash  bytea NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_role_known CHECK (role IN ('admin', 'regulator', 'venue_staff')),
    CONSTRAINT api_tokens_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT api_tokens_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The scope matches the role: a region for a regulator, venues for venue
    -- staff, neither for an admin.
    CONSTRAINT api_tokens_scope_matches_role CHECK (
        (role = 'admin' AND region_code IS NULL AND cardinality(venue_ids) = 0)
        OR (role = 'regulator' AND region_code IS NOT NULL AND cardinality(venue_ids) = 0)
        OR (role = 'venue_staff' AND region_code IS NULL AND cardinality(venue_ids) > 0))
);

-- Append-only: who did what, when, from where, before and after. Written in
-- the same transaction as the change; the triggers below refuse any UPDATE,
-- DELETE or TRUNCATE, whoever asks.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    action       text NOT NULL,
    target       text NOT NULL,
    region_code  char(6),
    venue_id     bigint,
    client_ip    text,
    before       jsonb,
    after        jsonb,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);

CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_region_idx ON audit_log (region_code, at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
