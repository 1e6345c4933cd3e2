"""Members' private earnings log, their wage settings, sharing opt-ins and work shifts.

Every read and write here is scoped by `user_id`: no function returns one member's
entries to another. Summaries read `earnings_daily`, the per-day rollup that triggers
keep exact (see migration 0004), so their cost does not grow with the size of the log.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cogs.earnings.maths import (
    Bucket,
    PlatformHourly,
    RequesterSums,
    Summary,
    build_summary,
    community_rows,
)
from cogs.earnings.rules import Period, requester_key, shift_gap
from db.connection import Database
from db.guilds import GuildSettings
from db.models import from_row


@dataclass(frozen=True, slots=True)
class Entry:
    user_id: int
    number: int
    uid: str
    kind: str
    status: str | None
    amount_cents: int
    currency: str | None
    minutes: int | None
    platform: str | None
    requester_name: str | None
    requester_key: str | None
    requester_id: int | None
    title: str | None
    reason: str | None
    work_date: str
    source: str
    alert_id: int | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What a member logs (or an import row), already validated by the rules."""

    kind: str
    work_date: str
    status: str | None = None
    amount_cents: int = 0
    currency: str | None = None
    minutes: int | None = None
    platform: str | None = None
    requester_name: str | None = None
    title: str | None = None
    reason: str | None = None
    source: str = "manual"
    uid: str | None = None
    requester_id: int | None = None
    alert_id: int | None = None


@dataclass(frozen=True, slots=True)
class MemberContext:
    """A member's own earnings settings next to the server defaults they fall back on."""

    user_id: int
    member_timezone: str | None
    min_wage_cents: int | None
    wage_currency: str | None
    goal_cents: int | None
    goal_currency: str | None
    guild_timezone: str
    guild_currency: str
    guild_min_wage_cents: int
    sharing: bool

    @property
    def timezone(self) -> str:
        return self.member_timezone or self.guild_timezone

    @property
    def currency(self) -> str:
        """The currency the member is paid in by default (their wage's, else the server's)."""
        return self.wage_currency or self.guild_currency

    @property
    def wage(self) -> tuple[int, str]:
        if self.min_wage_cents is not None and self.wage_currency:
            return self.min_wage_cents, self.wage_currency
        return self.guild_min_wage_cents, self.guild_currency

    @property
    def goal(self) -> tuple[int, str] | None:
        if self.goal_cents and self.goal_currency:
            return self.goal_cents, self.goal_currency
        return None


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    user_id: int
    platform: str | None
    started_at: int
    ended_at: int | None
    worked_minutes: int | None
    gap_minutes: int | None
    entry_number: int | None


# -- context and settings ------------------------------------------------------------------

_DEFAULTS = GuildSettings(guild_id=0)


async def context(db: Database, user_id: int, guild_id: int | None) -> MemberContext:
    """Everything a command needs to know about the member, in one query."""
    row = await db.fetch_one(
        "SELECT m.timezone AS member_timezone, p.min_wage_cents, p.wage_currency, "
        "p.goal_cents, p.goal_currency, g.timezone AS guild_timezone, "
        "g.currency AS guild_currency, g.min_wage_cents AS guild_min_wage_cents, "
        "EXISTS (SELECT 1 FROM earnings_sharing s WHERE s.guild_id = :g AND s.user_id = :u) "
        "AS sharing "
        "FROM (SELECT :u AS user_id) AS me "
        "LEFT JOIN members m ON m.user_id = me.user_id "
        "LEFT JOIN earnings_prefs p ON p.user_id = me.user_id "
        "LEFT JOIN guild_settings g ON g.guild_id = :g",
        {"u": user_id, "g": guild_id or 0},
    )
    assert row is not None
    return MemberContext(
        user_id=user_id,
        member_timezone=row["member_timezone"],
        min_wage_cents=row["min_wage_cents"],
        wage_currency=row["wage_currency"],
        goal_cents=row["goal_cents"],
        goal_currency=row["goal_currency"],
        guild_timezone=row["guild_timezone"] or _DEFAULTS.timezone,
        guild_currency=row["guild_currency"] or _DEFAULTS.currency,
        guild_min_wage_cents=(
            _DEFAULTS.min_wage_cents
            if row["guild_min_wage_cents"] is None
            else row["guild_min_wage_cents"]
        ),
        sharing=bool(row["sharing"]),
    )


async def set_wage(
    db: Database, user_id: int, cents: int | None, currency: str | None, now: int
) -> None:
    """The member's own minimum wage (None, None: back to the server's)."""
    await db.execute(
        "INSERT INTO earnings_prefs (user_id, min_wage_cents, wage_currency, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "min_wage_cents = excluded.min_wage_cents, wage_currency = excluded.wage_currency, "
        "updated_at = excluded.updated_at",
        (user_id, cents, currency, now, now),
    )


