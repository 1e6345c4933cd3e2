"""The member's log itself: writing, fixing, deleting and listing entries.

Entries are written one at a time or as a whole import; the lists and look-ups are what
the commands and their autocomplete need.

Every statement is scoped by `user_id`: no function returns one member's entries to
another.

Entry numbers are the member's `MAX(number) + 1`. SQLite runs one writer at a time, so the
insert numbers itself safely there; on PostgreSQL two processes could read the same MAX at
once, so every insert runs in a transaction that first holds the member's numbers
(`hold_numbers`, an advisory lock released at commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from db.connection import Database
from db.cross_process import hold
from db.dialect import Sql
from db.earnings.keys import requester_key
from db.earnings.records import Entry, ImportOutcome, NewEntry
from db.models import built, from_row

_INSERT = (
    "INSERT INTO earnings (user_id, number, uid, kind, status, amount_cents, currency, "
    "minutes, platform, requester_name, requester_key, requester_id, title, reason, "
    "work_date, source, alert_id, created_at, updated_at) VALUES (:user_id, "
    "(SELECT COALESCE(MAX(number), 0) + 1 FROM earnings WHERE user_id = :user_id), "
    ":uid, :kind, :status, :amount_cents, :currency, :minutes, :platform, :requester_name, "
    ":requester_key, :requester_id, :title, :reason, :work_date, :source, :alert_id, "
    ":now, :now) ON CONFLICT (user_id, uid) DO NOTHING"
)


def new_uid() -> str:
    return secrets.token_hex(8)


def _params(user_id: int, entry: NewEntry, now: int) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "uid": entry.uid or new_uid(),
        "kind": entry.kind,
        "status": entry.status,
        "amount_cents": entry.amount_cents,
        "currency": entry.currency,
        "minutes": entry.minutes,
        "platform": entry.platform,
        "requester_name": entry.requester_name,
        "requester_key": requester_key(entry.requester_name),
        "requester_id": entry.requester_id,
        "title": entry.title,
        "reason": entry.reason,
        "work_date": entry.work_date,
        "source": entry.source,
        "alert_id": entry.alert_id,
        "now": now,
    }


def _entry_or_none(row: Any) -> Entry | None:
    return None if row is None else from_row(Entry, row)


async def hold_numbers(db: Database, user_id: int) -> None:
    """Inside a transaction: keep the member's entry numbers to this one until it ends.

    Call it first in every transaction that inserts entries, so no other process numbers
    the same member's entries in between (see the module docstring).
    """
    await hold(db, [f"earnings.number:{user_id}"])  # SQLite: BEGIN IMMEDIATE keeps others out


async def insert_entry(db: Database, user_id: int, entry: NewEntry, now: int) -> Entry:
    """Insert one entry: numbering, insert and rollup in one statement.

    Runs inside the caller's transaction, which holds the member's numbers (`hold_numbers`).
    """
    row = await db.fetch_one(_INSERT + " RETURNING *", _params(user_id, entry, now))
    assert row is not None, "a fresh uid cannot conflict"
    return from_row(Entry, row)


async def add_entry(db: Database, user_id: int, entry: NewEntry, now: int) -> Entry:
    """Log one entry, numbered under the member's lock, in one transaction."""
    async with db.transaction():
        await hold_numbers(db, user_id)
        return await insert_entry(db, user_id, entry, now)


async def import_entries(
    db: Database, user_id: int, entries: Sequence[NewEntry], now: int
) -> ImportOutcome:
    """Add many entries in one transaction; rows whose uid is already there are skipped.

    One statement per row (on both stores), so each row's number counts the rows before it.
    """
    # Built before the transaction begins: a big import's rows take a worker thread.
    rows = await built(lambda many: [_params(user_id, e, now) for e in many], entries)
    async with db.transaction() as tx:
        await hold_numbers(db, user_id)
        cursor = await tx.executemany(_INSERT, rows)
        added = max(0, cursor.rowcount)
        await cursor.close()
    return ImportOutcome(added=added, skipped=len(entries) - added)


async def entry_by_number(db: Database, user_id: int, number: int) -> Entry | None:
    row = await db.fetch_one(
        "SELECT * FROM earnings WHERE user_id = ? AND number = ?", (user_id, number)
    )
    return _entry_or_none(row)


def _created_clause(created_at: int | None) -> tuple[str, tuple[int, ...]]:
    """`AND created_at = ?` when the caller names the very entry it showed.

    Numbers are the member's highest plus one, so a deleted last entry's number (or, after
    an erasure, every number) is given again: a card's buttons name the entry they showed
    by its number and its creation instant, and never reach the one that took the number.
    """
    return ("", ()) if created_at is None else (" AND created_at = ?", (created_at,))


async def set_status(
    db: Database,
    user_id: int,
    number: int,
    status: str,
    now: int,
    *,
    created_at: int | None = None,
) -> Entry | None:
    """Change a task's or bonus's status; None if the member has no such entry."""
    clause, extra = _created_clause(created_at)
    row = await db.fetch_one(
        "UPDATE earnings SET status = ?, updated_at = ? WHERE user_id = ? AND number = ? "
        f"AND kind IN ('task', 'bonus'){clause} RETURNING *",
        (status, now, user_id, number, *extra),
    )
    return _entry_or_none(row)


