"""A member's data in the tasks tables: exported whole, erased without losing alerts."""

from __future__ import annotations

from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.tasks.crowd import recount


async def export_member(db: Database, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything this feature stores about one member, as plain data."""
    # Everything the member wrote or chose when sharing (free text included: the notes).
    shared = await db.fetch_all(
        "SELECT id, guild_id, platform, title, link, requester_name, platform_requester_id, "
        "platform_task_id, reward_cents, currency, minutes, countries, qualifications, "
        "available, notes, anonymous, state, created_at FROM task_alerts "
        "WHERE sharer_id = ? ORDER BY id",
        (user_id,),
    )
    sightings = await db.fetch_all(
        "SELECT alert_id, anonymous, seen_at FROM task_sightings WHERE user_id = ? "
        "ORDER BY seen_at",
        (user_id,),
    )
    votes = await db.fetch_all(
        "SELECT alert_id, kind, voted_at FROM task_votes WHERE user_id = ? ORDER BY voted_at",
        (user_id,),
    )
    reports = await db.fetch_all(
        "SELECT alert_id, minutes, hourly_cents, rating, reported_at FROM task_reports "
        "WHERE user_id = ? ORDER BY reported_at",
        (user_id,),
    )
    warnings = await db.fetch_all(
        "SELECT id AS alert_id, coalesce(warning_pending, warning) AS category, "
        "warning_proposed_by = :u AS suggested, warning_confirmed_by = :u AS confirmed "
        "FROM task_alerts WHERE warning_proposed_by = :u OR warning_confirmed_by = :u "
        "ORDER BY id",
        {"u": user_id},
    )
    ended = await db.fetch_all(
        "SELECT id AS alert_id, guild_id, state, ended_at FROM task_alerts WHERE ended_by = ? "
        "ORDER BY id",
        (user_id,),
    )
    return {
        "alerts_shared": [dict(r) for r in shared],
        "alerts_reshared": [dict(r) for r in sightings],
        "freshness_votes": [dict(r) for r in votes],
        "done_reports": [dict(r) for r in reports],
        "content_warnings": [
            {**dict(r), "suggested": bool(r["suggested"]), "confirmed": bool(r["confirmed"])}
            for r in warnings
        ],
        "alerts_ended": [dict(r) for r in ended],
    }


async def erase_member(db: Database, user_id: int) -> tuple[int, list[int]]:
    """Erase a member's traces while keeping the community's alerts.

    Their shares stay (anonymised), their re-shares, votes and reports go (the alerts'
    counters and crowd medians are recomputed), and their name leaves any warning and any
    alert they ended.
    Returns (rows changed, ids of alerts whose message should be redrawn).
    """
    changed = 0
    async with db.transaction() as tx:
        touched: set[int] = set()
        for sql in (
            "SELECT id FROM task_alerts WHERE sharer_id = ?",
            "SELECT alert_id FROM task_sightings WHERE user_id = ?",
            "SELECT alert_id FROM task_votes WHERE user_id = ?",
            "SELECT alert_id FROM task_reports WHERE user_id = ?",
        ):
            touched.update(r[0] for r in await tx.execute_fetchall(sql, (user_id,)))
        warned = await tx.execute_fetchall(
            "SELECT id FROM task_alerts WHERE warning_proposed_by = ? "
            "UNION SELECT id FROM task_alerts WHERE warning_confirmed_by = ?",
            (user_id, user_id),
        )
        touched.update(r[0] for r in warned)

        statements: list[tuple[str, tuple[Any, ...]]] = [
            (
                "UPDATE task_alerts SET sharer_id = NULL, anonymous = 1 WHERE sharer_id = ?",
                (user_id,),
            ),
            (
                "UPDATE task_alerts SET last_seen_by = NULL WHERE id IN "
                "(SELECT alert_id FROM task_sightings WHERE user_id = ?) AND last_seen_by = ?",
                (user_id, user_id),
            ),
            (
                Sql(
                    "UPDATE task_alerts SET seen_by = (SELECT json_group_array(value) FROM "
                    "json_each(task_alerts.seen_by) WHERE value != ?) WHERE id IN "
                    "(SELECT alert_id FROM task_sightings WHERE user_id = ?)",
                    # jsonb_agg gives NULL over no rows where SQLite gives '[]'.
                    postgresql="UPDATE task_alerts SET seen_by = (SELECT "
                    "COALESCE(jsonb_agg(v ORDER BY i), '[]')::text FROM "
                    "jsonb_array_elements(task_alerts.seen_by::jsonb) WITH ORDINALITY AS e(v, i) "
                    "WHERE v <> to_jsonb(?::bigint)) WHERE id IN "
                    "(SELECT alert_id FROM task_sightings WHERE user_id = ?)",
                ),
                (user_id, user_id),
            ),
            ("DELETE FROM task_sightings WHERE user_id = ?", (user_id,)),
            (
                # The last voter the vote statement carried (its trigger stored the vote).
                "UPDATE task_alerts SET last_vote_by = NULL WHERE id IN "
                "(SELECT alert_id FROM task_votes WHERE user_id = ?) AND last_vote_by = ?",
                (user_id, user_id),
            ),
            ("DELETE FROM task_votes WHERE user_id = ?", (user_id,)),
            ("DELETE FROM task_reports WHERE user_id = ?", (user_id,)),
            (
                "UPDATE task_alerts SET warning_proposed_by = NULL WHERE warning_proposed_by = ?",
                (user_id,),
            ),
            (
                "UPDATE task_alerts SET warning_confirmed_by = NULL WHERE warning_confirmed_by = ?",
                (user_id,),
            ),
            ("UPDATE task_alerts SET ended_by = NULL WHERE ended_by = ?", (user_id,)),
        ]
        for sql, params in statements:
            cursor = await tx.execute(sql, params)
            changed += max(cursor.rowcount, 0)
            await cursor.close()
        for alert_id in sorted(touched):
            await recount(db, alert_id)
    return changed, sorted(touched)
