-- The deadline each step of a complaint case was due by: the case's due_at
-- when the step was taken. A case's due_at moves on with every step and is
-- cleared when the case closes, so without this a period report could not
-- tell a step taken in time from a late one (regulators' requirements,
-- clause 八: the year-end summary counts complaints handled on time and
-- overdue). Steps recorded before this column existed have none and count
-- as taken in time.
ALTER TABLE complaint_events ADD COLUMN due_at timestamptz;

COMMENT ON COLUMN complaint_events.due_at IS
    'When the case was due before this step: the step was late if taken after it.';
