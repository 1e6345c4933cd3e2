"""What alerts keep about a member, across its tables: forgetting and privacy.

Subscriptions, DM-log rows and fallback threads all name a member; a member who leaves
a server is forgotten there (`forget_members`), and `/privacy` exports or erases them
everywhere (`export_member`, `erase_member`).
"""

from __future__ import annotations

import json
from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.subscriptions.records import subscription_of


async def member_ids(db: Database, guild_id: int) -> set[int]:
    """Members alerts keep something for in one server (subscriptions, fallback threads)."""
    rows = await db.fetch_all(
        "SELECT DISTINCT user_id FROM alert_subscriptions WHERE guild_id = ? "
        "UNION SELECT user_id FROM alert_threads WHERE guild_id = ?",
        (guild_id, guild_id),
    )
    return {int(r[0]) for r in rows}


async def forget_member(db: Database, guild_id: int, user_id: int) -> int:
    """Everything alerts keep about a member in one server (they left it)."""
    return await forget_members(db, guild_id, [user_id])


#: The members of a JSON list of ids (the same parameter on both stores).
_PEOPLE = Sql(
    "(SELECT value FROM json_each(?))",
    postgresql="(SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))",
)


async def forget_members(db: Database, guild_id: int, user_ids: list[int]) -> int:
    """`forget_member` for several members at once, in one transaction.

    Returns how many subscriptions were removed.
    """
    if not user_ids:
        return 0
    people = json.dumps(sorted(set(user_ids)))
    async with db.transaction() as tx:
        removed = 0
        for table in ("alert_subscriptions", "alert_dm_log", "alert_threads"):
            cursor = await tx.execute(
                f"DELETE FROM {table} WHERE guild_id = ? AND user_id IN " + _PEOPLE,
                (guild_id, people),
            )
            if table == "alert_subscriptions":
                removed = cursor.rowcount
    return removed


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    """Everything alerts keep about one member, in every server."""
    subs = await db.fetch_all(
        "SELECT * FROM alert_subscriptions WHERE user_id = ? ORDER BY guild_id, id", (user_id,)
    )
    log = await db.fetch_all(
        "SELECT guild_id, alert_id, sent_at FROM alert_dm_log WHERE user_id = ? ORDER BY sent_at",
        (user_id,),
    )
    threads = await db.fetch_all(
        "SELECT guild_id, parent_id, thread_id, created_at FROM alert_threads "
        "WHERE user_id = ? ORDER BY guild_id",
        (user_id,),
    )
    return {
        "subscriptions": [
            {
                "server_id": s.guild_id,
                "platform": s.platform,
                "min_hourly_cents": s.min_hourly_cents,
                "min_reward_cents": s.min_reward_cents,
                "currency": s.currency,
                "keywords": list(s.keywords),
                "requester": s.requester,
                "no_warned_tasks": s.no_warned,
                "language": s.locale,
                "created_at": s.created_at,
            }
            for s in map(subscription_of, subs)
        ],
        "alert_messages_sent": [dict(row) for row in log],
        "fallback_threads": [dict(row) for row in threads],
    }


async def erase_member(db: Database, user_id: int) -> int:
    """Delete every subscription, send record and thread reference of one member."""
    async with db.transaction() as tx:
        total = 0
        for table in ("alert_subscriptions", "alert_dm_log", "alert_threads"):
            cursor = await tx.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            total += cursor.rowcount
    return total
