"""The alert-DM log behind the hourly cap: reservations made before a DM is sent.

A row per (server, member, alert): reserving it first is what makes a restart never send
twice; a DM that could not go out gives its reservation back.
"""

from __future__ import annotations

import json

from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql

_ADMIT_SQL = Sql(
    "INSERT INTO alert_dm_log (guild_id, user_id, alert_id, sent_at) "
    "SELECT :guild, c.value, :alert, :now FROM json_each(:users) AS c "
    "WHERE (SELECT count(*) FROM alert_dm_log AS l WHERE l.guild_id = :guild "
    "       AND l.user_id = c.value AND l.sent_at > :since) < :cap "
    "ON CONFLICT DO NOTHING RETURNING user_id",
    postgresql="INSERT INTO alert_dm_log (guild_id, user_id, alert_id, sent_at) "
    "SELECT :guild, c.value, :alert, :now FROM "
    "(SELECT value::bigint AS value FROM jsonb_array_elements_text(:users::jsonb)) AS c "
    "WHERE (SELECT count(*) FROM alert_dm_log AS l WHERE l.guild_id = :guild "
    "       AND l.user_id = c.value AND l.sent_at > :since) < :cap "
    "ON CONFLICT DO NOTHING RETURNING user_id",
)


async def admit(
    db: Database,
    guild_id: int,
    alert_id: int,
    user_ids: list[int],
    *,
    now: int,
    since: int,
    cap: int,
) -> set[int]:
    """Reserve an alert DM for each member still under `cap` sends after `since`.

    One statement for the whole batch: the count and the reservation cannot be split by
    another alert's fan-out, a member already told about this alert is skipped (primary
    key), and the reservation is made before sending so a restart never sends twice.
    On PostgreSQL it runs under each member's lock, so another process's fan-out cannot
    split it either (`db.cross_process`).
    """
    if not user_ids or cap <= 0:
        return set()
    # On PostgreSQL another process may be admitting the same members for another alert:
    # each member's cap is counted under their lock (db.cross_process).
    async with serialised(db, (f"dm_cap:{guild_id}:{user}" for user in user_ids)):
        rows = await db.fetch_all(
            _ADMIT_SQL,
            {
                "guild": guild_id,
                "alert": alert_id,
                "now": now,
                "users": json.dumps(user_ids),
                "since": since,
                "cap": cap,
            },
        )
    return {row["user_id"] for row in rows}


async def release_many(db: Database, reservations: list[tuple[int, int, int]]) -> int:
    """Give back several (guild, member, alert) reservations at once: DMs never sent."""
    if not reservations:
        return 0
    return await db.execute(
        Sql(
            "DELETE FROM alert_dm_log WHERE (guild_id, user_id, alert_id) IN "
            "(SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))",
            postgresql="DELETE FROM alert_dm_log WHERE (guild_id, user_id, alert_id) IN "
            "(SELECT (value ->> 0)::bigint, (value ->> 1)::bigint, (value ->> 2)::bigint "
            "FROM jsonb_array_elements(?::jsonb))",
        ),
        (json.dumps(reservations),),
    )


async def release(db: Database, guild_id: int, user_id: int, alert_id: int) -> None:
    """Give back a reservation whose message could not be delivered at all."""
    await db.execute(
        "DELETE FROM alert_dm_log WHERE guild_id = ? AND user_id = ? AND alert_id = ?",
        (guild_id, user_id, alert_id),
    )


async def sent_times(db: Database, guild_id: int, user_id: int, since: int) -> list[int]:
    """When this member was sent alert DMs after `since` (for "3 of 10 this hour")."""
    rows = await db.fetch_all(
        "SELECT sent_at FROM alert_dm_log WHERE guild_id = ? AND user_id = ? AND sent_at > ? "
        "ORDER BY sent_at",
        (guild_id, user_id, since),
    )
    return [row["sent_at"] for row in rows]


async def prune_log(db: Database, before: int) -> int:
    """Drop log rows too old to count against any cap."""
    return await db.execute("DELETE FROM alert_dm_log WHERE sent_at < ?", (before,))
