-- Platforms feature (issue #9): the registry of platforms members can review and compare.
--
-- Reviews of platforms are NOT stored here: they live in the requesters feature's generic
-- `reviews` table (migration 0003) with subject_kind = 'platform' and subject_id =
-- platforms.id, so flags, edit history and privacy export/erase work the same way for
-- both. Community hourly wages come from the earnings feature's tables (migration 0004).

-- Every platform known anywhere. The built-in ones (builtin = 1) are shown in every server
-- and use the same keys as the tasks feature (`cogs/tasks/rules.py` PLATFORMS). Others
-- exist because a moderator of some server added them; a server sees only those its own
-- moderators added (`platform_servers`), so one server's additions never appear in
-- another's lists. Two servers adding the same name share one record (and its reviews).
CREATE TABLE platforms (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE
                        CHECK (length(key) BETWEEN 1 AND 40 AND key = lower(key)),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT;

-- Built-in platforms get fixed ids: reviews point at them by id.
INSERT INTO platforms (id, key, name, builtin, created_at) VALUES
    (1, 'mturk', 'MTurk', 1, 0),
    (2, 'prolific', 'Prolific', 1, 0),
    (3, 'clickworker', 'Clickworker', 1, 0),
    (4, 'toloka', 'Toloka', 1, 0),
    (5, 'uhrs', 'UHRS', 1, 0),
    (6, 'appen', 'Appen', 1, 0);

CREATE INDEX platforms_builtin ON platforms (builtin) WHERE builtin = 1;

-- Which server's moderators added which platform (who did it is in the audit log).
-- The primary key serves "this server's platforms" and the per-server limit count.
CREATE TABLE platform_servers (
    guild_id     INTEGER NOT NULL,
    platform_id  INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, platform_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX platform_servers_platform ON platform_servers (platform_id);
