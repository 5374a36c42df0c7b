-- Credit lists (文化和旅游市场信用管理规定): a venue is put on the list of
-- seriously untrustworthy entities (严重失信主体名单, `serious`) or on the
-- watch list (重点关注名单, `watch`) by a regulator's decision. An entry is
-- proposed first (`pending`): the venue is told on its dashboard and may
-- submit a statement (陈述申辩) until `statement_due_on`; then a regulator
-- decides (`listed` or `dropped`), with the statement kept beside the
-- decision. A listed entry counts from `starts_on` and ends on `ends_on`
-- without anyone acting.
CREATE TABLE list_entries (
    venue_id          bigint NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    list              text NOT NULL,
    reason            text NOT NULL,
    legal_basis       text NOT NULL,
    decision_no       text,
    starts_on         date NOT NULL,
    ends_on           date NOT NULL,
    state             text NOT NULL DEFAULT 'pending',
    proposed_by       text NOT NULL,
    proposed_at       timestamptz NOT NULL,
    statement_due_on  date NOT NULL,
    statement         text,
    statement_by      text,
    statement_at      timestamptz,
    decided_by        text,
    decided_at        timestamptz,
    decision_reason   text,
    CONSTRAINT list_entries_pkey PRIMARY KEY (venue_id, id),
    CONSTRAINT list_entries_venue_fkey FOREIGN KEY (venue_id) REFERENCES venues (id),
    CONSTRAINT list_entries_list_known CHECK (list IN ('serious', 'watch')),
    CONSTRAINT list_entries_state_known CHECK (state IN ('pending', 'listed', 'dropped')),
    CONSTRAINT list_entries_reason_length CHECK (char_length(reason) BETWEEN 1 AND 1000),
    CONSTRAINT list_entries_basis_length CHECK (char_length(legal_basis) BETWEEN 1 AND 500),
    CONSTRAINT list_entries_decision_no_length
        CHECK (decision_no IS NULL OR char_length(decision_no) BETWEEN 1 AND 100),
    CONSTRAINT list_entries_ends_after_start CHECK (ends_on > starts_on),
    CONSTRAINT list_entries_statement_length
        CHECK (statement IS NULL OR char_length(statement) BETWEEN 1 AND 5000),
    CONSTRAINT list_entries_statement_whole
        CHECK ((statement IS NULL) = (statement_at IS NULL) AND (statement IS NULL) = (statement_by IS NULL)),
    CONSTRAINT list_entries_decided_whole
        CHECK ((state = 'pending') = (decided_at IS NULL)
               AND (decided_at IS NULL) = (decided_by IS NULL)
               AND (decided_at IS NULL) = (decision_reason IS NULL)),
    CONSTRAINT list_entries_decision_reason_length
        CHECK (decision_reason IS NULL OR char_length(decision_reason) BETWEEN 1 AND 1000)
);

COMMENT ON TABLE list_entries IS
    'Credit list entries: 严重失信主体名单 (serious) and 重点关注名单 (watch), proposed, answered by the venue, decided.';

-- The tier and the public list read the entries in force on a day.
CREATE INDEX list_entries_listed_idx ON list_entries (list, starts_on, ends_on)
    WHERE state = 'listed';

-- Entries recorded before proposals existed were in force from their day;
-- one without an end runs the serious list's three years.
INSERT INTO list_entries (venue_id, list, reason, legal_basis, starts_on, ends_on, state,
                          proposed_by, proposed_at, statement_due_on,
                          decided_by, decided_at, decision_reason)
SELECT venue_id, 'serious', left(coalesce(nullif(reason, ''), '-'), 1000), 'recorded before list decisions were kept', listed_on,
       coalesce(lifted_on, (listed_on + interval '3 years')::date), 'listed',
       'migration', recorded_at, listed_on, 'migration', recorded_at,
       'recorded before list decisions were kept'
FROM blacklist_entries
WHERE lifted_on IS NULL OR lifted_on > listed_on;

DROP TABLE blacklist_entries;