async def set_goal(
    db: Database, user_id: int, cents: int | None, currency: str | None, now: int
) -> None:
    """The member's daily goal (None, None: no goal)."""
    await db.execute(
        "INSERT INTO earnings_prefs (user_id, goal_cents, goal_currency, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "goal_cents = excluded.goal_cents, goal_currency = excluded.goal_currency, "
        "updated_at = excluded.updated_at",
        (user_id, cents, currency, now, now),
    )


async def set_sharing(db: Database, guild_id: int, user_id: int, on: bool, now: int) -> bool:
    """Opt in or out of a server's community statistics; True when that changed anything."""
    if on:
        changed = await db.execute(
            "INSERT INTO earnings_sharing (guild_id, user_id, since_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO NOTHING",
            (guild_id, user_id, now),
        )
    else:
        changed = await db.execute(
            "DELETE FROM earnings_sharing WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
    return changed > 0


async def sharing_members(db: Database, guild_id: int) -> int:
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM earnings_sharing WHERE guild_id = ?", (guild_id,)
    )
    return int(value or 0)


# -- entries ------------------------------------------------------------------------------------

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


async def add_entry(db: Database, user_id: int, entry: NewEntry, now: int) -> Entry:
    """Log one entry (one statement: numbering, insert and rollup together)."""
    row = await db.fetch_one(_INSERT + " RETURNING *", _params(user_id, entry, now))
    assert row is not None, "a fresh uid cannot conflict"
    return from_row(Entry, row)


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    added: int
    skipped: int


async def import_entries(
    db: Database, user_id: int, entries: Sequence[NewEntry], now: int
) -> ImportOutcome:
    """Add many entries in one transaction; rows whose uid is already there are skipped."""
    async with db.transaction() as tx:
        cursor = await tx.executemany(_INSERT, [_params(user_id, e, now) for e in entries])
        added = max(0, cursor.rowcount)
        await cursor.close()
    return ImportOutcome(added=added, skipped=len(entries) - added)


async def entry_by_number(db: Database, user_id: int, number: int) -> Entry | None:
    row = await db.fetch_one(
        "SELECT * FROM earnings WHERE user_id = ? AND number = ?", (user_id, number)
    )
    return None if row is None else from_row(Entry, row)


async def set_status(
    db: Database, user_id: int, number: int, status: str, now: int
) -> Entry | None:
    """Change a task's or bonus's status; None if the member has no such entry."""
    row = await db.fetch_one(
        "UPDATE earnings SET status = ?, updated_at = ? WHERE user_id = ? AND number = ? "
        "AND kind IN ('task', 'bonus') RETURNING *",
        (status, now, user_id, number),
    )
    return None if row is None else from_row(Entry, row)


async def set_status_many(
    db: Database, user_id: int, numbers: Sequence[int], status: str, now: int
) -> int:
    """Change the status of several of the member's entries at once (one statement)."""
    if not numbers:
        return 0
    marks = ",".join("?" * len(numbers))
    return await db.execute(
        f"UPDATE earnings SET status = ?, updated_at = ? WHERE user_id = ? "
        f"AND kind IN ('task', 'bonus') AND number IN ({marks})",
        (status, now, user_id, *numbers),
    )


async def delete_entry(db: Database, user_id: int, number: int) -> Entry | None:
    row = await db.fetch_one(
        "DELETE FROM earnings WHERE user_id = ? AND number = ? RETURNING *", (user_id, number)
    )
    return None if row is None else from_row(Entry, row)


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
    rows = await db.fetch_all(
        "SELECT * FROM earnings WHERE user_id = ? ORDER BY number", (user_id,)
    )
    return [from_row(Entry, r) for r in rows]


async def logged_minutes(
    db: Database, user_id: int, start_at: int, end_at: int, *, first_day: str, last_day: str
) -> int:
    """Minutes of entries the member logged (created) between two instants.

    The date bounds let the (user_id, work_date) index narrow the scan.
    """
    value = await db.fetch_value(
        "SELECT COALESCE(SUM(minutes), 0) FROM earnings WHERE user_id = ? "
        "AND work_date BETWEEN ? AND ? AND created_at BETWEEN ? AND ? AND source <> 'shift'",
        (user_id, first_day, last_day, start_at, end_at),
    )
    return int(value or 0)


async def own_platforms(db: Database, user_id: int, limit: int = 10) -> list[str]:
    rows = await db.fetch_all(
        "SELECT platform FROM earnings_daily WHERE user_id = ? AND platform <> '' "
        "GROUP BY platform ORDER BY MAX(work_date) DESC LIMIT ?",
        (user_id, limit),
    )
    return [r["platform"] for r in rows]


