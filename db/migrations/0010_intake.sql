-- Intake: personal API tokens, the exports channel, and exports turned into alerts.

-- A member's personal API token for one server. Only a SHA-256 of the token is kept
-- (tokens are 256-bit random, so a fast hash is enough); `prefix` lets the member tell
-- their tokens apart in `/api token list` without the secret being stored.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    prefix        TEXT    NOT NULL,
    label         TEXT,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
) STRICT;

CREATE INDEX api_tokens_member ON api_tokens (user_id, guild_id);

-- One exports channel per server (moderators choose it with /setup channel exports).
CREATE TABLE intake_settings (
    guild_id            INTEGER PRIMARY KEY,
    exports_channel_id  INTEGER,
    updated_at          INTEGER NOT NULL
) STRICT;

-- A message in the exports channel that became (or merged into) an alert, so an edit or
-- a delete of that message within a minute can be followed, and the reply found again.
CREATE TABLE export_messages (
    message_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    alert_id    INTEGER REFERENCES task_alerts (id) ON DELETE SET NULL,
    created     INTEGER NOT NULL CHECK (created IN (0, 1)),
    reply_id    INTEGER,
    posted_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX export_messages_author ON export_messages (author_id);
