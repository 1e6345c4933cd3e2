"""A personal digest's content: the member's subscriptions, and tasks they missed.

Across every server the member shares with the bot, which is why these are not the
alerts feature's per-server queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.connection import Database
from db.digests.content import ALERT_COLUMNS, AlertRow, alert_row, requester_status
from db.models import built
from db.subscriptions.records import Subscription, subscription_of


async def member_subscriptions(db: Database, user_id: int) -> list[Subscription]:
    """Every server's subscriptions of one member (the alerts module reads one server)."""
    rows = await db.fetch_all(
        "SELECT * FROM alert_subscriptions WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [subscription_of(row) for row in rows]


#: At most this many of a period's tasks are matched against a member's subscriptions.
MISSED_CANDIDATES = 2000


async def unseen_alerts(
    db: Database, user_id: int, guild_ids: list[int], start: int, end: int
) -> list[AlertRow]:
    """Tasks shared in the member's servers during the period that they never touched.

    Left out: their own shares, tasks they were DMed about (while the DM log still
    remembers), voted on, reported done or re-shared. Live ones first, then by hourly.
    """
    if not guild_ids:
        return []
    marks = ",".join("?" * len(guild_ids))
    rows = await db.fetch_all(
        f"SELECT {', '.join('a.' + c.strip() for c in ALERT_COLUMNS.split(','))}, "
        f"{requester_status('a')} FROM task_alerts a WHERE a.guild_id IN ({marks}) "
        "AND a.created_at >= ? AND a.created_at < ? AND a.state <> 'removed' "
        "AND (a.sharer_id IS NULL OR a.sharer_id <> ?) "
        "AND NOT EXISTS (SELECT 1 FROM alert_dm_log l WHERE l.guild_id = a.guild_id "
        "                AND l.user_id = ? AND l.alert_id = a.id) "
        "AND NOT EXISTS (SELECT 1 FROM task_votes v WHERE v.alert_id = a.id AND v.user_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM task_reports r WHERE r.alert_id = a.id "
        "                AND r.user_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM task_sightings s WHERE s.alert_id = a.id "
        "                AND s.user_id = ?) "
        "ORDER BY a.state = 'live' DESC, a.hourly_cents DESC, a.id LIMIT ?",
        (*guild_ids, start, end, user_id, user_id, user_id, user_id, user_id, MISSED_CANDIDATES),
    )
    return await built(_alert_rows, rows)


def _alert_rows(rows: Sequence[Any]) -> list[AlertRow]:
    return [alert_row(row) for row in rows]
