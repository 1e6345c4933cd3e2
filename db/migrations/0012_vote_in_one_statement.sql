-- A "still live" / "gone" click is one statement (issue 14, burst capacity): the UPDATE
-- that recomputes the alert's counters carries the vote (who, what, when) in these
-- columns, and the trigger below stores it in task_votes, as the share's upsert records
-- a re-sharer through `last_seen_by` and the task_alerts_sighting trigger. The alert's
-- server is in that UPDATE's WHERE, so a forged button from another server writes
-- nothing at all, vote included.
--
-- `last_vote_by` names a member: it is exported and erased with their votes (the tasks
-- privacy section), like `last_seen_by`.

ALTER TABLE task_alerts ADD COLUMN last_vote_by INTEGER;
ALTER TABLE task_alerts ADD COLUMN last_vote_kind TEXT
    CHECK (last_vote_kind IS NULL OR last_vote_kind IN ('live', 'gone'));
ALTER TABLE task_alerts ADD COLUMN last_voted_at INTEGER;

CREATE TRIGGER task_alerts_vote AFTER UPDATE OF last_voted_at ON task_alerts
WHEN new.last_vote_by IS NOT NULL BEGIN
    INSERT INTO task_votes (alert_id, user_id, kind, voted_at)
    VALUES (new.id, new.last_vote_by, new.last_vote_kind, new.last_voted_at)
    ON CONFLICT (alert_id, user_id) DO UPDATE SET
        kind = excluded.kind, voted_at = excluded.voted_at;
END;
