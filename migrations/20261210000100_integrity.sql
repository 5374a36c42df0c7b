-- Scores that cannot be bought: what the detectors of bought ratings need
-- and what they find.
--
-- Each rating keeps a keyed hash of its address prefix (an IPv4 /24, an
-- IPv6 /48), never the address: the detectors compare prefixes within a
-- venue and across rivals. Ratings stored before it have none.
ALTER TABLE ratings ADD COLUMN network_hash bytea;

-- Ratings a detector fired on together, at one venue: one incident to
-- review as a whole. The window is the first and last rating it holds;
-- `evidence` carries the signal's numbers, which the console puts in words.
-- One incident per venue, day, signal and side: the detectors run again
-- and again over the day, and what they find later joins the same incident.
CREATE TABLE integrity_incidents (
    venue_id     bigint NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    detected_on  date NOT NULL,
    signal       text NOT NULL,
    -- 'high' (stuffing), 'low' (bombing) or '' when the signal has no side.
    side         text NOT NULL,
    window_from  timestamptz NOT NULL,
    window_to    timestamptz NOT NULL,
    evidence     jsonb NOT NULL,
    detected_at  timestamptz NOT NULL,
    CONSTRAINT integrity_incidents_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT integrity_incidents_once UNIQUE (venue_id, detected_on, signal, side),
    CONSTRAINT integrity_incidents_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT integrity_incidents_signal_known CHECK (signal IN (
        'burst', 'fresh_addresses', 'network', 'new_networks', 'rival_bombing',
        'device_spread', 'device_repeat', 'near_duplicates', 'quiet_hours')),
    CONSTRAINT integrity_incidents_side_known CHECK (side IN ('high', 'low', '')),
    CONSTRAINT integrity_incidents_window_order CHECK (window_from <= window_to)
);

-- A held rating: quarantined (counted nowhere) by a detector until a person
-- releases it or confirms it. One row per rating: a rating a person has
-- decided on is never held again. The rating's first incident holds it; the
-- signals are every one that fired on it.
CREATE TABLE integrity_holds (
    venue_id     bigint NOT NULL,
    rating_id    bigint NOT NULL,
    day          date NOT NULL,
    incident_id  bigint NOT NULL,
    signals      text[] NOT NULL,
    state        text NOT NULL DEFAULT 'held',
    held_at      timestamptz NOT NULL,
    decided_at   timestamptz,
    decided_by   text,
    reason       text,
    CONSTRAINT integrity_holds_pkey PRIMARY KEY (venue_id, rating_id),
    CONSTRAINT integrity_holds_incident_fkey FOREIGN KEY (venue_id, incident_id)
        REFERENCES integrity_incidents (venue_id, id),
    CONSTRAINT integrity_holds_state_known CHECK (state IN ('held', 'released', 'confirmed')),
    CONSTRAINT integrity_holds_decided_whole CHECK (
        (state = 'held') = (decided_at IS NULL)
        AND (decided_at IS NULL) = (decided_by IS NULL)
        AND (decided_at IS NULL) = (reason IS NULL))
);

-- The review queue reads the open holds of an incident, and the dashboard
-- counts a venue's.
CREATE INDEX integrity_holds_incident_idx ON integrity_holds (venue_id, incident_id, state);

-- The detectors read every rating of the last weeks. Ratings are
-- partitioned by month on their day, so that read scans two or three
-- partitions; no index is added to the write path for it.
