-- Bad-rating cases (差评): a rating of one or two stars with a comment is a
-- light case for its venue: verify it within one working day, fix what it
-- found within fifteen days. The rating itself and the venue's public reply
-- (rating_replies) hold the rest; this table keeps the venue's two steps.
CREATE TABLE bad_rating_followups (
    venue_id     bigint NOT NULL,
    rating_id    bigint NOT NULL,
    rating_day   date NOT NULL,
    verified_at  timestamptz,
    verified_by  text,
    fixed_at     timestamptz,
    fixed_by     text,
    fix_note     text,
    CONSTRAINT bad_rating_followups_pkey PRIMARY KEY (venue_id, rating_id),
    CONSTRAINT bad_rating_followups_rating_fkey FOREIGN KEY (venue_id, rating_id, rating_day)
        REFERENCES ratings (venue_id, id, day),
    CONSTRAINT bad_rating_followups_fix_note_length CHECK (char_length(fix_note) <= 1000),
    CONSTRAINT bad_rating_followups_fixed_after_verified CHECK (fixed_at IS NULL OR verified_at IS NOT NULL)
);
