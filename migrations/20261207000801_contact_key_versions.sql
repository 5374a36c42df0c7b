-- Complaint contacts carry the version of the key that sealed them, so the
-- key can rotate: version 0 is the key derived from SECRET_KEY, which every
-- contact stored so far was sealed with; CONTACT_KEYS adds versions 1 and up.
ALTER TABLE complaints ADD COLUMN contact_key_version smallint NOT NULL DEFAULT 0;

-- What `rotate-contacts` walks: the contacts still held, in (venue, case) order.
CREATE INDEX complaints_sealed_contacts ON complaints (venue_id, id)
    WHERE contact_encrypted IS NOT NULL;
