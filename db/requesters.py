"""The shared requester registry (the requesters feature extends this module)."""

from __future__ import annotations

from dataclasses import dataclass

from db.connection import Database
from db.models import from_row


@dataclass(frozen=True, slots=True)
class Requester:
    id: int
    platform: str
    platform_requester_id: str | None
    name: str
    status: str
    status_reason: str | None = None
    merged_into_id: int | None = None


def name_key(name: str) -> str:
    """The form names are matched on: case-folded, inner whitespace collapsed."""
    return " ".join(name.split()).casefold()


async def upsert(
    db: Database, platform: str, platform_requester_id: str | None, name: str, now: int
) -> Requester:
    """Find or create a requester in one statement; a newer name replaces the old one."""
    if platform_requester_id:
        sql = (
            "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, platform_requester_id) WHERE platform_requester_id "
            "IS NOT NULL DO UPDATE SET name = excluded.name, name_key = excluded.name_key, "
            "updated_at = excluded.updated_at RETURNING *"
        )
        params: tuple[object, ...] = (
            platform,
            platform_requester_id,
            name,
            name_key(name),
            now,
            now,
        )
    else:
        sql = (
            "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
            "created_at, updated_at) VALUES (?, NULL, ?, ?, ?, ?) "
            "ON CONFLICT (platform, name_key) WHERE platform_requester_id IS NULL "
            "DO UPDATE SET updated_at = excluded.updated_at RETURNING *"
        )
        params = (platform, name, name_key(name), now, now)
    row = await db.fetch_one(sql, params)
    assert row is not None
    return from_row(Requester, row)


async def get(db: Database, requester_id: int) -> Requester | None:
    row = await db.fetch_one("SELECT * FROM requesters WHERE id = ?", (requester_id,))
    return None if row is None else from_row(Requester, row)


@dataclass(frozen=True, slots=True)
class Reputation:
    """What an alert shows about its requester. The requesters feature computes it.

    `standing` is one of: no_data, good, caution, scam.
    """

    requester_id: int
    standing: str
    review_count: int = 0
    pay: float | None = None
    fast: float | None = None
    fair: float | None = None
    communication: float | None = None
    status_reason: str | None = None


async def reputation(db: Database, requester_id: int) -> Reputation:
    """The requester's standing for display on alerts (extended by the requesters feature)."""
    row = await db.fetch_one(
        "SELECT id, status, status_reason FROM requesters WHERE id = ?", (requester_id,)
    )
    if row is None:
        return Reputation(requester_id, "no_data")
    standing = {"caution": "caution", "scam": "scam"}.get(row["status"], "no_data")
    return Reputation(requester_id, standing, status_reason=row["status_reason"])
