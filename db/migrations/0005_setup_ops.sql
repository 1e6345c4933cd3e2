-- Server setup and operations.
--
-- Mark the file as an Entraide database, so `python -m bot restore` can tell one of
-- ours from any other SQLite file ("Entr" in ASCII).
PRAGMA application_id = 1164866674;

-- When moderators were last told that a configured channel is unusable (deleted, or the
-- bot lost its permissions there), so a broken channel is reported once and again only
-- when the problem changes or a day has passed, not on every failed post. Small: at most
-- one row per server and kind of channel.
CREATE TABLE channel_notices (
    guild_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('alerts', 'mod', 'digest')),
    detail       TEXT    NOT NULL,
    notified_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, kind)
) STRICT, WITHOUT ROWID;
