-- PostgreSQL twin of db/migrations/0019_task_key_history.sql: a task's earlier alerts in
-- a server, newest first, so a share of a task whose last alert carried a content warning
-- carries it too (db/tasks/sharing.py).
CREATE INDEX task_alerts_task_key ON task_alerts (guild_id, task_key, id);
