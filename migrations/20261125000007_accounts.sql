-- Accounts of people (admins, regulators, venue staff), the venues a staff
-- account belongs to, and the single-use invitations through which a person
-- sets their own password. Accounts are a small lookup table (a reference
-- table when distributed); account_venues is venue-side and points to it.

CREATE TABLE accounts (
    id             bigint GENERATED ALWAYS AS IDENTITY,
    login          text NOT NULL,
    display_name   text NOT NULL,
    role           text NOT NULL,
    region_code    char(6),
    -- NULL until the person accepts the invitation and sets a password.
    password_hash  text,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_login_key UNIQUE (login),
    -- Lower case only, so uniqueness cannot be dodged by changing case.
    CONSTRAINT accounts_login_format CHECK (login ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    CONSTRAINT accounts_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 100),
    CONSTRAINT accounts_role_known CHECK (role IN ('admin', 'regulator', 'venue_staff')),
    CONSTRAINT accounts_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    -- A regulator is bound to exactly one region; nobody else has one.
    CONSTRAINT accounts_region_only_for_regulators CHECK ((role = 'regulator') = (region_code IS NOT NULL)),
    -- A last line of defence against a plaintext password being stored.
    CONSTRAINT accounts_password_hash_is_argon2id CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%')
);

-- Which venues a venue_staff account works for.
CREATE TABLE account_venues (
    venue_id    bigint NOT NULL,
    account_id  bigint NOT NULL,
    CONSTRAINT account_venues_pkey PRIMARY KEY (venue_id, account_id),
    CONSTRAINT account_venues_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT account_venues_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)
);

CREATE INDEX account_venues_account_idx ON account_venues (account_id);

-- Only the SHA-256 of an invitation token is kept; the token itself is in
-- the link handed to the person, once.
CREATE TABLE account_invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    account_id  bigint NOT NULL,
    token_hash  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CONSTRAINT account_invitations_pkey PRIMARY KEY (id),
    CONSTRAINT account_invitations_token_hash_key UNIQUE (token_hash),
    CONSTRAINT account_invitations_token_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT account_invitations_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)
);

CREATE INDEX account_invitations_account_idx ON account_invitations (account_id);
