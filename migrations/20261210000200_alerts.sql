-- Alerts for regulators: a campaign of bought ratings detected, a score
-- dropping beyond a threshold, red-flag tags clustering at a venue, a
-- complaint case overdue. Each concerns one venue and is read by the
-- regulators whose region holds it; each is raised once (its kind and its
-- `dedupe_key`: the incident, the week, the case).
--
-- Every alert is also an outbox row for the webhook: `delivery` is
-- 'pending' until a POST answered 2xx ('delivered') or the attempts ran
-- out ('failed'); 'none' when no webhook was configured when it was raised.
CREATE TABLE alerts (
    venue_id         bigint NOT NULL,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    kind             text NOT NULL,
    dedupe_key       text NOT NULL,
    region_code      char(6) NOT NULL,
    raised_at        timestamptz NOT NULL,
    details          jsonb NOT NULL,
    delivery         text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    CONSTRAINT alerts_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT alerts_once UNIQUE (venue_id, kind, dedupe_key),
    CONSTRAINT alerts_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT alerts_region_fkey FOREIGN KEY (region_code) REFERENCES regions (code),
    CONSTRAINT alerts_kind_known CHECK (kind IN (
        'campaign_detected', 'score_drop', 'red_flag_cluster', 'overdue_case')),
    CONSTRAINT alerts_delivery_known CHECK (delivery IN ('pending', 'delivered', 'failed', 'none')),
    CONSTRAINT alerts_pending_when CHECK ((delivery = 'pending') = (next_attempt_at IS NOT NULL))
);

-- The webhook's outbox: what is due.
CREATE INDEX alerts_due_idx ON alerts (next_attempt_at) WHERE delivery = 'pending';

-- Who has read an alert: an account or an API token (`reader` is the
-- audit log's actor text).
CREATE TABLE alert_reads (
    venue_id   bigint NOT NULL,
    alert_id   bigint NOT NULL,
    reader     text NOT NULL,
    read_at    timestamptz NOT NULL,
    CONSTRAINT alert_reads_pkey PRIMARY KEY (venue_id, alert_id, reader),
    CONSTRAINT alert_reads_alert_fkey FOREIGN KEY (venue_id, alert_id) REFERENCES alerts (venue_id, id)
);

-- Every attempt to deliver an alert to the webhook, with its answer.
CREATE TABLE alert_deliveries (
    venue_id      bigint NOT NULL,
    alert_id      bigint NOT NULL,
    attempt       integer NOT NULL,
    attempted_at  timestamptz NOT NULL,
    -- The HTTP status, or none when no answer came (`error` says why).
    status        integer,
    error         text,
    CONSTRAINT alert_deliveries_pkey PRIMARY KEY (venue_id, alert_id, attempt),
    CONSTRAINT alert_deliveries_alert_fkey FOREIGN KEY (venue_id, alert_id) REFERENCES alerts (venue_id, id)
);
