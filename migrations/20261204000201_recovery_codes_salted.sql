-- Recovery codes grow from 40 to 80 random bits and are stored as argon2id
-- PHC strings, each with its own salt, instead of an unsalted SHA-256.
-- Codes of the old shape cannot be carried over (only their SHA-256 is
-- known): they are removed, and enrolled people make a new set on
-- /account/security with a code from their app.
DELETE FROM account_recovery_codes;

ALTER TABLE account_recovery_codes
    DROP CONSTRAINT account_recovery_codes_account_code_key,
    DROP CONSTRAINT account_recovery_codes_hash_length,
    DROP COLUMN code_hash,
    ADD COLUMN code_phc text NOT NULL,
    ADD CONSTRAINT account_recovery_codes_phc_argon2id CHECK (code_phc LIKE '$argon2id$%' AND length(code_phc) <= 200);

COMMENT ON COLUMN account_recovery_codes.code_phc IS
    'argon2id PHC string of the code (salted per code); the code itself is shown once and never stored.';
