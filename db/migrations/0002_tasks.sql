-- Task alerts: good tasks members share, merged while live, kept fresh by the crowd.
--
-- The share path is one statement: `INSERT … ON CONFLICT (guild_id, task_key) WHERE
-- state = 'live' DO UPDATE … RETURNING *`. The partial unique index below is what makes
-- "two members sharing the same task at the same moment" give exactly one live alert:
-- the second insert becomes a bump of the first, atomically.

CREATE TABLE task_alerts (
    id                    INTEGER PRIMARY KEY,
    guild_id              INTEGER NOT NULL,
    platform              TEXT    NOT NULL,
    -- What identifies "the same task": platform + task/group id, else the cleaned link,
    -- else the title, requester and reward (see cogs/tasks/rules.py `task_key`).
    task_key              TEXT    NOT NULL,
    platform_task_id      TEXT,
    title                 TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 256),
    requester_id          INTEGER REFERENCES requesters (id) ON DELETE SET NULL,
    requester_name        TEXT,
    platform_requester_id TEXT,
    reward_cents          INTEGER NOT NULL CHECK (reward_cents > 0),
    currency              TEXT    NOT NULL CHECK (length(currency) = 3),
    minutes               INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    hourly_cents          INTEGER NOT NULL CHECK (hourly_cents >= 0),
    link                  TEXT,
    countries             TEXT    NOT NULL DEFAULT '',      -- 'CA,US' (sorted ISO codes)
    qualifications        TEXT    NOT NULL DEFAULT '[]',    -- JSON array, canonical names
    available             INTEGER CHECK (available IS NULL OR available > 0),
    notes                 TEXT,
    anonymous             INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    sharer_id             INTEGER,                          -- NULL once the sharer erased their data
    -- Content warning: `warning` is the confirmed category (what subscriptions filter on
    -- and digests mark); a member's suggestion waits in `warning_pending`.
    warning               TEXT CHECK (warning IS NULL OR warning IN
                              ('violence', 'sexual', 'hate', 'self_harm', 'other')),
    warning_pending       TEXT CHECK (warning_pending IS NULL OR warning_pending IN
                              ('violence', 'sexual', 'hate', 'self_harm', 'other')),
    warning_proposed_by   INTEGER,
    warning_confirmed_by  INTEGER,
    -- Where the alert was posted (the thread id for a forum post).
    channel_id            INTEGER,
    message_id            INTEGER,
    is_forum              INTEGER NOT NULL DEFAULT 0 CHECK (is_forum IN (0, 1)),
    state                 TEXT    NOT NULL DEFAULT 'live'
                                  CHECK (state IN ('live', 'gone', 'expired', 'removed')),
    seen_count            INTEGER NOT NULL DEFAULT 1 CHECK (seen_count >= 1),
    seen_by               TEXT    NOT NULL DEFAULT '[]',    -- JSON: last few members who re-shared
    last_seen_by          INTEGER,                          -- who bumped it last (see trigger)
    last_seen_anonymous   INTEGER NOT NULL DEFAULT 0 CHECK (last_seen_anonymous IN (0, 1)),
    live_votes            INTEGER NOT NULL DEFAULT 0,
    gone_votes            INTEGER NOT NULL DEFAULT 0,
    done_count            INTEGER NOT NULL DEFAULT 0,
    good_count            INTEGER NOT NULL DEFAULT 0,
    bad_count             INTEGER NOT NULL DEFAULT 0,
    crowd_hourly_cents    INTEGER,
    created_at            INTEGER NOT NULL,
    last_seen_at          INTEGER NOT NULL,
    last_confirmed_at     INTEGER,
    expires_at            INTEGER NOT NULL,
    ended_at              INTEGER,
    ended_by              INTEGER,
    removed_reason        TEXT
) STRICT;

-- One live alert per task per server (the duplicate merge).
CREATE UNIQUE INDEX task_alerts_live_key ON task_alerts (guild_id, task_key) WHERE state = 'live';
-- The expiry sweep only ever looks at live alerts.
CREATE INDEX task_alerts_expiry ON task_alerts (expires_at) WHERE state = 'live';
-- Shares stored but not (yet) posted: only alerts in the middle of being posted, or left
-- behind by a crash between the INSERT and the post (the sweep ends those).
CREATE INDEX task_alerts_unposted ON task_alerts (created_at)
    WHERE state = 'live' AND message_id IS NULL;
