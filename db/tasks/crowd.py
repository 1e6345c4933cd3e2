"""The crowd's word on an alert: "still live" / "gone" votes and "I did it" reports.

A vote is one `UPDATE … RETURNING` of the alert that recomputes its counters from
index-backed sub-queries and carries the vote, stored by a trigger. An "I did it" report
is an upsert of the member's row plus an UPDATE that refreshes the crowd's figures.
"""

from __future__ import annotations

from db.connection import Database
from db.cross_process import hold, serialised
from db.dialect import Sql
from db.tasks.records import Alert, row_to_alert


def _vote_text(*, as_int: str, greatest: str) -> str:
    """The vote statement in one dialect: how a comparison becomes a number, scalar max."""
    # Each count is the stored votes of everyone else plus this member's new one: an
    # UPDATE's sub-queries read the table as it was, and the trigger stores the vote
    # afterwards.
    gone_now = (
        "(SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'gone' "
        f"AND user_id != :user) + (:kind = 'gone'){as_int}"
    )
    ends = f"(:mark_gone OR (:kind = 'gone' AND {gone_now} >= :gone_needed))"
    return f"""
UPDATE task_alerts SET
    last_vote_by = :user,
    last_vote_kind = :kind,
    last_voted_at = :now,
    live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'live'
                  AND user_id != :user) + (:kind = 'live'){as_int},
    gone_votes = {gone_now},
    last_confirmed_at = CASE WHEN :kind = 'live' THEN :now ELSE last_confirmed_at END,
    expires_at = CASE WHEN :kind = 'live' THEN {greatest}(expires_at, :extend_to)
                 ELSE expires_at END,
    state = CASE WHEN {ends} THEN 'gone' ELSE state END,
    ended_at = CASE WHEN {ends} THEN :now ELSE ended_at END,
    ended_by = CASE WHEN {ends} THEN :user ELSE ended_by END
WHERE id = :id AND guild_id = :guild_id AND state = 'live'
RETURNING *
"""


# PostgreSQL adds no boolean to a number (`::int`) and has GREATEST for SQLite's max(a, b).
_VOTE_SQL = Sql(
    _vote_text(as_int="", greatest="max"),
    postgresql=_vote_text(as_int="::int", greatest="GREATEST"),
)


def alert_key(alert_id: int) -> str:
    """The cross-process lock of an alert's crowd counters (`db.cross_process`).

    Every statement that recomputes them from task_votes or task_reports holds it, so on
    PostgreSQL its counts see the votes and reports another process committed just before.
    """
    return f"task_alerts:{alert_id}"


async def vote(
    db: Database,
    alert_id: int,
    user_id: int,
    kind: str,
    *,
    guild_id: int,
    now: int,
    extend_to: int,
    gone_needed: int,
    moderator: bool,
) -> Alert | None:
    """Record a member's "still live" / "gone" and return the live alert as it is now.

    One statement, one round trip: the alert's UPDATE recomputes its counters and
    carries the vote, which the `task_alerts_vote` trigger stores (migration 0012).
    Returns None when the alert is not live (any more) or belongs to another server than
    `guild_id` (the voter's): nothing is recorded then, since the server is in the
    statement's WHERE and the trigger only runs for a row it updated. A moderator's
    "gone", or `gone_needed` members', ends the alert in the same statement: only a
    "gone" vote's own statement ends it, so with clicks in flight together a "still
    live" never ends it on behalf of "gone" votes stored just before it.
    A "still live" pushes the expiry out to `extend_to` (never earlier). On PostgreSQL
    the statement runs under the alert's lock (`alert_key`), so it counts every vote
    committed before it, from this process's pool or another process.
    """
    if kind not in ("live", "gone"):
        msg = f"unknown vote {kind!r}"
        raise ValueError(msg)
    async with serialised(db, [alert_key(alert_id)]):
        row = await db.fetch_one(
            _VOTE_SQL,
            {
                "id": alert_id,
                "guild_id": guild_id,
                "kind": kind,
                "now": now,
                "extend_to": extend_to,
                "mark_gone": moderator and kind == "gone",  # a bool: PostgreSQL ORs it
                "gone_needed": gone_needed,
                "user": user_id,
            },
        )
    return None if row is None else row_to_alert(row)


def _reports_text(median: str) -> str:
    """The crowd figures' UPDATE (no RETURNING), around one dialect's median expression."""
    return f"""
UPDATE task_alerts SET
    done_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id),
    good_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'good'),
    bad_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'bad'),
    crowd_hourly_cents = (
        SELECT {median} FROM (
            SELECT hourly_cents FROM task_reports WHERE alert_id = :id
            ORDER BY hourly_cents
            LIMIT 2 - (SELECT count(*) FROM task_reports WHERE alert_id = :id) % 2
            OFFSET (SELECT (count(*) - 1) / 2 FROM task_reports WHERE alert_id = :id)
        ) AS middle
    )
WHERE id = :id
"""


# The median of the reports' hourly rates, with index-backed ORDER BY/OFFSET: the middle
# one, or the rounded-half-up mean of the middle two. PostgreSQL's sum() is NUMERIC, whose
# division a cast would round: cast the sum first so the division truncates as SQLite's.
_REPORTS_UPDATE = Sql(
    _reports_text("CAST((sum(hourly_cents) + count(*) / 2) / count(*) AS INTEGER)"),
    postgresql=_reports_text("(sum(hourly_cents)::bigint + count(*) / 2) / count(*)"),
)
_REPORTS_SQL = _REPORTS_UPDATE + "RETURNING *\n"


async def report_done(
    db: Database,
    alert_id: int,
    user_id: int,
    *,
    guild_id: int,
    minutes: int,
    hourly_cents: int,
    rating: str | None,
    now: int,
) -> Alert | None:
    """Record (or correct) a member's "I did it" and refresh the crowd's figures.

    Returns None for an unknown or removed alert, or one of another server than `guild_id`.
    """
    changed = await db.execute(
        "INSERT INTO task_reports (alert_id, user_id, minutes, hourly_cents, rating, "
        "reported_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS "
        "(SELECT 1 FROM task_alerts WHERE id = ? AND guild_id = ? AND state != 'removed') "
        "ON CONFLICT (alert_id, user_id) DO UPDATE SET minutes = excluded.minutes, "
        "hourly_cents = excluded.hourly_cents, rating = excluded.rating, "
        "reported_at = excluded.reported_at",
        (alert_id, user_id, minutes, hourly_cents, rating, now, alert_id, guild_id),
    )
    if not changed:
        return None
    async with serialised(db, [alert_key(alert_id)]):
        row = await db.fetch_one(_REPORTS_SQL, {"id": alert_id})
    return None if row is None else row_to_alert(row)


_RECOUNT_VOTES_SQL = (
    "UPDATE task_alerts SET "
    "live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'live'), "
    "gone_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'gone') "
    "WHERE id = :id"
)


async def recount(db: Database, alert_id: int) -> None:
    """Recompute an alert's counters and crowd figures from the votes and reports left.

    For the caller's transaction that deleted some (a member's erasure): runs inside it,
    holding the alert's lock on PostgreSQL until it ends.
    """
    await hold(db, [alert_key(alert_id)])
    await db.execute(_RECOUNT_VOTES_SQL, {"id": alert_id})
    await db.execute(_REPORTS_UPDATE, {"id": alert_id})
