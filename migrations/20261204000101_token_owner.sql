-- Every API token belongs to an account: the one that made it, or the one
-- that made the token it was made with. NULL means the bootstrap ADMIN_TOKEN
-- (it made the token, directly or through its own tokens). A request with a
-- token reads its owner in the same statement, so a disabled owner's tokens
-- stop at once and a narrowed owner narrows its tokens.
ALTER TABLE api_tokens ADD COLUMN owner_account_id bigint;
ALTER TABLE api_tokens
    ADD CONSTRAINT api_tokens_owner_fkey FOREIGN KEY (owner_account_id) REFERENCES accounts (id);

-- Tokens made before this column existed: follow `created_by` back to an
-- account, one generation of tokens made by tokens per round (plain
-- statements, no recursive query, so it runs the same on Citus).
UPDATE api_tokens t SET owner_account_id = a.id
FROM accounts a
WHERE t.created_by = 'account:' || a.id;

DO $$
BEGIN
    LOOP
        UPDATE api_tokens t SET owner_account_id = maker.owner_account_id
        FROM api_tokens maker
        WHERE t.owner_account_id IS NULL
          AND maker.owner_account_id IS NOT NULL
          AND t.created_by = 'token:' || maker.id;
        EXIT WHEN NOT FOUND;
    END LOOP;
END $$;

-- A disabled account's tokens are revoked with it from now on; do the same
-- for the accounts disabled before.
UPDATE api_tokens t SET revoked_at = now()
FROM accounts a
WHERE a.id = t.owner_account_id AND a.disabled_at IS NOT NULL AND t.revoked_at IS NULL;

CREATE INDEX api_tokens_owner_idx ON api_tokens (owner_account_id);
