-- PostgreSQL twin of db/migrations/0011_notify_roles.sql: opt-in notification roles and
-- the pings sent for them (claimed before sending, so a role is never pinged twice).

CREATE TABLE notify_roles (
    guild_id          BIGINT NOT NULL,
    role_id           BIGINT NOT NULL,
    platform          TEXT   NOT NULL DEFAULT '',
    min_hourly_cents  BIGINT CHECK (min_hourly_cents IS NULL OR min_hourly_cents > 0),
    min_reward_cents  BIGINT CHECK (min_reward_cents IS NULL OR min_reward_cents > 0),
    currency          TEXT   CHECK (currency IS NULL OR length(currency) = 3),
    keywords          TEXT   NOT NULL DEFAULT '[]',
    requester         TEXT,
    no_warned         BIGINT NOT NULL DEFAULT 0 CHECK (no_warned IN (0, 1)),
    created_at        BIGINT NOT NULL,
    CHECK ((min_hourly_cents IS NULL AND min_reward_cents IS NULL) OR currency IS NOT NULL),
    PRIMARY KEY (guild_id, role_id)
);

CREATE TABLE notify_role_pings (
    guild_id  BIGINT NOT NULL,
    alert_id  BIGINT NOT NULL,
    role_id   BIGINT NOT NULL,
    sent_at   BIGINT NOT NULL,
    PRIMARY KEY (guild_id, alert_id, role_id)
);

CREATE INDEX notify_role_pings_sent ON notify_role_pings (sent_at);
