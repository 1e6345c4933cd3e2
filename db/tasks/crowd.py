"""The crowd's word on an alert: "still live" / "gone" votes and "I did it" reports.

A vote is one `UPDATE … RETURNING` of the alert that recomputes its counters from
index-backed sub-queries and carries the vote, stored by a trigger. An "I did it" report
is an upsert of the member's row plus an UPDATE that refreshes the crowd's figures.
"""

from __future__ import annotations

import aiosqlite

from db.connection import Database
from db.tasks.records import Alert, row_to_alert

# Each count is the stored votes of everyone else plus this member's new one: an UPDATE's
# sub-queries read the table as it was, and the trigger stores the vote afterwards.
_GONE_NOW = (
    "(SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'gone' "
    "AND user_id != :user) + (:kind = 'gone')"
)
_ENDS = f"(:mark_gone OR (:kind = 'gone' AND {_GONE_NOW} >= :gone_needed))"

_VOTE_SQL = f"""
UPDATE task_alerts SET
    last_vote_by = :user,
    last_vote_kind = :kind,
    last_voted_at = :now,
    live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'live'
                  AND user_id != :user) + (:kind = 'live'),
    gone_votes = {_GONE_NOW},
    last_confirmed_at = CASE WHEN :kind = 'live' THEN :now ELSE last_confirmed_at END,
    expires_at = CASE WHEN :kind = 'live' THEN max(expires_at, :extend_to) ELSE expires_at END,
    state = CASE WHEN {_ENDS} THEN 'gone' ELSE state END,
    ended_at = CASE WHEN {_ENDS} THEN :now ELSE ended_at END,
    ended_by = CASE WHEN {_ENDS} THEN :user ELSE ended_by END
WHERE id = :id AND guild_id = :guild_id AND state = 'live'
RETURNING *
"""


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
    A "still live" pushes the expiry out to `extend_to` (never earlier).
    """
    if kind not in ("live", "gone"):
        msg = f"unknown vote {kind!r}"
        raise ValueError(msg)
    row = await db.fetch_one(
        _VOTE_SQL,
        {
            "id": alert_id,
            "guild_id": guild_id,
            "kind": kind,
            "now": now,
            "extend_to": extend_to,
            "mark_gone": int(moderator and kind == "gone"),
            "gone_needed": gone_needed,
            "user": user_id,
        },
    )
    return None if row is None else row_to_alert(row)


# The median of the reports' hourly rates, with index-backed ORDER BY/OFFSET: the middle
# one, or the rounded-half-up mean of the middle two.
_REPORTS_SQL = """
UPDATE task_alerts SET
    done_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id),
    good_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'good'),
    bad_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'bad'),
    crowd_hourly_cents = (
        SELECT CAST((sum(hourly_cents) + count(*) / 2) / count(*) AS INTEGER) FROM (
            SELECT hourly_cents FROM task_reports WHERE alert_id = :id
            ORDER BY hourly_cents
            LIMIT 2 - (SELECT count(*) FROM task_reports WHERE alert_id = :id) % 2
            OFFSET (SELECT (count(*) - 1) / 2 FROM task_reports WHERE alert_id = :id)
        )
    )
WHERE id = :id
RETURNING *
"""


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
    row = await db.fetch_one(_REPORTS_SQL, {"id": alert_id})
    return None if row is None else row_to_alert(row)


_RECOUNT_VOTES_SQL = (
    "UPDATE task_alerts SET "
    "live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'live'), "
    "gone_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'gone') "
    "WHERE id = :id"
)


async def recount(tx: aiosqlite.Connection, alert_id: int) -> None:
    """Recompute an alert's counters and crowd figures from the votes and reports left.

    For a transaction that deleted some (a member's erasure); runs on its connection.
    """
    await tx.execute(_RECOUNT_VOTES_SQL, {"id": alert_id})
    await tx.execute(_REPORTS_SQL.replace("RETURNING *", ""), {"id": alert_id})
