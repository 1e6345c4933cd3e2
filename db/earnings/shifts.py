"""Work shifts: a running clock per member, closed into unpaid time between entries."""

from __future__ import annotations

from db.connection import Database
from db.earnings.entries import hold_numbers, insert_entry, logged_minutes
from db.earnings.keys import shift_gap
from db.earnings.records import NewEntry, Shift, ShiftResult
from db.models import from_row


async def start_shift(
    db: Database, user_id: int, platform: str | None, now: int, *, start_day: str
) -> Shift | None:
    """Open a shift; None if the member already has one running.

    `start_day` is the member's date at `now`: the shift's gap is dated on it, even if the
    member's time zone changes before the stop.
    """
    row = await db.fetch_one(
        "INSERT INTO shifts (user_id, platform, started_at, start_day) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) WHERE ended_at IS NULL DO NOTHING RETURNING *",
        (user_id, platform, now, start_day),
    )
    return None if row is None else from_row(Shift, row)


async def open_shift(db: Database, user_id: int) -> Shift | None:
    row = await db.fetch_one(
        "SELECT * FROM shifts WHERE user_id = ? AND ended_at IS NULL", (user_id,)
    )
    return None if row is None else from_row(Shift, row)


async def cancel_shift(db: Database, user_id: int) -> Shift | None:
    row = await db.fetch_one(
        "DELETE FROM shifts WHERE user_id = ? AND ended_at IS NULL RETURNING *", (user_id,)
    )
    return None if row is None else from_row(Shift, row)


async def finish_shift(
    db: Database,
    user_id: int,
    shift_id: int,
    now: int,
    *,
    worked_minutes: int,
    work_date: str,
    first_day: str,
    last_day: str,
) -> ShiftResult | None:
    """Close the shift and record its time between logged entries as unpaid time.

    One transaction: the shift is closed, the minutes logged during it are counted, and
    the gap entry (dated `work_date`) is written together, or not at all. The member's
    entry numbers are held first, as every insert of entries does. The entries that
    cover the shift are those created during it and dated `first_day`..`last_day`.
    """
    async with db.transaction():
        await hold_numbers(db, user_id)
        row = await db.fetch_one(
            "UPDATE shifts SET ended_at = ?, worked_minutes = ? WHERE id = ? AND user_id = ? "
            "AND ended_at IS NULL RETURNING *",
            (now, worked_minutes, shift_id, user_id),
        )
        if row is None:
            return None
        shift = from_row(Shift, row)
        logged = await logged_minutes(
            db, user_id, shift.started_at, now, first_day=first_day, last_day=last_day
        )
        gap = shift_gap(worked_minutes, logged)
        entry = None
        if gap > 0:
            entry = await insert_entry(
                db,
                user_id,
                NewEntry(
                    kind="unpaid",
                    work_date=work_date,
                    minutes=gap,
                    platform=shift.platform,
                    reason="between_tasks",
                    source="shift",
                ),
                now,
            )
        row = await db.fetch_one(
            "UPDATE shifts SET gap_minutes = ?, entry_number = ? WHERE id = ? RETURNING *",
            (gap, entry.number if entry else None, shift.id),
        )
        assert row is not None
        return ShiftResult(from_row(Shift, row), logged, entry)
