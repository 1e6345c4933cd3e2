-- Requesters feature: reviews (generic over what is reviewed), their history and flags,
-- scam reports with their follow-up notes, and the moderators' audit log.
--
-- Reviews are written for any "subject": a requester today, a platform later (issue #9).
-- The criteria a subject kind is scored on live in code; here the scores are a JSON object
-- {criterion: 1..5}, so a new kind needs no new table.

-- How a requester's status was reached: from confirmed reports, or set by a moderator.
-- A moderator's decision is never undone automatically (cogs/requesters/rules.py).
ALTER TABLE requesters ADD COLUMN status_source TEXT
    CHECK (status_source IS NULL OR status_source IN ('reports', 'moderator'));

-- Autocomplete and lookups by platform id across platforms, and alias resolution.
CREATE INDEX requesters_platform_id_any
    ON requesters (platform_requester_id) WHERE platform_requester_id IS NOT NULL;
-- Autocomplete with nothing typed yet offers the most recently active requesters.
CREATE INDEX requesters_recent ON requesters (updated_at);
CREATE INDEX requesters_merged_into ON requesters (merged_into_id) WHERE merged_into_id IS NOT NULL;

CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    subject_kind  TEXT    NOT NULL CHECK (subject_kind GLOB '[a-z]*' AND length(subject_kind) <= 32),
    subject_id    INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    guild_id      INTEGER NOT NULL,            -- the server it was written from
    scores        TEXT    NOT NULL CHECK (json_valid(scores) AND json_type(scores) = 'object'),
    experience    TEXT,                        -- e.g. how many tasks done: 'none', '1-5', …
    body          TEXT    CHECK (body IS NULL OR length(body) <= 4000),
    revision      INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    hidden_at     INTEGER,                     -- set while flags hide it from scores
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- One review per member per subject; also serves every per-subject query.
CREATE UNIQUE INDEX reviews_one_per_author ON reviews (subject_kind, subject_id, author_id);
CREATE INDEX reviews_subject_recent ON reviews (subject_kind, subject_id, updated_at);
CREATE INDEX reviews_author ON reviews (author_id);

-- Every earlier version of a review, written by the trigger below whenever an edit
-- changes its content, so "submitting again edits it (history kept)" costs one statement.
CREATE TABLE review_history (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    scores      TEXT    NOT NULL,
    experience  TEXT,
    body        TEXT,
    written_at  INTEGER NOT NULL,
    replaced_at INTEGER NOT NULL
) STRICT;

CREATE INDEX review_history_review ON review_history (review_id, id);

CREATE TRIGGER reviews_keep_history
AFTER UPDATE OF scores, experience, body ON reviews
WHEN OLD.scores IS NOT NEW.scores
  OR OLD.experience IS NOT NEW.experience
  OR OLD.body IS NOT NEW.body
BEGIN
    INSERT INTO review_history (review_id, scores, experience, body, written_at, replaced_at)
    VALUES (OLD.id, OLD.scores, OLD.experience, OLD.body, OLD.updated_at, NEW.updated_at);
END;

CREATE TABLE review_flags (
    review_id    INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    flagger_id   INTEGER NOT NULL,
    guild_id     INTEGER NOT NULL,
    by_moderator INTEGER NOT NULL CHECK (by_moderator IN (0, 1)),
    reason       TEXT    CHECK (reason IS NULL OR length(reason) <= 1000),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (review_id, flagger_id)
) STRICT;

CREATE INDEX review_flags_flagger ON review_flags (flagger_id);

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,       -- the report number members are given
    guild_id          INTEGER NOT NULL,          -- whose moderators handle it
    requester_id      INTEGER NOT NULL REFERENCES requesters (id),
    reporter_id       INTEGER,                   -- NULL once the reporter erased their data
    category          TEXT    NOT NULL CHECK (category IN (
                          'non_payment', 'underpaid', 'harvesting', 'off_platform',
                          'malware', 'other')),
    description       TEXT    NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    evidence          TEXT    NOT NULL DEFAULT '[]'
                              CHECK (json_valid(evidence) AND json_type(evidence) = 'array'),
    attachment_url    TEXT,
    attachment_name   TEXT,
    new_member        INTEGER NOT NULL DEFAULT 0 CHECK (new_member IN (0, 1)),
    state             TEXT    NOT NULL DEFAULT 'open'
                              CHECK (state IN ('open', 'confirmed', 'dismissed')),
    info_requested_at INTEGER,                   -- a question awaits the reporter's answer
    closed_by         INTEGER,
    closed_reason     TEXT,
    closed_at         INTEGER,
    card_channel_id   INTEGER,                   -- the moderators' card (thread id for forums)
    card_message_id   INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- The daily limit counts a member's recent reports in one server.
CREATE INDEX reports_reporter_recent ON reports (reporter_id, guild_id, created_at);
-- One open report per member per requester.
CREATE INDEX reports_open_per_reporter
    ON reports (reporter_id, requester_id) WHERE state = 'open';
-- Status rules count a requester's confirmed reports; merges re-point them.
CREATE INDEX reports_requester ON reports (requester_id, state, closed_at);
-- The moderators' queue of one server.
CREATE INDEX reports_guild_open ON reports (guild_id, id) WHERE state = 'open';

-- What moderators asked and what reporters answered, appended to a report.
CREATE TABLE report_notes (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('question', 'answer')),
    author_id  INTEGER,
    body       TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX report_notes_report ON report_notes (report_id, id);
CREATE INDEX report_notes_author ON report_notes (author_id) WHERE author_id IS NOT NULL;

-- Who did what, when and why: every moderator action, shown by /mod log.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    target_kind TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    reason      TEXT,
    detail      TEXT    NOT NULL DEFAULT '{}'
                        CHECK (json_valid(detail) AND json_type(detail) = 'object'),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_log_guild ON audit_log (guild_id, id);
CREATE INDEX audit_log_guild_actor ON audit_log (guild_id, actor_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
