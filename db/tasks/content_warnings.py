"""Content warnings on an alert: suggested by a member, confirmed by another, cleared."""

from __future__ import annotations

from db.connection import Database
from db.dialect import Sql
from db.tasks.records import Alert, row_to_alert

#: The stored vocabulary of content warnings (the rules and the menus read it from here).
WARNING_CATEGORIES: tuple[str, ...] = ("violence", "sexual", "hate", "self_harm", "other")


async def set_warning(
    db: Database, alert_id: int, category: str, *, guild_id: int, by: int, confirmed: bool
) -> Alert | None:
    """Suggest a content warning (pending), or set it outright (sharer, moderator).

    Only on an alert of `guild_id` (the member's server).
    """
    if category not in WARNING_CATEGORIES:
        msg = f"unknown warning {category!r}"
        raise ValueError(msg)
    if confirmed:
        sql = (
            "UPDATE task_alerts SET warning = ?, warning_confirmed_by = ?, "
            "warning_pending = NULL, warning_proposed_by = NULL "
            "WHERE id = ? AND guild_id = ? AND state != 'removed' RETURNING *"
        )
    else:
        sql = (
            "UPDATE task_alerts SET warning_pending = ?, warning_proposed_by = ? "
            "WHERE id = ? AND guild_id = ? AND state != 'removed' RETURNING *"
        )
    row = await db.fetch_one(sql, (category, by, alert_id, guild_id))
    return None if row is None else row_to_alert(row)


_CONFIRM_SQL = Sql(
    "UPDATE task_alerts SET warning = warning_pending, warning_confirmed_by = ?, "
    "warning_pending = NULL WHERE id = ? AND guild_id = ? AND warning_pending IS NOT NULL "
    "AND (? OR warning_proposed_by IS NOT ?) AND state != 'removed' RETURNING *",
    # `allow_own` is passed as a bool, which PostgreSQL can OR; null-safe "differs".
    postgresql="UPDATE task_alerts SET warning = warning_pending, warning_confirmed_by = ?, "
    "warning_pending = NULL WHERE id = ? AND guild_id = ? AND warning_pending IS NOT NULL "
    "AND (? OR warning_proposed_by IS DISTINCT FROM ?) AND state != 'removed' RETURNING *",
)


async def confirm_warning(
    db: Database, alert_id: int, *, guild_id: int, by: int, allow_own: bool = False
) -> Alert | None:
    """Confirm the pending warning; never by the member who suggested it.

    `allow_own` lifts that for moderators, whose word is enough on its own.
    """
    row = await db.fetch_one(
        _CONFIRM_SQL,
        (by, alert_id, guild_id, bool(allow_own), by),
    )
    return None if row is None else row_to_alert(row)


async def clear_warning(db: Database, alert_id: int, *, guild_id: int) -> Alert | None:
    """Drop a warning and any suggestion (moderators only; checked by the caller)."""
    row = await db.fetch_one(
        "UPDATE task_alerts SET warning = NULL, warning_confirmed_by = NULL, "
        "warning_pending = NULL, warning_proposed_by = NULL WHERE id = ? AND guild_id = ? "
        "RETURNING *",
        (alert_id, guild_id),
    )
    return None if row is None else row_to_alert(row)
