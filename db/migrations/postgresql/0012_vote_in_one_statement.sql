-- PostgreSQL twin of db/migrations/0012_vote_in_one_statement.sql: a "still live" /
-- "gone" click is one UPDATE of the alert carrying the vote in these columns; the
-- trigger stores it in task_votes, as task_alerts_sighting does for a re-share.

ALTER TABLE task_alerts ADD COLUMN last_vote_by BIGINT;
ALTER TABLE task_alerts ADD COLUMN last_vote_kind TEXT
    CHECK (last_vote_kind IS NULL OR last_vote_kind IN ('live', 'gone'));
ALTER TABLE task_alerts ADD COLUMN last_voted_at BIGINT;

CREATE FUNCTION task_alerts_vote() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_votes (alert_id, user_id, kind, voted_at)
    VALUES (NEW.id, NEW.last_vote_by, NEW.last_vote_kind, NEW.last_voted_at)
    ON CONFLICT (alert_id, user_id) DO UPDATE SET
        kind = excluded.kind, voted_at = excluded.voted_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_alerts_vote AFTER UPDATE OF last_voted_at ON task_alerts
    FOR EACH ROW WHEN (NEW.last_vote_by IS NOT NULL)
    EXECUTE FUNCTION task_alerts_vote();
