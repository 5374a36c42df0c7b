-- An account's venues are read with the account: on every signed-in request
-- and in every check of whom a regulator may manage. A cluster keeps them
-- where the accounts are, as a copy on every node, so those reads never
-- join across nodes. Such a copy cannot hold a foreign key to the venues
-- (which are spread by venue), so each row carries its venue's region (a
-- venue never changes region), and the writer takes the venue from the
-- venues table itself, so no row names a venue that does not exist.
ALTER TABLE account_venues ADD COLUMN region_code char(6);

UPDATE account_venues av SET region_code = v.region_code
FROM venues v WHERE v.id = av.venue_id;

ALTER TABLE account_venues
    ALTER COLUMN region_code SET NOT NULL,
    DROP CONSTRAINT account_venues_venue_fkey,
    ADD CONSTRAINT account_venues_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code);
