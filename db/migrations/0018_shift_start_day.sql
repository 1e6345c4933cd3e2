-- A shift remembers the member's date when it started, in the zone in force then, so its
-- unpaid time between tasks is dated that day even if the member's time zone changes
-- before `/shift stop` (or the stop comes from a server with another default zone).
-- NULL for shifts opened before this migration: they are dated in the zone at the stop.
ALTER TABLE shifts ADD COLUMN start_day TEXT
    CHECK (start_day IS NULL OR start_day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]');
