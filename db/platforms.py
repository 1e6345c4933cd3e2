"""The platform registry, and the read-only aggregate the comparison needs.

A server sees the built-in platforms and those its own moderators added. Reviews of
platforms are stored by `db.reviews` (subject kind `platform`); `scores` only reads them,
summing every visible platform's reviews in one query instead of one query per platform.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from itertools import groupby

from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql
from db.models import from_row
from db.reviews import SCORE, SCORE_ROWS, Summary, summary_from_rows

_VISIBLE = (
    "SELECT id, key, name, builtin, created_at FROM platforms WHERE builtin = 1 "
    "UNION ALL SELECT p.id, p.key, p.name, p.builtin, p.created_at FROM platform_servers s "
    "JOIN platforms p ON p.id = s.platform_id WHERE s.guild_id = :guild AND p.builtin = 0"
)

#: The platform with a key, if the server can see it.
FIND_SQL = (
    "SELECT p.* FROM platforms p WHERE p.key = :key AND (p.builtin = 1 OR EXISTS "
    "(SELECT 1 FROM platform_servers s WHERE s.guild_id = :guild AND s.platform_id = p.id))"
)

#: Every visible platform with its per-criterion review aggregate (`db.reviews.summary`'s
#: query, grouped by platform as well).
SCORES_SQL = (
    f"WITH v AS ({_VISIBLE}), "
    "agg AS (SELECT r.subject_id AS platform_id, je.key AS criterion, "
    f"AVG({SCORE}) AS mean, COUNT(*) AS n, "
    f"AVG(CASE WHEN r.updated_at >= :since THEN {SCORE} END) AS recent_mean, "
    "COUNT(CASE WHEN r.updated_at >= :since THEN 1 END) AS recent_n "
    "FROM v JOIN reviews r ON r.subject_kind = :kind AND r.subject_id = v.id "
    "AND r.hidden_at IS NULL, " + SCORE_ROWS + " GROUP BY r.subject_id, je.key) "
    "SELECT v.id, v.key, v.name, v.builtin, v.created_at, agg.criterion, agg.mean, "
    "agg.n, agg.recent_mean, agg.recent_n FROM v LEFT JOIN agg ON agg.platform_id = v.id "
    "ORDER BY v.id"
)


@dataclass(frozen=True, slots=True)
class Platform:
    id: int
    key: str
    name: str
    builtin: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class PlatformScores:
    """A platform and the summary of its visible (not hidden) reviews."""

    platform: Platform
    summary: Summary


class AddRefusedError(Exception):
    """Why a platform could not be added to a server: `builtin`, `exists` or `limit`."""

    def __init__(self, reason: str, platform: Platform) -> None:
        super().__init__(reason)
        self.reason = reason
        self.platform = platform


def _platform(row: sqlite3.Row) -> Platform:
    return from_row(Platform, row, builtin=bool(row["builtin"]))


#: SQLite's NOCASE folds ASCII letters only; so does this `translate` (PostgreSQL's
#: `lower()` would fold every script and order some names differently).
_BY_NAME = Sql(
    "name COLLATE NOCASE",
    postgresql="translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
)


async def visible(db: Database, guild_id: int) -> list[Platform]:
    """Built-in platforms first, then the server's own, each group by name."""
    rows = await db.fetch_all(
        f"SELECT * FROM ({_VISIBLE}) ORDER BY builtin DESC, " + _BY_NAME + ", id",
        {"guild": guild_id},
    )
    return [_platform(row) for row in rows]


async def find(db: Database, guild_id: int, key: str) -> Platform | None:
    """The platform with this key, if this server can see it."""
    row = await db.fetch_one(FIND_SQL, {"key": key, "guild": guild_id})
    return None if row is None else _platform(row)


async def visible_by_id(db: Database, guild_id: int, platform_id: int) -> Platform | None:
    """The platform with this id, if this server can see it."""
    row = await db.fetch_one(
        f"SELECT * FROM ({_VISIBLE}) WHERE id = :id", {"guild": guild_id, "id": platform_id}
    )
    return None if row is None else _platform(row)


async def get(db: Database, platform_id: int) -> Platform | None:
    row = await db.fetch_one("SELECT * FROM platforms WHERE id = ?", (platform_id,))
    return None if row is None else _platform(row)


async def add_to_server(
    db: Database, guild_id: int, key: str, name: str, now: int, *, limit: int
) -> Platform:
    """Make a platform visible in a server, creating the record if nobody has yet.

    Must run inside `db.transaction()` (with the caller's audit entry), so a refusal
    rolls back a record created a moment earlier. An existing record keeps its name: one
    server's spelling must not rename what another server shows.
    """
    assert db.in_transaction, "add_to_server must run inside a transaction"
    row = await db.fetch_one(
        "INSERT INTO platforms (key, name, builtin, created_at) VALUES (?, ?, 0, ?) "
        "ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING *",
        (key, name, now),
    )
    assert row is not None
    platform = _platform(row)
    if platform.builtin:
        raise AddRefusedError("builtin", platform)
    # Across processes the count and the insert must not interleave (`db.cross_process`).
    async with serialised(db, [f"platforms per server:{guild_id}"]):
        linked = await db.fetch_one(
            "INSERT INTO platform_servers (guild_id, platform_id, added_at) SELECT ?, ?, ? "
            "WHERE (SELECT COUNT(*) FROM platform_servers WHERE guild_id = ?) < ? "
            "ON CONFLICT (guild_id, platform_id) DO NOTHING RETURNING platform_id",
            (guild_id, platform.id, now, guild_id, limit),
        )
    if linked is None:
        exists = await db.fetch_value(
            "SELECT 1 FROM platform_servers WHERE guild_id = ? AND platform_id = ?",
            (guild_id, platform.id),
        )
        raise AddRefusedError("exists" if exists else "limit", platform)
    return platform


async def remove_from_server(db: Database, guild_id: int, platform_id: int) -> bool:
    """Stop showing an added platform in a server.

    Its reviews stay: other servers may list it, and this one may add it again.
    """
    removed = await db.execute(
        "DELETE FROM platform_servers WHERE guild_id = ? AND platform_id = ?",
        (guild_id, platform_id),
    )
    return removed > 0


async def added_count(db: Database, guild_id: int) -> int:
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM platform_servers WHERE guild_id = ?", (guild_id,)
    )
    return int(value or 0)


async def scores(db: Database, guild_id: int, kind: str, since: int) -> list[PlatformScores]:
    """Every platform the server sees, with per-criterion means of its visible reviews.

    One query: the review aggregate is `db.reviews.summary`'s, grouped by platform too,
    and each group is turned into the same `Summary` by `db.reviews.summary_from_rows`.
    """
    rows = await db.fetch_all(SCORES_SQL, {"guild": guild_id, "kind": kind, "since": since})
    result: list[PlatformScores] = []
    for _, group in groupby(rows, key=lambda row: row["id"]):
        members = list(group)
        result.append(PlatformScores(_platform(members[0]), summary_from_rows(members)))
    return result
