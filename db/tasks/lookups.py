"""Finding alerts (by id, by message, by requester) and re-pointing one at a requester."""

from __future__ import annotations

from db.connection import Database
from db.dialect import Sql
from db.tasks.records import Alert, row_to_alert


async def get_alert(db: Database, alert_id: int) -> Alert | None:
    row = await db.fetch_one("SELECT * FROM task_alerts WHERE id = ?", (alert_id,))
    return None if row is None else row_to_alert(row)


async def get_by_message(db: Database, message_id: int) -> Alert | None:
    row = await db.fetch_one("SELECT * FROM task_alerts WHERE message_id = ?", (message_id,))
    return None if row is None else row_to_alert(row)


async def live_for_requester(db: Database, requester_id: int) -> list[Alert]:
    """Live alerts of a requester, and of requesters merged into it."""
    rows = await db.fetch_all(
        "SELECT * FROM task_alerts WHERE state = 'live' AND requester_id = ? "
        "UNION SELECT a.* FROM task_alerts AS a JOIN requesters AS r ON r.id = a.requester_id "
        "WHERE a.state = 'live' AND r.merged_into_id = ? ORDER BY 1",
        (requester_id, requester_id),
    )
    return [row_to_alert(r) for r in rows]


async def live_with_requester(db: Database) -> list[Alert]:
    """Every live alert that points at a requester (redrawn when statuses may be stale)."""
    rows = await db.fetch_all(
        "SELECT * FROM task_alerts WHERE state = 'live' AND requester_id IS NOT NULL ORDER BY id"
    )
    return [row_to_alert(r) for r in rows]


async def warned_alert_stats(db: Database, requester_id: int) -> tuple[int, int]:
    """(alerts with a confirmed content warning, all alerts) for a requester's card.

    Alerts moderators removed are not counted: members never read them, so neither their
    warning nor their existence shows on the card.
    """
    row = await db.fetch_one(
        "SELECT count(warning), count(*) FROM task_alerts "
        "WHERE requester_id = ? AND state != 'removed'",
        (requester_id,),
    )
    assert row is not None
    return int(row[0]), int(row[1])


async def relink_requester(
    db: Database, alert_id: int, *, guild_id: int, requester_id: int
) -> Alert | None:
    """Point an alert of this server at `requester_id` (a moderator's undo).

    The server is checked in the statement that writes; None when the alert is not this
    server's or already points at that record.
    """
    row = await db.fetch_one(
        Sql(
            "UPDATE task_alerts SET requester_id = ? WHERE id = ? AND guild_id = ? "
            "AND requester_id IS NOT ? RETURNING *",
            postgresql="UPDATE task_alerts SET requester_id = ? WHERE id = ? AND guild_id = ? "
            "AND requester_id IS DISTINCT FROM ? RETURNING *",
        ),
        (requester_id, alert_id, guild_id, requester_id),
    )
    return None if row is None else row_to_alert(row)


async def removed_by_moderators(db: Database, guild_id: int, task_key: str) -> bool:
    """Whether the task's latest alert in this server was taken down by someone else.

    A moderator's removal ends an alert with `ended_by` naming the moderator; a sharer
    who takes back their own alert (an exports-channel message edited or deleted within
    the minute) ends it as themselves, and may share the task again.
    """
    row = await db.fetch_one(
        "SELECT state, ended_by, sharer_id FROM task_alerts WHERE guild_id = ? "
        "AND task_key = ? ORDER BY id DESC LIMIT 1",
        (guild_id, task_key),
    )
    return (
        row is not None
        and row["state"] == "removed"
        and (row["ended_by"] is None or row["ended_by"] != row["sharer_id"])
    )


async def flag_live_task(
    db: Database,
    *,
    guild_id: int,
    task_key: str,
    requester_id: int,
    requester_name: str,
    platform_requester_id: str,
) -> Alert | None:
    """A share named the live task's requester by an id that is flagged: the alert is its.

    Whoever shared the task first may have typed a made-up, clean id; the alert then
    carries the flagged record's warning. An alert already pointing at a flagged record
    keeps it. None when no live alert of this server and task changed.
    """
    row = await db.fetch_one(
        "UPDATE task_alerts SET requester_id = ?, requester_name = ?, platform_requester_id = ? "
        "WHERE guild_id = ? AND task_key = ? AND state = 'live' AND (requester_id IS NULL "
        "OR NOT EXISTS (SELECT 1 FROM requesters r WHERE r.id = task_alerts.requester_id "
        "AND r.status IN ('caution', 'scam'))) RETURNING *",
        (requester_id, requester_name, platform_requester_id, guild_id, task_key),
    )
    return None if row is None else row_to_alert(row)


async def unlink_requester(
    db: Database, alert_id: int, *, guild_id: int, requester_id: int, sharer_id: int
) -> Alert | None:
    """The sharer says their live alert is not from `requester_id`: it points at none.

    Server, sharer and the record it points at are checked in the statement that writes.
    """
    row = await db.fetch_one(
        "UPDATE task_alerts SET requester_id = NULL WHERE id = ? AND guild_id = ? "
        "AND requester_id = ? AND sharer_id = ? AND state = 'live' RETURNING *",
        (alert_id, guild_id, requester_id, sharer_id),
    )
    return None if row is None else row_to_alert(row)
