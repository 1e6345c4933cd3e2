-- SQLite's 0013 gives its full-text trigger the condition this one has had since 0002
-- (only a real change of the title or the requester name rewrites the search document).
-- Nothing to change here; the note keeps the two numberings one for one.

COMMENT ON TRIGGER task_alerts_fts_update ON task_alerts IS
    'Rewrites the search document only when the title or the requester name changed';
