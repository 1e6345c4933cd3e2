"""Requesters to watch: those newly marked caution or scam during a digest's period.

The requester registry is shared by every server, so these queries take no server.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Database


@dataclass(frozen=True, slots=True)
class StatusChange:
    requester_id: int
    name: str
    platform: str
    status: str
    reason: str | None
    source: str | None  # 'moderator' or 'reports' (confirmed reports, no written reason)
    changed_at: int


async def status_changes(
    db: Database, start: int, end: int, limit: int = 25, *, status: str | None = None
) -> list[StatusChange]:
    """Requesters newly marked caution or scam in the period (the registry is shared).

    `status` keeps only one of the two, so a cut list can give each its own share.
    """
    # The partial index covers `status IN ('caution', 'scam')`; the extra test narrows it.
    only = {None: "", "caution": "AND status = 'caution' ", "scam": "AND status = 'scam' "}[status]
    rows = await db.fetch_all(
        "SELECT id, name, platform, status, status_reason, status_source, status_changed_at "
        "FROM requesters "
        "WHERE status IN ('caution', 'scam') AND status_changed_at >= ? "
        "AND status_changed_at < ? AND merged_into_id IS NULL "
        + only
        + "ORDER BY status = 'scam' DESC, status_changed_at DESC LIMIT ?",
        (start, end, limit),
    )
    return [
        StatusChange(
            row["id"],
            row["name"],
            row["platform"],
            row["status"],
            row["status_reason"],
            row["status_source"],
            row["status_changed_at"],
        )
        for row in rows
    ]


async def status_change_counts(db: Database, start: int, end: int) -> dict[str, int]:
    """How many requesters were newly marked caution and scam in the period."""
    rows = await db.fetch_all(
        "SELECT status, count(*) AS n FROM requesters "
        "WHERE status IN ('caution', 'scam') AND status_changed_at >= ? "
        "AND status_changed_at < ? AND merged_into_id IS NULL GROUP BY status",
        (start, end),
    )
    return {row["status"]: int(row["n"]) for row in rows}
