-- A re-share's upsert sets requester_name = coalesce(…), so "UPDATE OF requester_name"
-- fired on every bump and rewrote the alert's full-text entry (a delete and an insert in
-- FTS5) though nothing in it had changed: half the cost of a bump (issue 14, burst
-- capacity). Only a real change of the title or the requester name rewrites it now, as
-- PostgreSQL's trigger already did.

DROP TRIGGER task_alerts_fts_update;

CREATE TRIGGER task_alerts_fts_update AFTER UPDATE OF title, requester_name ON task_alerts
WHEN old.title IS NOT new.title OR old.requester_name IS NOT new.requester_name BEGIN
    INSERT INTO task_alerts_fts (task_alerts_fts, rowid, title, requester_name)
    VALUES ('delete', old.id, old.title, old.requester_name);
    INSERT INTO task_alerts_fts (rowid, title, requester_name)
    VALUES (new.id, new.title, new.requester_name);
END;
