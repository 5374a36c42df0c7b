-- A complaint filed apart from a rating (the device rated the venue today
-- already) is filed once per venue, device, local day and text: a resent form
-- or a retried request answers the code of the first. Until now a query
-- looked for an earlier complaint and inserted when it found none, so two
-- identical requests at the same moment both found none and both filed, each
-- answering its own tracking code. A unique index decides instead.
--
-- Its key is the local (Asia/Shanghai) day, the same service day that bounds
-- one rating per device, stored on every complaint: for a complaint filed
-- with a rating it is that rating's day. The text is keyed by its md5, as a
-- 1,000-character text can outgrow a btree entry. Every key starts with
-- venue_id, so the index holds when complaints are distributed by venue.
ALTER TABLE complaints
    ADD COLUMN day date,
    -- Set only on complaints filed twice before the index existed: the later
    -- ones keep their rows and codes and point at the first (its id at the
    -- same venue), staying out of the index.
    ADD COLUMN duplicate_of bigint;

COMMENT ON COLUMN complaints.day IS
    'Local (Asia/Shanghai) day the complaint counts for; a complaint filed with a rating has its rating''s day.';
COMMENT ON COLUMN complaints.duplicate_of IS
    'For a complaint filed twice before complaints_apart_once existed: the id of the first.';

-- Complaints filed with a rating take its day.
UPDATE complaints c SET day = r.day
FROM ratings r
WHERE r.venue_id = c.venue_id AND r.id = c.rating_id;

-- The rest (complaints apart, or whose rating is gone) the day of their arrival.
UPDATE complaints SET day = (created_at AT TIME ZONE 'Asia/Shanghai')::date
WHERE day IS NULL;

ALTER TABLE complaints ALTER COLUMN day SET NOT NULL;

UPDATE complaints c SET duplicate_of = first.id
FROM (
    SELECT venue_id, day, device_hash, md5(description) AS description_md5, min(id) AS id
    FROM complaints
    WHERE rating_id IS NULL
    GROUP BY venue_id, day, device_hash, md5(description)
) first
WHERE c.rating_id IS NULL
  AND c.venue_id = first.venue_id AND c.day = first.day AND c.device_hash = first.device_hash
  AND md5(c.description) = first.description_md5 AND c.id > first.id;

CREATE UNIQUE INDEX complaints_apart_once
    ON complaints (venue_id, day, device_hash, md5(description))
    WHERE rating_id IS NULL AND duplicate_of IS NULL;
