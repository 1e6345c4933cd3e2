-- PostgreSQL twin of db/migrations/0005_setup_ops.sql: server setup and operations.
--
-- SQLite's `PRAGMA application_id` marks a file as an Entraide database for
-- `python -m bot restore`. A PostgreSQL database is named by its URL, not found as a
-- file, and is backed up with pg_dump, so there is nothing to mark: the version table of
-- the migration runner says whose schema it is.

-- When moderators were last told that a configured channel is unusable.
CREATE TABLE channel_notices (
    guild_id     BIGINT NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('alerts', 'mod', 'digest')),
    detail       TEXT   NOT NULL,
    notified_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, kind)
);
