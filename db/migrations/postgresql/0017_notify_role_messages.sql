-- PostgreSQL twin of db/migrations/0017_notify_role_messages.sql: the messages that
-- mentioned notification roles, so removing an alert takes its mention down too.

CREATE TABLE notify_role_messages (
    guild_id    BIGINT NOT NULL,
    alert_id    BIGINT NOT NULL,
    channel_id  BIGINT NOT NULL,
    message_id  BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (guild_id, alert_id, message_id)
);