async def own_requesters(db: Database, user_id: int, typed: str, limit: int = 25) -> list[str]:
    """Requesters from the member's own latest entries only, never anyone else's."""
    key = requester_key(typed) or ""
    rows = await db.fetch_all(
        "SELECT requester_key, MAX(requester_name) AS name FROM ("
        "  SELECT requester_key, requester_name FROM earnings WHERE user_id = ? "
        "  AND requester_key IS NOT NULL ORDER BY work_date DESC LIMIT 2000"
        ") WHERE instr(requester_key, ?) > 0 GROUP BY requester_key ORDER BY name LIMIT ?",
        (user_id, key, limit),
    )
    return [r["name"] for r in rows if r["name"]]


# -- summaries ------------------------------------------------------------------------------

_SUMS = (
    "SUM(entries) AS entries, SUM(amount_cents) AS amount_cents, SUM(minutes) AS minutes, "
    "SUM(timed_amount_cents) AS timed_amount_cents, SUM(untimed) AS untimed"
)

_DAYS = (
    f"SELECT work_date, currency, platform, kind, state, {_SUMS} FROM earnings_daily "
    "WHERE user_id = :u AND work_date BETWEEN :s AND :e "
    "GROUP BY work_date, currency, platform, kind, state"
)

_REQUESTERS = (
    "SELECT requester_key, MAX(requester_name) AS name, platform, currency, "
    "SUM(CASE WHEN status IN ('approved', 'pending') THEN amount_cents ELSE 0 END) AS earned, "
    "SUM(CASE WHEN status IN ('approved', 'pending') AND minutes IS NOT NULL "
    "    THEN amount_cents ELSE 0 END) AS numerator, "
    "SUM(CASE WHEN status IN ('approved', 'pending') THEN COALESCE(minutes, 0) ELSE 0 END) "
    "    AS paid_minutes, "
    "SUM(CASE WHEN status IN ('rejected', 'returned') THEN COALESCE(minutes, 0) ELSE 0 END) "
    "    AS lost_minutes, "
    "SUM(status IN ('rejected', 'returned')) AS lost_count, COUNT(*) AS entries "
    "FROM earnings WHERE user_id = :u AND work_date BETWEEN :s AND :e "
    "AND requester_key IS NOT NULL AND kind <> 'unpaid' "
    "GROUP BY requester_key, platform, currency ORDER BY earned DESC, requester_key LIMIT :top"
)


def _bucket(row: Any) -> Bucket:
    return Bucket(
        key=str(row[0]),
        currency=row[1],
        platform=row[2],
        kind=row[3],
        state=row[4],
        entries=row[5],
        amount_cents=row[6],
        minutes=row[7],
        timed_amount_cents=row[8],
        untimed=row[9],
    )


async def day_buckets(db: Database, user_id: int, start: date, end: date) -> list[Bucket]:
    """The period's sums per day and group, from the rollup."""
    rows = await db.fetch_all(_DAYS, {"u": user_id, "s": start.isoformat(), "e": end.isoformat()})
    return [_bucket(r) for r in rows]


async def top_requesters(
    db: Database, user_id: int, start: date, end: date, top: int = 10
) -> list[RequesterSums]:
    """The member's requesters who paid most in the period (one pass over its entries)."""
    rows = await db.fetch_all(
        _REQUESTERS,
        {"u": user_id, "s": start.isoformat(), "e": end.isoformat(), "top": top},
    )
    return [RequesterSums(*tuple(r)) for r in rows]


async def summary(db: Database, user_id: int, period: Period, *, top: int = 10) -> Summary:
    """A member's summary for an inclusive range of their own dates (two queries)."""
    days = await day_buckets(db, user_id, period.start, period.end)
    requesters = await top_requesters(db, user_id, period.start, period.end, top) if days else []
    return build_summary(period, days, requesters)


async def day_earned(db: Database, user_id: int, day: date, currency: str) -> int:
    """Approved and pending money on one day in one currency (daily goal progress)."""
    value = await db.fetch_value(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM earnings_daily WHERE user_id = ? "
        "AND work_date = ? AND currency = ? AND state IN ('approved', 'pending')",
        (user_id, day.isoformat(), currency),
    )
    return int(value or 0)


_COMMUNITY = (
    "SELECT d.user_id, d.platform, "
    "CASE WHEN d.kind = 'unpaid' THEN '' ELSE d.currency END AS currency, "
    "d.kind = 'unpaid' AS unpaid, "
    "SUM(CASE WHEN d.kind = 'unpaid' "
    "    OR d.state IN ('approved', 'pending', 'rejected', 'returned') "
    "    THEN d.minutes ELSE 0 END) AS minutes, "
    "SUM(CASE WHEN d.kind <> 'unpaid' AND d.state IN ('approved', 'pending') "
    "    THEN d.timed_amount_cents ELSE 0 END) AS numerator "
    "FROM ({sharing}) AS s JOIN earnings_daily d "
    "ON d.user_id = s.user_id AND d.work_date BETWEEN :s AND :e "
    "GROUP BY d.user_id, d.platform, 3, 4"
)


