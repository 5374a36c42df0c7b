-- A visitor who already rated a venue today may come back to complain (the
-- forced shopping happened after the rating): the second rating is refused
-- as a repeat, but the complaint is filed on its own, without a rating. It
-- keeps the keyed hash of the device instead, so a resent form or a retried
-- request files it once, and so every complaint still traces to a device day.
ALTER TABLE complaints
    ALTER COLUMN rating_id DROP NOT NULL,
    ADD COLUMN device_hash bytea,
    ADD CONSTRAINT complaints_rating_or_device CHECK (rating_id IS NOT NULL OR device_hash IS NOT NULL);
