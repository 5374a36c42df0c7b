-- Inspections (体检式暗访, regulators' requirements clause 25): the
-- checklists they are scored against, versioned like the tier rules; who
-- inspected and each item's points; and the random draws (双随机) that pick
-- venues and inspectors, kept with their seed so a draw can be replayed.

CREATE TABLE inspection_checklists (
    version     text NOT NULL,
    checklist   jsonb NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    active      boolean NOT NULL DEFAULT false,
    CONSTRAINT inspection_checklists_pkey PRIMARY KEY (version)
);

CREATE UNIQUE INDEX inspection_checklists_one_active ON inspection_checklists (active) WHERE active;

ALTER TABLE inspections
    ADD COLUMN checklist_version text,
    ADD COLUMN inspector text,
    ADD COLUMN total_points integer,
    ADD COLUMN pass_mark integer,
    ADD CONSTRAINT inspections_checklist_fkey
        FOREIGN KEY (checklist_version) REFERENCES inspection_checklists (version),
    ADD CONSTRAINT inspections_scored_with_a_checklist
        CHECK (total_points IS NULL OR (checklist_version IS NOT NULL AND pass_mark IS NOT NULL));

CREATE TABLE inspection_items (
    venue_id        bigint NOT NULL,
    inspection_id   bigint NOT NULL,
    key             text NOT NULL,
    points          integer NOT NULL,
    CONSTRAINT inspection_items_pkey PRIMARY KEY (venue_id, inspection_id, key),
    CONSTRAINT inspection_items_inspection_fkey
        FOREIGN KEY (venue_id, inspection_id) REFERENCES inspections (venue_id, id),
    CONSTRAINT inspection_items_points_not_negative CHECK (points >= 0)
);

-- Draws span a region's venues, so they are kept beside the audit log
-- rather than with any one venue.
CREATE TABLE inspection_draws (
    id                    bigint GENERATED ALWAYS AS IDENTITY,
    region_code           char(6) NOT NULL,
    seed                  bigint NOT NULL,
    requested_count       integer NOT NULL,
    inspectors            jsonb NOT NULL,
    inspectors_per_visit  integer NOT NULL,
    candidates            integer NOT NULL,
    drawn_by              text NOT NULL,
    drawn_at              timestamptz NOT NULL,
    CONSTRAINT inspection_draws_pkey PRIMARY KEY (id),
    CONSTRAINT inspection_draws_count_positive CHECK (requested_count > 0),
    CONSTRAINT inspection_draws_per_visit_positive CHECK (inspectors_per_visit > 0)
);

CREATE TABLE inspection_draw_picks (
    draw_id     bigint NOT NULL,
    position    integer NOT NULL,
    venue_id    bigint NOT NULL,
    tier        char(1),
    weight      integer NOT NULL,
    inspectors  jsonb NOT NULL,
    CONSTRAINT inspection_draw_picks_pkey PRIMARY KEY (draw_id, position),
    CONSTRAINT inspection_draw_picks_draw_fkey FOREIGN KEY (draw_id) REFERENCES inspection_draws (id)
);
