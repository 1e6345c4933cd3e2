"""The sums a member's summary is built from, read from `earnings_daily`.

`earnings_daily` is the per-day rollup that triggers keep exact (see migration 0004), so
a summary's cost does not grow with the size of the log. The arithmetic on these sums
(hourly wages, shares of unpaid time) is `cogs.earnings.maths`; the composition of both
is `cogs.earnings.summary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from db.connection import Database
from db.earnings.records import Bucket, RequesterSums
from db.models import built

#: Every SUM is cast to BIGINT: PostgreSQL sums BIGINTs as NUMERIC (a `Decimal` in Python)
#: where SQLite gives an integer, and the records and their arithmetic expect `int`.
_SUMS = (
    "CAST(SUM(entries) AS BIGINT) AS entries, CAST(SUM(amount_cents) AS BIGINT) AS amount_cents, "
    "CAST(SUM(minutes) AS BIGINT) AS minutes, "
    "CAST(SUM(timed_amount_cents) AS BIGINT) AS timed_amount_cents, "
    "CAST(SUM(untimed) AS BIGINT) AS untimed"
)

_DAYS = (
    f"SELECT work_date, currency, platform, kind, state, {_SUMS} FROM earnings_daily "
    "WHERE user_id = :u AND work_date BETWEEN :s AND :e "
    "GROUP BY work_date, currency, platform, kind, state "
    # The rollup's key order, which SQLite's grouping gives anyway; PostgreSQL may hash.
    "ORDER BY work_date, currency, platform, kind, state"
)

_REQUESTERS = (
    "SELECT requester_key, MAX(requester_name) AS name, platform, currency, "
    "CAST(SUM(CASE WHEN status IN ('approved', 'pending') THEN amount_cents ELSE 0 END) "
    "    AS BIGINT) AS earned, "
    "CAST(SUM(CASE WHEN status IN ('approved', 'pending') AND minutes IS NOT NULL "
    "    THEN amount_cents ELSE 0 END) AS BIGINT) AS numerator, "
    "CAST(SUM(CASE WHEN status IN ('approved', 'pending') THEN COALESCE(minutes, 0) ELSE 0 END) "
    "    AS BIGINT) AS paid_minutes, "
    "CAST(SUM(CASE WHEN status IN ('rejected', 'returned') THEN COALESCE(minutes, 0) ELSE 0 END) "
    "    AS BIGINT) AS lost_minutes, "
    "count(*) FILTER (WHERE status IN ('rejected', 'returned')) AS lost_count, "
    "COUNT(*) AS entries "
    "FROM earnings WHERE user_id = :u AND work_date BETWEEN :s AND :e "
    "AND requester_key IS NOT NULL AND kind <> 'unpaid' "
    "GROUP BY requester_key, platform, currency "
    "ORDER BY earned DESC, requester_key, platform, currency LIMIT :top"
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
    return await built(_buckets, rows)


def _buckets(rows: Sequence[Any]) -> list[Bucket]:
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


async def day_earned(db: Database, user_id: int, day: date, currency: str) -> int:
    """Approved and pending money on one day in one currency (daily goal progress)."""
    value = await db.fetch_value(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM earnings_daily "
        "WHERE user_id = ? AND work_date = ? AND currency = ? AND state IN ('approved', 'pending')",
        (user_id, day.isoformat(), currency),
    )
    return int(value or 0)
