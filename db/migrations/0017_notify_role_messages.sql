-- The messages that mentioned notification roles, so a moderator's removal of an alert
-- (/task delete) takes its mention down too: the mention quotes the alert's title, and a
-- removed alert's content must not stay in the alerts channel under another message.
--
-- One row per mention message (one message may mention several roles; the per-role
-- claims stay in notify_role_pings, pruned after a week). Kept as long as the alert can
-- still be removed, which has no end (an expired alert can be removed later): the row is
-- deleted when its message is taken down, and with the server's configuration. Nothing
-- here names a member.
CREATE TABLE notify_role_messages (
    guild_id    INTEGER NOT NULL,
    alert_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,   -- the alerts channel, or the alert's forum post
    message_id  INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, alert_id, message_id)
) STRICT, WITHOUT ROWID;
