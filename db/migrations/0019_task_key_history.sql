-- A task's earlier alerts in a server, newest first: a share of a task whose last alert
-- carried a content warning carries it too (db/tasks/sharing.py), so sharing a warned
-- task again once it is gone or expired does not show it in the clear.
CREATE INDEX task_alerts_task_key ON task_alerts (guild_id, task_key);
