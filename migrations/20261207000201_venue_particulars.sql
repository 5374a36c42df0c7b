-- What the prefectures' recommendation forms ask of a unit (巴州 2023,
-- 附件2: 单位性质, 负责人, 联系电话, 员工人数, 设立时间) and its unified
-- social credit code (统一社会信用代码, GB 32100-2015), all optional; and
-- when a venue closed. A closed venue keeps its ratings, scores and public
-- page; its code page says it is closed and takes no ratings.
--
-- The credit code's check character is verified by the application (the
-- rule needs a lookup table); the database keeps its shape.

ALTER TABLE venues
    ADD COLUMN unit_type         text,
    ADD COLUMN person_in_charge  text,
    ADD COLUMN contact_phone     text,
    ADD COLUMN staff_count       integer,
    ADD COLUMN founded_on        date,
    ADD COLUMN credit_code       text,
    ADD COLUMN closed_at         timestamptz,
    ADD CONSTRAINT venues_unit_type_known
        CHECK (unit_type IN ('government', 'state_owned', 'private', 'individual')),
    ADD CONSTRAINT venues_person_in_charge_length
        CHECK (char_length(person_in_charge) BETWEEN 1 AND 50),
    ADD CONSTRAINT venues_contact_phone_shape
        CHECK (contact_phone ~ '^[0-9+() -]{5,30}$'),
    ADD CONSTRAINT venues_staff_count_range
        CHECK (staff_count BETWEEN 0 AND 1000000),
    ADD CONSTRAINT venues_founded_on_range
        CHECK (founded_on >= DATE '1900-01-01'),
    ADD CONSTRAINT venues_credit_code_shape
        CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$');
