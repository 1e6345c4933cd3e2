-- PostgreSQL twin of db/migrations/0015_count_each_sharer_once.sql: a member counts once
-- in an alert's "shared N times", and `last_seen_counted` says whether the last share did.

ALTER TABLE task_alerts ADD COLUMN last_seen_counted BIGINT NOT NULL DEFAULT 1
    CHECK (last_seen_counted IN (0, 1));

-- Whether `member` has a sighting of `alert`, as committed when the function is called.
-- The share's upsert asks it in its DO UPDATE, which runs once the alert's row is locked:
-- by then the share that held the lock before has committed, sighting included. A plain
-- sub-query there would read the statement's snapshot, taken before the wait, so a
-- member's shares landing together (two processes, or one pool) were each counted.
-- VOLATILE and plpgsql so that it is neither inlined nor given the caller's snapshot:
-- under READ COMMITTED each of its queries takes a fresh one.
CREATE FUNCTION task_alerts_seen_by_member(alert BIGINT, member BIGINT) RETURNS boolean
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM task_sightings s WHERE s.alert_id = alert AND s.user_id = member);
END
$$;
