-- Foundation schema: per-server configuration, members' own preferences, and the
-- requester registry that every server sharing this database sees.
--
-- Conventions (all later migrations follow them):
--   * instants are INTEGER seconds since the Unix epoch, UTC (columns named *_at);
--   * calendar dates in someone's own zone are TEXT 'YYYY-MM-DD';
--   * money is INTEGER minor units (cents) next to a TEXT ISO-4217 currency code;
--   * Discord snowflakes are INTEGER.

CREATE TABLE guild_settings (
    guild_id              INTEGER PRIMARY KEY,
    alerts_channel_id     INTEGER,
    mod_channel_id        INTEGER,
    digest_channel_id     INTEGER,
    mod_role_id           INTEGER,
    currency              TEXT    NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    min_wage_cents        INTEGER NOT NULL DEFAULT 725 CHECK (min_wage_cents >= 0),
    fair_wage_cents       INTEGER NOT NULL DEFAULT 1000 CHECK (fair_wage_cents >= min_wage_cents),
    timezone              TEXT    NOT NULL DEFAULT 'America/Los_Angeles',
    locale                TEXT    NOT NULL DEFAULT 'en',
    alert_expiry_minutes  INTEGER NOT NULL DEFAULT 120 CHECK (alert_expiry_minutes BETWEEN 5 AND 10080),
    reports_per_day       INTEGER NOT NULL DEFAULT 3 CHECK (reports_per_day BETWEEN 1 AND 100),
    new_member_days       INTEGER NOT NULL DEFAULT 7 CHECK (new_member_days BETWEEN 0 AND 365),
    scam_policy           TEXT    NOT NULL DEFAULT 'refuse' CHECK (scam_policy IN ('refuse', 'warn')),
    alert_dms_per_hour    INTEGER NOT NULL DEFAULT 10 CHECK (alert_dms_per_hour BETWEEN 0 AND 120),
    setup_completed_at    INTEGER,
    left_at               INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

CREATE INDEX guild_settings_left ON guild_settings (left_at) WHERE left_at IS NOT NULL;

-- A person's own preferences, the same in every server. Country and qualifications are
-- for eligibility filtering only and are never shown to other members.
CREATE TABLE members (
    user_id        INTEGER PRIMARY KEY,
    timezone       TEXT,
    locale         TEXT,
    country        TEXT CHECK (country IS NULL OR length(country) = 2),
    qualifications TEXT NOT NULL DEFAULT '[]',   -- JSON array of normalised names
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- The shared requester registry. A requester is known by platform + platform id when
-- there is one (MTurk's A1B2C3…), otherwise by platform + case-folded name.
CREATE TABLE requesters (
    id                     INTEGER PRIMARY KEY,
    platform               TEXT    NOT NULL,
    platform_requester_id  TEXT,
    name                   TEXT    NOT NULL,
    name_key               TEXT    NOT NULL,
    status                 TEXT    NOT NULL DEFAULT 'none'
                                   CHECK (status IN ('none', 'caution', 'scam')),
    status_reason          TEXT,
    status_changed_at      INTEGER,
    merged_into_id         INTEGER REFERENCES requesters (id) ON DELETE SET NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX requesters_platform_id
    ON requesters (platform, platform_requester_id) WHERE platform_requester_id IS NOT NULL;
CREATE UNIQUE INDEX requesters_platform_name
    ON requesters (platform, name_key) WHERE platform_requester_id IS NULL;
CREATE INDEX requesters_name_key ON requesters (name_key);
