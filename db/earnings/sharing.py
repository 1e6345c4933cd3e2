"""Who feeds a server's community statistics, and the per-member sums those read.

Opting in and out, forgetting members who left, and `community_groups`: each sharing
member's week summed by the database into one row per work group and unpaid-time tag.
The quartiles and the coarsening of what is published are `cogs.earnings.stats` and
`cogs.earnings.community`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.earnings.records import MemberGroup
from db.models import built


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


async def sharing_member_ids(db: Database, guild_id: int) -> set[int]:
    """Members who feed one server's community statistics."""
    rows = await db.fetch_all(
        "SELECT user_id FROM earnings_sharing WHERE guild_id = ?", (guild_id,)
    )
    return {int(r[0]) for r in rows}


_FORGET_MANY = Sql(
    "DELETE FROM earnings_sharing WHERE guild_id = ? "
    "AND user_id IN (SELECT value FROM json_each(?))",
    postgresql="DELETE FROM earnings_sharing WHERE guild_id = ? "
    "AND user_id IN (SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))",
)


async def forget_guild_sharing(db: Database, guild_id: int, user_id: int) -> None:
    """A member who leaves a server stops feeding its statistics."""
    await forget_guild_sharing_many(db, guild_id, [user_id])


async def forget_guild_sharing_many(db: Database, guild_id: int, user_ids: list[int]) -> int:
    """Members who left a server stop feeding its statistics (one statement)."""
    if not user_ids:
        return 0
    return await db.execute(_FORGET_MANY, (guild_id, json.dumps(sorted(set(user_ids)))))


#: `unpaid` is a CASE, not `d.kind = 'unpaid'` (a bool on PostgreSQL, 0/1 on SQLite), and the
#: SUMs are cast (PostgreSQL sums BIGINTs as NUMERIC): the rows go straight into
#: `MemberGroup`, so both stores must give the same ints.
_COMMUNITY = (
    "SELECT d.user_id, d.platform, "
    "CASE WHEN d.kind = 'unpaid' THEN '' ELSE d.currency END AS currency, "
    "CASE WHEN d.kind = 'unpaid' THEN 1 ELSE 0 END AS unpaid, "
    "CAST(SUM(CASE WHEN d.kind = 'unpaid' "
    "    OR d.state IN ('approved', 'pending', 'rejected', 'returned') "
    "    THEN d.minutes ELSE 0 END) AS BIGINT) AS minutes, "
    "CAST(SUM(CASE WHEN d.kind <> 'unpaid' AND d.state IN ('approved', 'pending') "
    "    THEN d.timed_amount_cents ELSE 0 END) AS BIGINT) AS numerator "
    "FROM ({sharing}) AS s JOIN earnings_daily d "
    "ON d.user_id = s.user_id AND d.work_date BETWEEN :s AND :e "
    "GROUP BY d.user_id, d.platform, 3, 4 ORDER BY d.user_id, d.platform, 3, 4"
)


async def community_groups(
    db: Database,
    guild_id: int | None,
    start: date,
    end: date,
    *,
    members_before: int | None = None,
) -> list[MemberGroup]:
    """Each sharing member's sums per work group and unpaid-time tag, for inclusive dates.

    `guild_id` limits it to members sharing with that server (None: every server);
    `members_before` keeps only members who opted in before that instant. The database
    sums each member's week into a few rows, so the layer above only does a few integer
    divisions per member: the weekly digest composes this for thousands of members
    between two awaits.
    """
    if end < start:
        return []
    sharing = (
        "SELECT user_id FROM earnings_sharing WHERE guild_id = :g AND since_at < :mb"
        if guild_id is not None
        else "SELECT DISTINCT user_id FROM earnings_sharing WHERE since_at < :mb"
    )
    rows = await db.fetch_all(
        _COMMUNITY.format(sharing=sharing),
        {
            "g": guild_id,
            "s": start.isoformat(),
            "e": end.isoformat(),
            "mb": members_before if members_before is not None else 2**62,
        },
    )
    return await built(_groups, rows)


def _groups(rows: Sequence[Any]) -> list[MemberGroup]:
    return list(map(MemberGroup._make, rows))