-- Recent alerts of a server, newest first (rowid order inside guild_id).
CREATE INDEX task_alerts_guild ON task_alerts (guild_id);
-- Requester card (warned / total; covering), a server's search by requester, and the
-- redraw of a requester's live alerts when its status changes (rare enough to filter
-- the requester's alerts on state rather than keep a second index on every share).
CREATE INDEX task_alerts_requester ON task_alerts (requester_id, guild_id, warning);
-- Privacy export/erase, and moderators pointing at an alert by its message link.
CREATE INDEX task_alerts_sharer ON task_alerts (sharer_id) WHERE sharer_id IS NOT NULL;
CREATE INDEX task_alerts_message ON task_alerts (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX task_alerts_warning_proposer ON task_alerts (warning_proposed_by)
    WHERE warning_proposed_by IS NOT NULL;
CREATE INDEX task_alerts_warning_confirmer ON task_alerts (warning_confirmed_by)
    WHERE warning_confirmed_by IS NOT NULL;

-- Title and requester search. External content: the text lives once, in task_alerts.
CREATE VIRTUAL TABLE task_alerts_fts USING fts5 (
    title, requester_name,
    content = 'task_alerts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Every share commits on its own, and each commit flushes a new level-0 FTS5 segment;
-- with the default automerge of 4 nearly every share also pays for a merge. Merging 16
-- segments at a time cuts the share's INSERT cost by about half (1,880 → 4,220 shares/s
-- replayed on a million alerts); queries read a few more segments, still index-backed.
INSERT INTO task_alerts_fts (task_alerts_fts, rank) VALUES ('automerge', 16);

CREATE TRIGGER task_alerts_fts_insert AFTER INSERT ON task_alerts BEGIN
    INSERT INTO task_alerts_fts (rowid, title, requester_name)
    VALUES (new.id, new.title, new.requester_name);
END;

CREATE TRIGGER task_alerts_fts_delete AFTER DELETE ON task_alerts BEGIN
    INSERT INTO task_alerts_fts (task_alerts_fts, rowid, title, requester_name)
    VALUES ('delete', old.id, old.title, old.requester_name);
END;

CREATE TRIGGER task_alerts_fts_update AFTER UPDATE OF title, requester_name ON task_alerts BEGIN
    INSERT INTO task_alerts_fts (task_alerts_fts, rowid, title, requester_name)
    VALUES ('delete', old.id, old.title, old.requester_name);
    INSERT INTO task_alerts_fts (rowid, title, requester_name)
    VALUES (new.id, new.title, new.requester_name);
END;

-- Members who shared a task that was already live (the "also seen by" bump).
CREATE TABLE task_sightings (
    alert_id   INTEGER NOT NULL REFERENCES task_alerts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    anonymous  INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (alert_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX task_sightings_user ON task_sightings (user_id);

-- A bump (the share upsert's DO UPDATE) records its sharer here in the same statement.
CREATE TRIGGER task_alerts_sighting AFTER UPDATE OF last_seen_at ON task_alerts
WHEN new.last_seen_by IS NOT NULL BEGIN
    INSERT INTO task_sightings (alert_id, user_id, anonymous, seen_at)
    VALUES (new.id, new.last_seen_by, new.last_seen_anonymous, new.last_seen_at)
    ON CONFLICT (alert_id, user_id) DO UPDATE SET
        anonymous = excluded.anonymous, seen_at = excluded.seen_at;
END;

-- "Still live" / "Gone": one current opinion per member and alert.
CREATE TABLE task_votes (
    alert_id   INTEGER NOT NULL REFERENCES task_alerts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('live', 'gone')),
    voted_at   INTEGER NOT NULL,
    PRIMARY KEY (alert_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX task_votes_user ON task_votes (user_id);

-- "I did it": the minutes it really took (and the hourly that gives), optionally good/bad.
CREATE TABLE task_reports (
    alert_id      INTEGER NOT NULL REFERENCES task_alerts (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    hourly_cents  INTEGER NOT NULL CHECK (hourly_cents >= 0),
    rating        TEXT CHECK (rating IS NULL OR rating IN ('good', 'bad')),
    reported_at   INTEGER NOT NULL,
    PRIMARY KEY (alert_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX task_reports_user ON task_reports (user_id);
CREATE INDEX task_reports_hourly ON task_reports (alert_id, hourly_cents);
