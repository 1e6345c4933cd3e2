"""A member's personal digest: their choices, and the note left when their DMs closed.

Also what the feature keeps about one member, for `/privacy` export and erasure (their
choices and their digests' ledger rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.digests.ledger import MEMBER, runs_for
from db.models import built, from_row


@dataclass(frozen=True, slots=True)
class MemberDigest:
    user_id: int
    cadence: str  # off | daily | weekly
    weekday: int
    send_hour: int
    send_minute: int
    timezone: str | None  # fallback zone (the server's, when they opted in)
    locale: str
    thanks_opt_out: bool
    dm_closed_at: int | None
    note_pending: bool
    schedule_since: int
    member_timezone: str | None = None  # members.timezone, which wins
    member_locale: str | None = None  # members.locale, which wins

    @property
    def effective_timezone(self) -> str | None:
        return self.member_timezone or self.timezone

    @property
    def effective_locale(self) -> str:
        return self.member_locale or self.locale


_MEMBER_SELECT = (
    "SELECT d.*, m.timezone AS member_timezone, m.locale AS member_locale "
    "FROM digest_members d LEFT JOIN members m ON m.user_id = d.user_id "
)


def _member(row: Any) -> MemberDigest:
    return from_row(
        MemberDigest,
        row,
        thanks_opt_out=bool(row["thanks_opt_out"]),
        note_pending=bool(row["note_pending"]),
    )


async def get_member(db: Database, user_id: int) -> MemberDigest | None:
    row = await db.fetch_one(_MEMBER_SELECT + "WHERE d.user_id = ?", (user_id,))
    return None if row is None else _member(row)


async def active_members(db: Database) -> list[MemberDigest]:
    """Every member's digest that is on (thousands on a big community: `built`)."""
    rows = await db.fetch_all(_MEMBER_SELECT + "WHERE d.cadence <> 'off'")
    return await built(_members, rows)


def _members(rows: Sequence[Any]) -> list[MemberDigest]:
    return [_member(row) for row in rows]


async def save_member(
    db: Database,
    user_id: int,
    now: int,
    *,
    cadence: str,
    weekday: int,
    send_hour: int,
    send_minute: int,
    timezone: str | None,
    locale: str,
    thanks_opt_out: bool,
    reschedule: bool,
) -> MemberDigest:
    """Store a member's digest choices; choosing again clears a pending "DMs closed" note."""
    await db.execute(
        "INSERT INTO digest_members (user_id, cadence, weekday, send_hour, send_minute, "
        "timezone, locale, thanks_opt_out, schedule_since, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "cadence = excluded.cadence, weekday = excluded.weekday, "
        "send_hour = excluded.send_hour, send_minute = excluded.send_minute, "
        "timezone = excluded.timezone, locale = excluded.locale, "
        "thanks_opt_out = excluded.thanks_opt_out, note_pending = 0, "
        "dm_closed_at = CASE WHEN excluded.cadence = 'off' THEN digest_members.dm_closed_at "
        "ELSE NULL END, "
        # `? = 1`, not `?`: PostgreSQL takes no integer as a condition.
        "schedule_since = CASE WHEN ? = 1 THEN excluded.schedule_since "
        "ELSE digest_members.schedule_since END, updated_at = excluded.updated_at",
        (
            user_id,
            cadence,
            weekday,
            send_hour,
            send_minute,
            timezone,
            locale,
            int(thanks_opt_out),
            now,
            now,
            now,
            int(reschedule),
        ),
    )
    found = await get_member(db, user_id)
    assert found is not None
    return found


async def dms_closed(db: Database, user_id: int, now: int) -> bool:
    """Switch a member's digest off because their DMs are closed, and leave them a note.

    Returns whether it was on (so the caller knows to drop the scheduled jobs).
    """
    row = await db.fetch_one(
        "UPDATE digest_members SET cadence = 'off', dm_closed_at = ?, note_pending = 1, "
        "updated_at = ? WHERE user_id = ? RETURNING user_id",
        (now, now, user_id),
    )
    return row is not None


async def pending_notes(db: Database) -> set[int]:
    rows = await db.fetch_all("SELECT user_id FROM digest_members WHERE note_pending = 1")
    return {row["user_id"] for row in rows}


async def take_note(db: Database, user_id: int) -> bool:
    """Clear a member's "your DMs were closed" note; True if there was one to show."""
    row = await db.fetch_one(
        "UPDATE digest_members SET note_pending = 0 WHERE user_id = ? AND note_pending = 1 "
        "RETURNING user_id",
        (user_id,),
    )
    return row is not None


# -- privacy ----------------------------------------------------------------------------------


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    """What the digest feature keeps about one member, for /privacy export."""
    member = await get_member(db, user_id)
    runs = await runs_for(db, MEMBER, user_id, limit=1000)
    return {
        "personal_digest": None
        if member is None
        else {
            "cadence": member.cadence,
            "weekday": member.weekday,
            "time": f"{member.send_hour:02d}:{member.send_minute:02d}",
            "timezone_fallback": member.timezone,
            "language": member.locale,
            "named_in_thanks": not member.thanks_opt_out,
            "dms_closed_at": member.dm_closed_at,
        },
        "digests_sent": [
            {"period": run.period_key, "cadence": run.cadence, "status": run.status} for run in runs
        ],
    }


async def erase_member(db: Database, user_id: int) -> int:
    async with db.transaction() as tx:
        first = await tx.execute("DELETE FROM digest_members WHERE user_id = ?", (user_id,))
        second = await tx.execute(
            "DELETE FROM digest_runs WHERE scope = 'member' AND owner_id = ?", (user_id,)
        )
        return (first.rowcount or 0) + (second.rowcount or 0)