async def set_status_many(
    db: Database,
    user_id: int,
    numbers: Sequence[int],
    status: str,
    now: int,
    *,
    created: Mapping[int, int] | None = None,
) -> int:
    """Change the status of several of the member's entries at once (one statement).

    `created` (number → creation instant, for every number) names the very entries a
    list showed, as `set_status`'s `created_at` does for one.
    """
    if not numbers:
        return 0
    if created is None:
        marks = ",".join("?" * len(numbers))
        which, params = f"number IN ({marks})", tuple(numbers)
    else:
        which = "(" + " OR ".join(["(number = ? AND created_at = ?)"] * len(numbers)) + ")"
        params = tuple(v for n in numbers for v in (n, created[n]))
    return await db.execute(
        f"UPDATE earnings SET status = ?, updated_at = ? WHERE user_id = ? "
        f"AND kind IN ('task', 'bonus') AND {which}",
        (status, now, user_id, *params),
    )


async def delete_entry(
    db: Database, user_id: int, number: int, *, created_at: int | None = None
) -> Entry | None:
    clause, extra = _created_clause(created_at)
    row = await db.fetch_one(
        f"DELETE FROM earnings WHERE user_id = ? AND number = ?{clause} RETURNING *",
        (user_id, number, *extra),
    )
    return _entry_or_none(row)


async def recent_entries(
    db: Database, user_id: int, limit: int = 25, *, typed: str = ""
) -> list[Entry]:
    """The member's latest entries (autocomplete narrows by the number being typed)."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    if digits:
        rows = await db.fetch_all(
            "SELECT * FROM earnings WHERE user_id = ? AND CAST(number AS TEXT) LIKE ? "
            "ORDER BY number DESC LIMIT ?",
            (user_id, digits + "%", limit),
        )
    else:
        rows = await db.fetch_all(
            "SELECT * FROM earnings WHERE user_id = ? ORDER BY number DESC LIMIT ?",
            (user_id, limit),
        )
    return [from_row(Entry, r) for r in rows]


async def entry_count(db: Database, user_id: int) -> int:
    """How many entries the member has (for "…and 40 more")."""
    return int(
        await db.fetch_value("SELECT COUNT(*) FROM earnings WHERE user_id = ?", (user_id,)) or 0
    )


async def pending_entries(db: Database, user_id: int, limit: int = 25) -> tuple[list[Entry], int]:
    """The member's oldest pending entries, and how many are pending in all."""
    rows = await db.fetch_all(
        "SELECT *, (SELECT COUNT(*) FROM earnings WHERE user_id = :u AND status = 'pending') "
        "AS total FROM earnings WHERE user_id = :u AND status = 'pending' "
        "ORDER BY number LIMIT :n",
        {"u": user_id, "n": limit},
    )
    total = rows[0]["total"] if rows else 0
    return [from_row(Entry, r) for r in rows], int(total)


async def all_entries(db: Database, user_id: int) -> list[Entry]:
    """Every entry of a member, oldest number first (exports: a log may hold 100,000)."""
    rows = await db.fetch_all(
        "SELECT * FROM earnings WHERE user_id = ? ORDER BY number", (user_id,)
    )
    return await built(_entries, rows)


def _entries(rows: Sequence[Any]) -> list[Entry]:
    return [from_row(Entry, r) for r in rows]


async def logged_minutes(
    db: Database, user_id: int, start_at: int, end_at: int, *, first_day: str, last_day: str
) -> int:
    """Minutes of entries the member logged (created) between two instants.

    Only entries dated `first_day`..`last_day` count (an entry logged then but dated a past
    day is catching up, not time spent then); the bounds also let the (user_id, work_date)
    index narrow the scan.
    """
    value = await db.fetch_value(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM earnings WHERE user_id = ? "
        "AND work_date BETWEEN ? AND ? AND created_at BETWEEN ? AND ? AND source <> 'shift'",
        (user_id, first_day, last_day, start_at, end_at),
    )
    return int(value or 0)


async def own_platforms(db: Database, user_id: int, limit: int = 10) -> list[str]:
    rows = await db.fetch_all(
        "SELECT platform FROM earnings_daily WHERE user_id = ? AND platform <> '' "
        "GROUP BY platform ORDER BY MAX(work_date) DESC, platform LIMIT ?",
        (user_id, limit),
    )
    return [r["platform"] for r in rows]


_OWN_REQUESTERS = (
    "SELECT requester_key, MAX(requester_name) AS name FROM ("
    "  SELECT requester_key, requester_name FROM earnings WHERE user_id = ? "
    "  AND requester_key IS NOT NULL ORDER BY work_date DESC, number DESC LIMIT 2000"
    ") "
    + Sql(
        "WHERE instr(requester_key, ?) > 0 ",
        postgresql="WHERE strpos(requester_key, ?) > 0 ",
    )
    # NULLS FIRST: where SQLite puts them; PostgreSQL would put them last.
    + "GROUP BY requester_key ORDER BY name NULLS FIRST, requester_key LIMIT ?"
)


async def own_requesters(db: Database, user_id: int, typed: str, limit: int = 25) -> list[str]:
    """Requesters from the member's own latest entries only, never anyone else's."""
    key = requester_key(typed) or ""
    rows = await db.fetch_all(_OWN_REQUESTERS, (user_id, key, limit))
    return [r["name"] for r in rows if r["name"]]
