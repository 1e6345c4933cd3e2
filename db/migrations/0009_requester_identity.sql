-- Requester identity (issue #12): one rule for "the same name", names that were given
-- for a record but not applied to it, and records kept out of suggestions.
--
-- `name_key` is now computed by `cogs.requesters.identity.name_key` (look-alike letters,
-- accents and invisible characters folded). SQL cannot compute it, so rows written before
-- this migration are marked `key_version = 1` and re-keyed by `db.requesters.rekey_names`
-- when the requesters feature loads; rows written afterwards get the current version.
ALTER TABLE requesters ADD COLUMN key_version INTEGER NOT NULL DEFAULT 2;
UPDATE requesters SET key_version = 1;

-- Suggestions (autocomplete) list only records a set-up server stands behind. Records
-- created before this migration by a review from a server that never ran /setup, with no
-- alert, report or status behind them, are left out (they stay reachable by #id).
ALTER TABLE requesters ADD COLUMN listed INTEGER NOT NULL DEFAULT 1 CHECK (listed IN (0, 1));
UPDATE requesters SET listed = 0
WHERE status = 'none' AND merged_into_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM requesters a WHERE a.merged_into_id = requesters.id)
  AND NOT EXISTS (SELECT 1 FROM task_alerts t WHERE t.requester_id = requesters.id)
  AND NOT EXISTS (SELECT 1 FROM reports p WHERE p.requester_id = requesters.id)
  AND EXISTS (SELECT 1 FROM reviews v WHERE v.subject_kind = 'requester'
              AND v.subject_id = requesters.id)
  AND NOT EXISTS (SELECT 1 FROM reviews v JOIN guild_settings g ON g.guild_id = v.guild_id
                  WHERE v.subject_kind = 'requester' AND v.subject_id = requesters.id
                  AND g.setup_completed_at IS NOT NULL);

-- Other names a record is known by: a name a sharer gave with a flagged requester's id
-- (never applied: a flagged record keeps the name members know it by), a record's
-- earlier name when it was renamed, and names that collided when re-keyed. A name alone
-- resolves to these records too, so a renamed scam still carries its warning.
-- No member id is kept here: the server it came from is enough for moderators.
CREATE TABLE requester_names (
    id            INTEGER PRIMARY KEY,
    requester_id  INTEGER NOT NULL REFERENCES requesters (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_key      TEXT    NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('share', 'rename', 'rekey')),
    guild_id      INTEGER,
    times         INTEGER NOT NULL DEFAULT 1 CHECK (times >= 1),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX requester_names_one ON requester_names (requester_id, name_key);
CREATE INDEX requester_names_key ON requester_names (name_key);
