-- PostgreSQL twin of db/migrations/0004_earnings.sql: each member's private log of paid
-- and unpaid work, their wage settings, their opt-in to community statistics, and shifts.
--
-- SQLite clusters `earnings` and `earnings_daily` by their primary keys (WITHOUT ROWID);
-- PostgreSQL has no clustered tables, the primary key index serves the same range reads.

CREATE TABLE earnings (
    user_id         BIGINT NOT NULL,
    number          BIGINT NOT NULL CHECK (number > 0),
    uid             TEXT   NOT NULL CHECK (length(uid) BETWEEN 1 AND 120),
    kind            TEXT   NOT NULL CHECK (kind IN ('task', 'bonus', 'unpaid')),
    status          TEXT   CHECK (status IN ('pending', 'approved', 'rejected', 'returned')),
    amount_cents    BIGINT NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    currency        TEXT   CHECK (currency IS NULL OR length(currency) = 3),
    minutes         BIGINT CHECK (minutes IS NULL OR minutes BETWEEN 0 AND 1440),
    platform        TEXT,
    requester_name  TEXT,
    requester_key   TEXT,
    requester_id    BIGINT,
    title           TEXT,
    reason          TEXT CHECK (reason IS NULL
                                OR reason IN ('searching', 'qualification', 'between_tasks', 'other')),
    -- SQLite: GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'.
    work_date       TEXT   NOT NULL
                           CHECK ((work_date COLLATE "C") ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'),
    source          TEXT   NOT NULL DEFAULT 'manual'
                           CHECK (source IN ('manual', 'alert', 'import', 'shift')),
    alert_id        BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK ((kind = 'unpaid') = (status IS NULL)),
    CHECK (kind <> 'unpaid' OR (amount_cents = 0 AND currency IS NULL AND minutes > 0)),
    CHECK (kind = 'unpaid' OR (currency IS NOT NULL AND platform IS NOT NULL)),
    PRIMARY KEY (user_id, work_date, number)
);

CREATE UNIQUE INDEX earnings_user_number ON earnings (user_id, number);
CREATE UNIQUE INDEX earnings_user_uid ON earnings (user_id, uid);
CREATE INDEX earnings_user_pending ON earnings (user_id, number) WHERE status = 'pending';

-- Per member, day and group, the sums every summary needs, kept exact by the triggers
-- below. `state` is the entry's status, or for unpaid time its reason.
CREATE TABLE earnings_daily (
    user_id             BIGINT NOT NULL,
    work_date           TEXT   NOT NULL,
    currency            TEXT   NOT NULL,
    platform            TEXT   NOT NULL,
    kind                TEXT   NOT NULL,
    state               TEXT   NOT NULL,
    entries             BIGINT NOT NULL,
    amount_cents        BIGINT NOT NULL,
    minutes             BIGINT NOT NULL,
    timed_amount_cents  BIGINT NOT NULL,
    untimed             BIGINT NOT NULL,
    PRIMARY KEY (user_id, work_date, currency, platform, kind, state)
);

-- One entry counted into its day's group (the INSERT half of SQLite's triggers).
CREATE FUNCTION earnings_daily_add(e earnings) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO earnings_daily (user_id, work_date, currency, platform, kind, state, entries,
                                amount_cents, minutes, timed_amount_cents, untimed)
    VALUES (e.user_id, e.work_date, COALESCE(e.currency, ''), COALESCE(e.platform, ''),
            e.kind, COALESCE(e.status, e.reason, ''), 1, e.amount_cents,
            COALESCE(e.minutes, 0),
            CASE WHEN e.minutes IS NULL THEN 0 ELSE e.amount_cents END,
            CASE WHEN e.minutes IS NULL THEN 1 ELSE 0 END)
    ON CONFLICT (user_id, work_date, currency, platform, kind, state)
    DO UPDATE SET entries = earnings_daily.entries + 1,
                  amount_cents = earnings_daily.amount_cents + excluded.amount_cents,
                  minutes = earnings_daily.minutes + excluded.minutes,
                  timed_amount_cents = earnings_daily.timed_amount_cents
                                       + excluded.timed_amount_cents,
                  untimed = earnings_daily.untimed + excluded.untimed;
