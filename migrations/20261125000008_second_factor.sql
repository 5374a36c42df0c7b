-- A second sign-in factor for accounts: a TOTP secret (RFC 6238) held
-- encrypted, and single-use recovery codes for when the phone is lost.
-- Side tables keyed by account, so accounts itself stays as it is; both are
-- small and live next to accounts (reference tables when distributed).

-- One authenticator per account. The row exists from the moment the
-- enrolment page first shows a secret; it counts only once `enrolled_at` is
-- set, which happens when the person proves their app holds the secret.
CREATE TABLE account_totp (
    account_id      bigint NOT NULL,
    -- ChaCha20-Poly1305 nonce ‖ ciphertext ‖ tag of the raw secret, under a
    -- key derived from SECRET_KEY and bound to the account id: a copy of the
    -- database alone yields no codes.
    secret_sealed   bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    enrolled_at     timestamptz,
    -- The last 30-second time step a code was accepted for; a code of that
    -- step or an earlier one is refused, so an overheard code cannot be replayed.
    last_used_step  bigint,
    CONSTRAINT account_totp_pkey PRIMARY KEY (account_id),
    CONSTRAINT account_totp_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    -- 12-byte nonce + 16-byte tag + a 16 to 64 byte secret.
    CONSTRAINT account_totp_secret_sealed_length CHECK (octet_length(secret_sealed) BETWEEN 44 AND 92),
    CONSTRAINT account_totp_step_positive CHECK (last_used_step IS NULL OR last_used_step > 0),
    -- Only a confirmed authenticator has ever accepted a code.
    CONSTRAINT account_totp_step_only_when_enrolled CHECK (last_used_step IS NULL OR enrolled_at IS NOT NULL)
);

-- Recovery codes are shown once; only their SHA-256 is kept (they are random,
-- so no slow hash is needed to resist guessing). A new set replaces the old one.
CREATE TABLE account_recovery_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    account_id  bigint NOT NULL,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Set when the code is spent; a spent code never works again.
    used_at     timestamptz,
    CONSTRAINT account_recovery_codes_pkey PRIMARY KEY (id),
    CONSTRAINT account_recovery_codes_account_code_key UNIQUE (account_id, code_hash),
    CONSTRAINT account_recovery_codes_hash_length CHECK (octet_length(code_hash) = 32),
    CONSTRAINT account_recovery_codes_account_fkey FOREIGN KEY (account_id) REFERENCES account_totp (account_id)
);
