"""Everything the earnings feature stores about one member, exported or erased on request.

Both live in one place so neither can forget a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.connection import Database
from db.earnings.entries import all_entries
from db.earnings.records import Entry
from db.models import built

#: Every column of a shift but its row id and the member's own id.
_SHIFT_FIELDS = (
    "platform",
    "started_at",
    "start_day",
    "ended_at",
    "worked_minutes",
    "gap_minutes",
    "entry_number",
)


def _entry_json(e: Entry) -> dict[str, Any]:
    return {
        "number": e.number,
        "uid": e.uid,
        "date": e.work_date,
        "kind": e.kind,
        "status": e.status,
        "amount_minor": e.amount_cents,
        "currency": e.currency,
        "minutes": e.minutes,
        "platform": e.platform,
        "requester": e.requester_name,
        "title": e.title,
        "reason": e.reason,
        "source": e.source,
        "alert_id": e.alert_id,
        "requester_id": e.requester_id,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _entries_json(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    return [_entry_json(e) for e in entries]


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    """Everything the earnings feature stores about one member."""
    prefs = await db.fetch_one("SELECT * FROM earnings_prefs WHERE user_id = ?", (user_id,))
    sharing = await db.fetch_all(
        "SELECT guild_id, since_at FROM earnings_sharing WHERE user_id = ? ORDER BY guild_id",
        (user_id,),
    )
    shifts = await db.fetch_all(
        "SELECT * FROM shifts WHERE user_id = ? ORDER BY started_at", (user_id,)
    )
    return {
        "settings": None
        if prefs is None
        else {
            "min_wage_minor": prefs["min_wage_cents"],
            "wage_currency": prefs["wage_currency"],
            "daily_goal_minor": prefs["goal_cents"],
            "goal_currency": prefs["goal_currency"],
            "created_at": prefs["created_at"],
            "updated_at": prefs["updated_at"],
        },
        "community_sharing": [
            {"guild_id": str(r["guild_id"]), "since_at": r["since_at"]} for r in sharing
        ],
        "shifts": [{k: r[k] for k in _SHIFT_FIELDS} for r in shifts],
        "entries": await built(_entries_json, await all_entries(db, user_id)),
    }


async def erase_member(db: Database, user_id: int) -> int:
    """Delete everything the earnings feature stores about one member, in one transaction."""
    removed = 0
    async with db.transaction():
        for sql in (
            "DELETE FROM shifts WHERE user_id = ?",
            "DELETE FROM earnings WHERE user_id = ?",
            "DELETE FROM earnings_prefs WHERE user_id = ?",
            "DELETE FROM earnings_sharing WHERE user_id = ?",
        ):
            removed += await db.execute(sql, (user_id,))
        await db.execute("DELETE FROM earnings_daily WHERE user_id = ?", (user_id,))
    return removed
