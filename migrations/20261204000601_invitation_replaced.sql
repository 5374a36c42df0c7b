-- A set-password link sent to an existing account replaces any earlier
-- unused one of that account: the earlier link stops working, but its row
-- stays, so who was sent which link when can still be read.
ALTER TABLE account_invitations ADD COLUMN replaced_at timestamptz;

COMMENT ON COLUMN account_invitations.replaced_at IS
    'When a newer link for the same account replaced this unused one; it no longer works.';
