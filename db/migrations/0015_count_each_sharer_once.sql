-- A member counts once in an alert's "shared N times": sharing a live task again, as the
-- member who shared it first or as one who already re-shared it, still refreshes the
-- alert (its expiry, who saw it last) but no longer adds to `seen_count`
-- (db/tasks/sharing.py). The share stays one upsert, whose returned row cannot say
-- whether `seen_count` moved; this column does: 1 when the last share counted (the
-- alert's first, or a member's first re-share), 0 when a member shared it again.

ALTER TABLE task_alerts ADD COLUMN last_seen_counted INTEGER NOT NULL DEFAULT 1
    CHECK (last_seen_counted IN (0, 1));
