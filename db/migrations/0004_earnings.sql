-- Earnings: each member's private log of paid and unpaid work, their own wage settings,
-- their opt-in to community statistics, and their work sessions (shifts).
--
-- Nothing here is ever shown to anyone but the member it belongs to, except the
-- k-anonymous community statistics computed from members who opted in.

-- One row per thing the member logged: a task (paid, pending, rejected or returned),
-- a bonus, or unpaid time (searching, qualification tests, time between tasks).
-- Clustered by member and date (WITHOUT ROWID), so a period's entries are read as one
-- contiguous range; a member's entries are identified by their own `number`.
CREATE TABLE earnings (
    user_id         INTEGER NOT NULL,
    number          INTEGER NOT NULL CHECK (number > 0),   -- the member's own entry number
    uid             TEXT    NOT NULL CHECK (length(uid) BETWEEN 1 AND 120),  -- stable id: import/export
    kind            TEXT    NOT NULL CHECK (kind IN ('task', 'bonus', 'unpaid')),
    status          TEXT    CHECK (status IN ('pending', 'approved', 'rejected', 'returned')),
    amount_cents    INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    currency        TEXT    CHECK (currency IS NULL OR length(currency) = 3),
    minutes         INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 0 AND 1440),  -- NULL: unknown
    platform        TEXT,
    requester_name  TEXT,
    requester_key   TEXT,      -- case-folded name, what the breakdown groups on
    requester_id    INTEGER,   -- the shared registry's id, when logged from an alert
    title           TEXT,
    reason          TEXT CHECK (reason IS NULL
                                OR reason IN ('searching', 'qualification', 'between_tasks', 'other')),
    work_date       TEXT    NOT NULL
                            CHECK (work_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    source          TEXT    NOT NULL DEFAULT 'manual'
                            CHECK (source IN ('manual', 'alert', 'import', 'shift')),
    alert_id        INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- unpaid time has no status, money or currency; paid work always has a currency
    CHECK ((kind = 'unpaid') = (status IS NULL)),
    CHECK (kind <> 'unpaid' OR (amount_cents = 0 AND currency IS NULL AND minutes > 0)),
    CHECK (kind = 'unpaid' OR (currency IS NOT NULL AND platform IS NOT NULL)),
    PRIMARY KEY (user_id, work_date, number)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX earnings_user_number ON earnings (user_id, number);
CREATE UNIQUE INDEX earnings_user_uid ON earnings (user_id, uid);
CREATE INDEX earnings_user_pending ON earnings (user_id, number) WHERE status = 'pending';

-- Per member, day and group, the sums every summary needs. Kept exact by the triggers
-- below, so a month's totals read a few hundred rows however long the log is.
-- `state` is the entry's status, or for unpaid time its reason.
CREATE TABLE earnings_daily (
    user_id             INTEGER NOT NULL,
    work_date           TEXT    NOT NULL,
    currency            TEXT    NOT NULL,   -- '' for unpaid time
    platform            TEXT    NOT NULL,   -- '' when none was given
    kind                TEXT    NOT NULL,
    state               TEXT    NOT NULL,
    entries             INTEGER NOT NULL,
    amount_cents        INTEGER NOT NULL,
    minutes             INTEGER NOT NULL,   -- known minutes only
    timed_amount_cents  INTEGER NOT NULL,   -- money of entries whose minutes are known
    untimed             INTEGER NOT NULL,   -- entries without minutes
    PRIMARY KEY (user_id, work_date, currency, platform, kind, state)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER earnings_daily_insert AFTER INSERT ON earnings
BEGIN
    INSERT INTO earnings_daily (user_id, work_date, currency, platform, kind, state, entries,
                                amount_cents, minutes, timed_amount_cents, untimed)
    VALUES (NEW.user_id, NEW.work_date, COALESCE(NEW.currency, ''), COALESCE(NEW.platform, ''),
            NEW.kind, COALESCE(NEW.status, NEW.reason, ''), 1, NEW.amount_cents,
            COALESCE(NEW.minutes, 0),
            CASE WHEN NEW.minutes IS NULL THEN 0 ELSE NEW.amount_cents END,
            NEW.minutes IS NULL)
    ON CONFLICT (user_id, work_date, currency, platform, kind, state)
    DO UPDATE SET entries = entries + 1,
                  amount_cents = amount_cents + excluded.amount_cents,
                  minutes = minutes + excluded.minutes,
                  timed_amount_cents = timed_amount_cents + excluded.timed_amount_cents,
                  untimed = untimed + excluded.untimed;
END;

CREATE TRIGGER earnings_daily_delete AFTER DELETE ON earnings
BEGIN
    UPDATE earnings_daily
       SET entries = entries - 1,
           amount_cents = amount_cents - OLD.amount_cents,
           minutes = minutes - COALESCE(OLD.minutes, 0),
           timed_amount_cents = timed_amount_cents
                                - CASE WHEN OLD.minutes IS NULL THEN 0 ELSE OLD.amount_cents END,
           untimed = untimed - (OLD.minutes IS NULL)
     WHERE user_id = OLD.user_id AND work_date = OLD.work_date
       AND currency = COALESCE(OLD.currency, '') AND platform = COALESCE(OLD.platform, '')
       AND kind = OLD.kind
       AND state = COALESCE(OLD.status, OLD.reason, '');
    DELETE FROM earnings_daily
     WHERE user_id = OLD.user_id AND work_date = OLD.work_date
       AND currency = COALESCE(OLD.currency, '') AND platform = COALESCE(OLD.platform, '')
       AND kind = OLD.kind
       AND state = COALESCE(OLD.status, OLD.reason, '') AND entries <= 0;
END;

CREATE TRIGGER earnings_daily_update
AFTER UPDATE OF user_id, work_date, currency, platform, kind, status, reason, amount_cents,
                minutes ON earnings
BEGIN
    UPDATE earnings_daily
       SET entries = entries - 1,
           amount_cents = amount_cents - OLD.amount_cents,
           minutes = minutes - COALESCE(OLD.minutes, 0),
           timed_amount_cents = timed_amount_cents
                                - CASE WHEN OLD.minutes IS NULL THEN 0 ELSE OLD.amount_cents END,
           untimed = untimed - (OLD.minutes IS NULL)
     WHERE user_id = OLD.user_id AND work_date = OLD.work_date
       AND currency = COALESCE(OLD.currency, '') AND platform = COALESCE(OLD.platform, '')
       AND kind = OLD.kind
       AND state = COALESCE(OLD.status, OLD.reason, '');
    DELETE FROM earnings_daily
     WHERE user_id = OLD.user_id AND work_date = OLD.work_date
       AND currency = COALESCE(OLD.currency, '') AND platform = COALESCE(OLD.platform, '')
       AND kind = OLD.kind
       AND state = COALESCE(OLD.status, OLD.reason, '') AND entries <= 0;
    INSERT INTO earnings_daily (user_id, work_date, currency, platform, kind, state, entries,
                                amount_cents, minutes, timed_amount_cents, untimed)
    VALUES (NEW.user_id, NEW.work_date, COALESCE(NEW.currency, ''), COALESCE(NEW.platform, ''),
            NEW.kind, COALESCE(NEW.status, NEW.reason, ''), 1, NEW.amount_cents,
            COALESCE(NEW.minutes, 0),
            CASE WHEN NEW.minutes IS NULL THEN 0 ELSE NEW.amount_cents END,
            NEW.minutes IS NULL)
    ON CONFLICT (user_id, work_date, currency, platform, kind, state)
    DO UPDATE SET entries = entries + 1,
                  amount_cents = amount_cents + excluded.amount_cents,
                  minutes = minutes + excluded.minutes,
                  timed_amount_cents = timed_amount_cents + excluded.timed_amount_cents,
                  untimed = untimed + excluded.untimed;
END;

-- A member's own settings for earnings. NULL means "use the server's default".
-- (The member's time zone lives in `members.timezone`, shared with other features.)
CREATE TABLE earnings_prefs (
    user_id          INTEGER PRIMARY KEY,
    min_wage_cents   INTEGER CHECK (min_wage_cents IS NULL OR min_wage_cents >= 0),
    wage_currency    TEXT    CHECK (wage_currency IS NULL OR length(wage_currency) = 3),
    goal_cents       INTEGER CHECK (goal_cents IS NULL OR goal_cents > 0),
    goal_currency    TEXT    CHECK (goal_currency IS NULL OR length(goal_currency) = 3),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK ((min_wage_cents IS NULL) = (wage_currency IS NULL)),
    CHECK ((goal_cents IS NULL) = (goal_currency IS NULL))
) STRICT;

-- Members who agreed, in a given server, that their effective hourly feeds that server's
-- anonymous community statistics.
CREATE TABLE earnings_sharing (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    since_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX earnings_sharing_user ON earnings_sharing (user_id);

-- Work sessions: `/shift start` opens one, `/shift stop` closes it and records the time
-- between logged tasks as unpaid time (the member's entry `entry_number`).
CREATE TABLE shifts (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL,
    platform        TEXT,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    worked_minutes  INTEGER CHECK (worked_minutes IS NULL OR worked_minutes >= 0),
    gap_minutes     INTEGER CHECK (gap_minutes IS NULL OR gap_minutes >= 0),
    entry_number    INTEGER,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
) STRICT;

CREATE UNIQUE INDEX shifts_one_open ON shifts (user_id) WHERE ended_at IS NULL;
CREATE INDEX shifts_user_started ON shifts (user_id, started_at);