async def community_hourly(
    db: Database,
    guild_id: int | None,
    start: date,
    end: date,
    *,
    members_before: int | None = None,
    dates_before: date | None = None,
) -> list[PlatformHourly]:
    """Quartiles of effective hourly by platform among members who opted in.

    `guild_id` limits it to members sharing with that server (None: every server).
    `start` and `end` are inclusive dates. Only (platform, currency) groups with at least
    `maths.K_ANONYMITY` contributing members are returned. These are exact figures: what
    is shown to members goes through `cogs.earnings.community.snapshot`, which fixes
    `members_before` (only members who opted in before that instant count) and
    `dates_before` (only work dated before that day counts) and coarsens the result.

    The database sums each member's week into one row per work group (platform and
    currency) and per unpaid-time tag, so Python only does a few integer divisions per
    member: the weekly digest composes this for thousands of members between two awaits.
    """
    sharing = (
        "SELECT user_id FROM earnings_sharing WHERE guild_id = :g AND since_at < :mb"
        if guild_id is not None
        else "SELECT DISTINCT user_id FROM earnings_sharing WHERE since_at < :mb"
    )
    if dates_before is not None:
        end = min(end, date.fromordinal(dates_before.toordinal() - 1))
    if end < start:
        return []
    rows = await db.fetch_all(
        _COMMUNITY.format(sharing=sharing),
        {
            "g": guild_id,
            "s": start.isoformat(),
            "e": end.isoformat(),
            "mb": members_before if members_before is not None else 2**62,
        },
    )
    return community_rows(rows)


# -- shifts ---------------------------------------------------------------------------------


async def start_shift(db: Database, user_id: int, platform: str | None, now: int) -> Shift | None:
    """Open a shift; None if the member already has one running."""
    row = await db.fetch_one(
        "INSERT INTO shifts (user_id, platform, started_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) WHERE ended_at IS NULL DO NOTHING RETURNING *",
        (user_id, platform, now),
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


@dataclass(frozen=True, slots=True)
class ShiftResult:
    shift: Shift
    logged_minutes: int
    entry: Entry | None


async def finish_shift(
    db: Database,
    user_id: int,
    shift_id: int,
    now: int,
    *,
    worked_minutes: int,
    start_day: str,
    end_day: str,
) -> ShiftResult | None:
    """Close the shift and record its time between logged entries as unpaid time.

    One transaction: the shift is closed, the minutes logged during it are counted, and
    the gap entry is written together, or not at all.
    """
    async with db.transaction():
        row = await db.fetch_one(
            "UPDATE shifts SET ended_at = ?, worked_minutes = ? WHERE id = ? AND user_id = ? "
            "AND ended_at IS NULL RETURNING *",
            (now, worked_minutes, shift_id, user_id),
        )
        if row is None:
            return None
        shift = from_row(Shift, row)
        logged = await logged_minutes(
            db, user_id, shift.started_at, now, first_day=start_day, last_day=end_day
        )
        gap = shift_gap(worked_minutes, logged)
        entry = None
        if gap > 0:
            entry = await add_entry(
                db,
                user_id,
                NewEntry(
                    kind="unpaid",
                    work_date=start_day,
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


# -- privacy ----------------------------------------------------------------------------------


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
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


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
            "updated_at": prefs["updated_at"],
        },
        "community_sharing": [
            {"guild_id": str(r["guild_id"]), "since_at": r["since_at"]} for r in sharing
        ],
        "shifts": [
            {k: r[k] for k in ("platform", "started_at", "ended_at", "worked_minutes")}
            for r in shifts
        ],
        "entries": [_entry_json(e) for e in await all_entries(db, user_id)],
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


async def forget_guild_sharing(db: Database, guild_id: int, user_id: int) -> None:
    """A member who leaves a server stops feeding its statistics."""
    await forget_guild_sharing_many(db, guild_id, [user_id])


async def sharing_member_ids(db: Database, guild_id: int) -> set[int]:
    """Members who feed one server's community statistics."""
    rows = await db.fetch_all(
        "SELECT user_id FROM earnings_sharing WHERE guild_id = ?", (guild_id,)
    )
    return {int(r[0]) for r in rows}


async def forget_guild_sharing_many(db: Database, guild_id: int, user_ids: list[int]) -> int:
    """Members who left a server stop feeding its statistics (one statement)."""
    if not user_ids:
        return 0
    return await db.execute(
        "DELETE FROM earnings_sharing WHERE guild_id = ? "
        "AND user_id IN (SELECT value FROM json_each(?))",
        (guild_id, json.dumps(sorted(set(user_ids)))),
    )