END
$$;

-- One entry taken out of its day's group, the group dropped when it is empty (the
-- UPDATE + DELETE half of SQLite's triggers).
CREATE FUNCTION earnings_daily_remove(e earnings) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE earnings_daily AS d
       SET entries = d.entries - 1,
           amount_cents = d.amount_cents - e.amount_cents,
           minutes = d.minutes - COALESCE(e.minutes, 0),
           timed_amount_cents = d.timed_amount_cents
                                - CASE WHEN e.minutes IS NULL THEN 0 ELSE e.amount_cents END,
           untimed = d.untimed - CASE WHEN e.minutes IS NULL THEN 1 ELSE 0 END
     WHERE d.user_id = e.user_id AND d.work_date = e.work_date
       AND d.currency = COALESCE(e.currency, '') AND d.platform = COALESCE(e.platform, '')
       AND d.kind = e.kind
       AND d.state = COALESCE(e.status, e.reason, '');
    DELETE FROM earnings_daily AS d
     WHERE d.user_id = e.user_id AND d.work_date = e.work_date
       AND d.currency = COALESCE(e.currency, '') AND d.platform = COALESCE(e.platform, '')
       AND d.kind = e.kind
       AND d.state = COALESCE(e.status, e.reason, '') AND d.entries <= 0;
END
$$;

CREATE FUNCTION earnings_daily_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM earnings_daily_add(NEW);
    RETURN NULL;
END
$$;

CREATE FUNCTION earnings_daily_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM earnings_daily_remove(OLD);
    RETURN NULL;
END
$$;

CREATE FUNCTION earnings_daily_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM earnings_daily_remove(OLD);
    PERFORM earnings_daily_add(NEW);
    RETURN NULL;
END
$$;

CREATE TRIGGER earnings_daily_insert AFTER INSERT ON earnings
    FOR EACH ROW EXECUTE FUNCTION earnings_daily_insert();

CREATE TRIGGER earnings_daily_delete AFTER DELETE ON earnings
    FOR EACH ROW EXECUTE FUNCTION earnings_daily_delete();

CREATE TRIGGER earnings_daily_update
    AFTER UPDATE OF user_id, work_date, currency, platform, kind, status, reason, amount_cents,
                    minutes ON earnings
    FOR EACH ROW EXECUTE FUNCTION earnings_daily_update();

-- A member's own settings for earnings. NULL means "use the server's default".
CREATE TABLE earnings_prefs (
    user_id          BIGINT PRIMARY KEY,
    min_wage_cents   BIGINT CHECK (min_wage_cents IS NULL OR min_wage_cents >= 0),
    wage_currency    TEXT   CHECK (wage_currency IS NULL OR length(wage_currency) = 3),
    goal_cents       BIGINT CHECK (goal_cents IS NULL OR goal_cents > 0),
    goal_currency    TEXT   CHECK (goal_currency IS NULL OR length(goal_currency) = 3),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK ((min_wage_cents IS NULL) = (wage_currency IS NULL)),
    CHECK ((goal_cents IS NULL) = (goal_currency IS NULL))
);

CREATE TABLE earnings_sharing (
    guild_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    since_at    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE INDEX earnings_sharing_user ON earnings_sharing (user_id);

CREATE TABLE shifts (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL,
    platform        TEXT,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    worked_minutes  BIGINT CHECK (worked_minutes IS NULL OR worked_minutes >= 0),
    gap_minutes     BIGINT CHECK (gap_minutes IS NULL OR gap_minutes >= 0),
    entry_number    BIGINT,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE UNIQUE INDEX shifts_one_open ON shifts (user_id) WHERE ended_at IS NULL;
CREATE INDEX shifts_user_started ON shifts (user_id, started_at);
