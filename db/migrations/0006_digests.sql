-- Scheduled digests: each server's schedule, each member's personal digest, and the
-- ledger of every period claimed, which is what makes a digest go out at most once.
--
-- Times of day are stored as the hour and minute the people asked for, in their own zone:
-- the period a digest covers is computed from the local date in that zone, so daylight-
-- saving changes neither skip nor double a day.

-- One row per server once /setup chose a digest channel (created with the defaults) or a
-- moderator ran /digest setup. The channel itself is guild_settings.digest_channel_id,
-- shared with /setup, so there is one place that says where digests go.
CREATE TABLE digest_settings (
    guild_id        INTEGER PRIMARY KEY,
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    daily           INTEGER NOT NULL DEFAULT 1 CHECK (daily IN (0, 1)),
    weekly          INTEGER NOT NULL DEFAULT 0 CHECK (weekly IN (0, 1)),
    weekday         INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Monday
    send_hour       INTEGER NOT NULL DEFAULT 8 CHECK (send_hour BETWEEN 0 AND 23),
    send_minute     INTEGER NOT NULL DEFAULT 0 CHECK (send_minute BETWEEN 0 AND 59),
    -- IANA zone; NULL follows the server's own zone (guild_settings.timezone).
    timezone        TEXT CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64),
    -- JSON array of section names turned off. Hidden rather than shown sections are
    -- stored so that a section added in a later version appears by default.
    hidden_sections TEXT NOT NULL DEFAULT '[]',
    -- Occurrences due before this instant are never "missed": a schedule created or
    -- changed at 10:00 must not send the 08:00 digest as a late catch-up.
    schedule_since  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (enabled = 0 OR daily = 1 OR weekly = 1)
) STRICT;

-- A member's personal digest (by DM) and their "don't name me" choice. Shared by every
-- server, like the members table.
CREATE TABLE digest_members (
    user_id         INTEGER PRIMARY KEY,
    cadence         TEXT    NOT NULL DEFAULT 'off' CHECK (cadence IN ('off', 'daily', 'weekly')),
    weekday         INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),
    send_hour       INTEGER NOT NULL DEFAULT 8 CHECK (send_hour BETWEEN 0 AND 23),
    send_minute     INTEGER NOT NULL DEFAULT 0 CHECK (send_minute BETWEEN 0 AND 59),
    -- Used only when the member has no zone of their own in members.timezone: the zone
    -- of the server they opted in from.
    timezone        TEXT CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64),
    -- The language of their last /digest command (members.locale wins when set): a DM
    -- has no interaction to read it from.
    locale          TEXT    NOT NULL DEFAULT 'en',
    -- 1 = never name this member when the digest thanks top sharers.
    thanks_opt_out  INTEGER NOT NULL DEFAULT 0 CHECK (thanks_opt_out IN (0, 1)),
    -- Set when a digest DM bounced (DMs closed); the digest was switched off and the
    -- member is told so, once, the next time they use a command.
    dm_closed_at    INTEGER,
    note_pending    INTEGER NOT NULL DEFAULT 0 CHECK (note_pending IN (0, 1)),
    schedule_since  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Start-up rebuild and the periodic resync read only the members who want a digest.
CREATE INDEX digest_members_active ON digest_members (cadence) WHERE cadence <> 'off';
-- Top sharers are filtered against the (few) members who opted out.
CREATE INDEX digest_members_no_thanks ON digest_members (user_id) WHERE thanks_opt_out = 1;
-- Loaded at start-up so the per-command check is a set lookup, not a query.
CREATE INDEX digest_members_notes ON digest_members (user_id) WHERE note_pending = 1;

-- The ledger: one row per (server or member, cadence, period). A digest is claimed here
-- with a single INSERT … ON CONFLICT DO NOTHING before anything is sent, so a double
-- fire, a restart at the scheduled minute or a catch-up never sends a period twice.
CREATE TABLE digest_runs (
    id           INTEGER PRIMARY KEY,
    scope        TEXT    NOT NULL CHECK (scope IN ('guild', 'member')),
    owner_id     INTEGER NOT NULL,               -- guild id or user id
    cadence      TEXT    NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    period_key   TEXT    NOT NULL,               -- 2026-11-26 or 2026-W48 (local to the zone)
    due_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('claimed', 'sent', 'skipped', 'failed')),
    detail       TEXT,
    channel_id   INTEGER,
    message_id   INTEGER,
    claimed_at   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;

CREATE UNIQUE INDEX digest_runs_once ON digest_runs (scope, owner_id, cadence, period_key);
-- "When was the last digest?" for /digest setup and the privacy export.
CREATE INDEX digest_runs_recent ON digest_runs (scope, owner_id, due_at);
-- The daily prune of rows too old to matter.
CREATE INDEX digest_runs_due ON digest_runs (due_at);

-- Indexes the digest's aggregates rely on, over tables other features own. Each digest
-- reads one server's period: a time range inside one server, never a scan. The alerts
-- index also covers every column the counts, medians, ranking and thanks read, so those
-- never touch the table rows however many tasks the period had (only the ten best are
-- read in full).
CREATE INDEX digest_task_alerts_window
    ON task_alerts (guild_id, created_at, state, currency, hourly_cents, anonymous, sharer_id);
CREATE INDEX digest_requesters_status
    ON requesters (status_changed_at) WHERE status IN ('caution', 'scam');
CREATE INDEX digest_reports_opened ON reports (guild_id, created_at);
CREATE INDEX digest_reports_closed ON reports (guild_id, closed_at) WHERE closed_at IS NOT NULL;
