"""How alerts end in the database: gone, expired (the sweep), removed, or never posted."""

from __future__ import annotations

import json

from db.connection import Database
from db.shards import WHOLE, Shards
from db.tasks.records import ENDED_STATES, Alert, row_to_alert


async def end_alert(
    db: Database,
    alert_id: int,
    state: str,
    *,
    guild_id: int,
    by: int | None,
    now: int,
    reason: str | None = None,
) -> Alert | None:
    """Mark a live alert gone or expired, or remove any alert; None if nothing changed.

    Only an alert of `guild_id` (the acting moderator's server) is touched.
    """
    if state not in ENDED_STATES:
        msg = f"not an end state: {state!r}"
        raise ValueError(msg)
    allowed = "state != 'removed'" if state == "removed" else "state = 'live'"
    row = await db.fetch_one(
        f"UPDATE task_alerts SET state = ?, ended_at = ?, ended_by = ?, "
        f"removed_reason = coalesce(?, removed_reason) WHERE id = ? AND guild_id = ? "
        f"AND {allowed} RETURNING *",
        (state, now, by, reason, alert_id, guild_id),
    )
    return None if row is None else row_to_alert(row)


async def expire_due(
    db: Database, now: int, *, limit: int = 100, shards: Shards = WHOLE
) -> list[Alert]:
    """End the live alerts whose time is up (oldest first, `limit` at a time).

    Only alerts of `shards`' servers: each process sweeps its own servers (db/shards.py).
    """
    mine, shard_params = shards.where()
    rows = await db.fetch_all(
        "UPDATE task_alerts SET state = 'expired', ended_at = ? WHERE id IN ("
        f"SELECT id FROM task_alerts WHERE state = 'live' AND expires_at <= ? AND {mine} "
        "ORDER BY expires_at LIMIT ?) RETURNING *",
        (now, now, *shard_params, limit),
    )
    return sorted((row_to_alert(r) for r in rows), key=lambda a: a.id)


async def expire_unposted(
    db: Database,
    now: int,
    *,
    before: int,
    skip: frozenset[int] = frozenset(),
    limit: int = 100,
    shards: Shards = WHOLE,
) -> list[Alert]:
    """End live alerts that were stored but never posted (a crash between the two).

    Only those created at or before `before` (the caller's grace), not in `skip` (the
    ones this process is posting right now) and of `shards`' servers (another process
    may be posting its own). Found through the small partial index of message-less live
    alerts, which holds only shares in the middle of being posted.
    """
    mine, shard_params = shards.where()
    rows = await db.fetch_all(
        "UPDATE task_alerts SET state = 'expired', ended_at = ? WHERE id IN ("
        "SELECT id FROM task_alerts INDEXED BY task_alerts_unposted "
        "WHERE state = 'live' AND message_id IS NULL AND created_at <= ? "
        f"AND id NOT IN (SELECT value FROM json_each(?)) AND {mine} "
        "ORDER BY created_at LIMIT ?) RETURNING *",
        (now, before, json.dumps(sorted(skip)), *shard_params, limit),
    )
    return sorted((row_to_alert(r) for r in rows), key=lambda a: a.id)
