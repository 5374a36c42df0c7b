-- Inspections (体检式暗访, regulators' requirements clause 25): who visited,
-- as named on the record (one or more inspectors, often the two a draw
-- sent), beside `inspector`, which keeps who recorded it.

ALTER TABLE inspections
    ADD COLUMN inspected_by text,
    ADD CONSTRAINT inspections_inspected_by_length
        CHECK (char_length(inspected_by) BETWEEN 1 AND 200);
