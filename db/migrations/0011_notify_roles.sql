-- Opt-in notification roles (issue #14, item 3): moderators register an existing Discord
-- role with alert filters; when a posted alert matches, one message mentions the role, so
-- every member who joined it hears of the task without one DM per member.
--
-- Who holds a role lives in Discord, not here: nothing in these tables names a member
-- (who registered a role is in the audit log), so /privacy has nothing to export or erase.

-- One row per registered role. The filters are the alert subscriptions' own
-- (cogs/alerts/rules.py `Filters`), stored the same way as `alert_subscriptions`.
CREATE TABLE notify_roles (
    guild_id          INTEGER NOT NULL,
    role_id           INTEGER NOT NULL,
    platform          TEXT    NOT NULL DEFAULT '',   -- '' means any platform
    min_hourly_cents  INTEGER CHECK (min_hourly_cents IS NULL OR min_hourly_cents > 0),
    min_reward_cents  INTEGER CHECK (min_reward_cents IS NULL OR min_reward_cents > 0),
    currency          TEXT    CHECK (currency IS NULL OR length(currency) = 3),
    keywords          TEXT    NOT NULL DEFAULT '[]',  -- JSON array of folded terms
    requester         TEXT,                           -- folded name or platform id
    no_warned         INTEGER NOT NULL DEFAULT 0 CHECK (no_warned IN (0, 1)),
    created_at        INTEGER NOT NULL,
    CHECK ((min_hourly_cents IS NULL AND min_reward_cents IS NULL) OR currency IS NOT NULL),
    PRIMARY KEY (guild_id, role_id)
) STRICT, WITHOUT ROWID;

-- Every role mention sent for an alert, claimed before sending: a duplicate
-- `alert_posted` (a restart, a re-share of an unposted alert) never pings a role twice.
-- Rows are pruned after a week, far past any re-dispatch of the same alert.
CREATE TABLE notify_role_pings (
    guild_id  INTEGER NOT NULL,
    alert_id  INTEGER NOT NULL,
    role_id   INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, alert_id, role_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX notify_role_pings_sent ON notify_role_pings (sent_at);
