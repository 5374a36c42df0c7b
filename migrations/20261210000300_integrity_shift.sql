-- The shift signal: a day's stars leaning to one side far beyond the
-- venue's own share, at any volume.
ALTER TABLE integrity_incidents DROP CONSTRAINT integrity_incidents_signal_known;
ALTER TABLE integrity_incidents ADD CONSTRAINT integrity_incidents_signal_known CHECK (signal IN (
    'burst', 'shift', 'fresh_addresses', 'network', 'new_networks', 'rival_bombing',
    'device_spread', 'device_repeat', 'near_duplicates', 'quiet_hours'));
