-- Sessions live in Redis and end there when an account's second factor is
-- reset. If Redis cannot be reached at that moment, they would survive until
-- they expire; this cutoff, written in the reset's own transaction, refuses
-- every session opened before it on the account's next request.
ALTER TABLE accounts ADD COLUMN sessions_valid_from timestamptz;

COMMENT ON COLUMN accounts.sessions_valid_from IS
    'Sessions opened before this instant are refused (set when the second factor is reset).';
