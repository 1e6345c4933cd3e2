-- PostgreSQL twin of db/migrations/0018_shift_start_day.sql: a shift remembers the
-- member's date when it started, in the zone in force then, so its unpaid time between
-- tasks is dated that day even if the zone changes before `/shift stop`. NULL for shifts
-- opened before this migration: they are dated in the zone at the stop.
ALTER TABLE shifts ADD COLUMN start_day TEXT
    CHECK (start_day IS NULL OR (start_day COLLATE "C") ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$');
