-- Alert subscriptions: members ask to be told (by DM) when a matching task is shared.
--
-- Only the cheap, selective filters are columns the fan-out query can use (server,
-- platform, money thresholds, "no warned tasks"); keywords and requester are matched in
-- Python over that pre-filtered set (cogs/alerts/rules.py), as is the member's
-- eligibility profile.

CREATE TABLE alert_subscriptions (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    -- '' means any platform: an empty string (not NULL) lets `platform IN ('', ?)` use
    -- the index as two exact lookups.
    platform          TEXT    NOT NULL DEFAULT '',
    -- Money thresholds are in `currency`; NULL means no threshold.
    min_hourly_cents  INTEGER CHECK (min_hourly_cents IS NULL OR min_hourly_cents > 0),
    min_reward_cents  INTEGER CHECK (min_reward_cents IS NULL OR min_reward_cents > 0),
    currency          TEXT    CHECK (currency IS NULL OR length(currency) = 3),
    keywords          TEXT    NOT NULL DEFAULT '[]',   -- JSON array of folded terms
    requester         TEXT,                            -- folded name or platform id
    no_warned         INTEGER NOT NULL DEFAULT 0 CHECK (no_warned IN (0, 1)),
    -- The member's language when they subscribed: DMs have no interaction to read it from.
    locale            TEXT    NOT NULL DEFAULT 'en',
    -- Canonical form of the filters, so the same subscription cannot be stored twice.
    signature         TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    CHECK ((min_hourly_cents IS NULL AND min_reward_cents IS NULL) OR currency IS NOT NULL)
) STRICT;

-- The fan-out: one server's subscriptions for one platform plus the "any platform" ones.
CREATE INDEX alert_subscriptions_fanout ON alert_subscriptions (guild_id, platform);
-- A member's own list (and removal when they leave); unique so a filter set is stored once.
CREATE UNIQUE INDEX alert_subscriptions_member
    ON alert_subscriptions (guild_id, user_id, signature);
-- Privacy export/erase across every server.
CREATE INDEX alert_subscriptions_user ON alert_subscriptions (user_id);

-- Every alert DM (or thread mention) sent, kept for the per-hour cap: counted in the
-- database so a restart does not reset it. The primary key also means one member is never
-- told twice about the same alert, even if the fan-out runs again.
CREATE TABLE alert_dm_log (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    alert_id  INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, alert_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX alert_dm_log_window ON alert_dm_log (guild_id, user_id, sent_at);
-- Old rows are pruned by time across all servers.
CREATE INDEX alert_dm_log_sent ON alert_dm_log (sent_at);
CREATE INDEX alert_dm_log_user ON alert_dm_log (user_id);

-- Where a member whose DMs are closed gets their alerts instead: one private thread (or
-- forum post) per member in the server's alerts channel, created once and reused.
CREATE TABLE alert_threads (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    parent_id   INTEGER NOT NULL,   -- the alerts channel it lives in
    thread_id   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX alert_threads_user ON alert_threads (user_id);
