"""What a server's digest says: read-only queries over other features' tables.

Aggregates the digest needs and the owning modules do not offer. Every one is bounded by
an indexed time range (see 0006_digests.sql for the indexes they rely on). The shared
task row (`AlertRow`) is also what a personal digest's missed tasks are (`missed`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.connection import Database


@dataclass(frozen=True, slots=True)
class AlertRow:
    """What the digest shows of one shared task."""

    id: int
    guild_id: int
    platform: str
    title: str
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    state: str
    warning: str | None
    channel_id: int | None
    message_id: int | None
    is_forum: bool
    sharer_id: int | None = None
    notes: str | None = None
    requester_name: str | None = None
    platform_requester_id: str | None = None
    countries: str = ""
    qualifications: str = "[]"
    #: The requester's status (its survivor's, after merges): 'none', 'caution', 'scam'.
    requester_status: str | None = None

    @property
    def country_set(self) -> frozenset[str]:
        return frozenset(c for c in self.countries.split(",") if c)

    @property
    def qualification_set(self) -> frozenset[str]:
        return frozenset(json.loads(self.qualifications or "[]"))


ALERT_COLUMNS = (
    "id, guild_id, platform, title, reward_cents, currency, minutes, hourly_cents, state, "
    "warning, channel_id, message_id, is_forum, sharer_id, notes, requester_name, "
    "platform_requester_id, countries, qualifications"
)


def requester_status(alert: str) -> str:
    """The status of the alert's requester record (its survivor's): a digest names it too."""
    return (
        "(SELECT s.status FROM requesters q JOIN requesters s "
        f"ON s.id = COALESCE(q.merged_into_id, q.id) WHERE q.id = {alert}.requester_id) "
        "AS requester_status"
    )


def alert_row(row: Any) -> AlertRow:
    data = dict(zip(row.keys(), tuple(row), strict=True))
    data["is_forum"] = bool(data["is_forum"])
    return AlertRow(**data)


async def best_alerts(
    db: Database, guild_id: int, start: int, end: int, limit: int = 10, *, offset: int = 0
) -> list[AlertRow]:
    """The period's best shared tasks: still-live ones first, then by hourly.

    `offset` skips that many of the best: the digest reads further pages when some of
    the best were posted where its readers cannot look.
    """
    # The inner query ranks from the covering index alone; only the winners' rows are read.
    rows = await db.fetch_all(
        f"SELECT {ALERT_COLUMNS}, {requester_status('task_alerts')} "
        "FROM task_alerts WHERE id IN ("
        "  SELECT id FROM task_alerts WHERE guild_id = ? AND created_at >= ? "
        "  AND created_at < ? AND state <> 'removed' "
        "  ORDER BY state = 'live' DESC, hourly_cents DESC, id LIMIT ? OFFSET ?) "
        "ORDER BY state = 'live' DESC, hourly_cents DESC, id",
        (guild_id, start, end, limit, offset),
    )
    return [alert_row(row) for row in rows]


@dataclass(frozen=True, slots=True)
class CurrencyCount:
    currency: str
    count: int
    median_hourly_cents: int


_PERIOD_ALERTS = (
    "FROM task_alerts WHERE guild_id = ? AND created_at >= ? AND created_at < ? "
    "AND state <> 'removed'"
)


async def shared_medians(
    db: Database, guild_id: int, start: int, end: int, *, currencies: int = 5
) -> tuple[list[CurrencyCount], int, int]:
    """Tasks shared per currency (most used first) and their median hourly.

    Counted from the covering index, then each currency's middle one or two rows are
    read with LIMIT/OFFSET: a few small statements, cheaper than one window function
    over the whole period. Two middle values are averaged, half up. Only the first
    `currencies` get a median; every currency is counted. Returns (medians, tasks shared
    in every currency, currencies left out).
    """
    counts = await db.fetch_all(
        f"SELECT currency, count(*) AS n {_PERIOD_ALERTS} GROUP BY currency "
        "ORDER BY n DESC, currency",
        (guild_id, start, end),
    )
    total = sum(int(row["n"]) for row in counts)
    found = []
    for row in counts[:currencies]:
        n = int(row["n"])
        middle = await db.fetch_all(
            f"SELECT hourly_cents {_PERIOD_ALERTS} AND currency = ? "
            "ORDER BY hourly_cents LIMIT ? OFFSET ?",
            (guild_id, start, end, row["currency"], 2 - n % 2, (n - 1) // 2),
        )
        values = [int(r["hourly_cents"]) for r in middle]
        median = (sum(values) + len(values) // 2) // len(values)
        found.append(CurrencyCount(row["currency"], n, median))
    return found, total, max(0, len(counts) - currencies)


async def report_counts(db: Database, guild_id: int, start: int, end: int) -> tuple[int, int]:
    """Reports opened and closed in the server during the period: counts, never who."""
    row = await db.fetch_one(
        "SELECT (SELECT count(*) FROM reports WHERE guild_id = ?1 AND created_at >= ?2 "
        "        AND created_at < ?3) AS opened, "
        "       (SELECT count(*) FROM reports WHERE guild_id = ?1 AND closed_at >= ?2 "
        "        AND closed_at < ?3) AS closed",
        (guild_id, start, end),
    )
    assert row is not None
    return int(row["opened"]), int(row["closed"])


async def top_sharers(
    db: Database, guild_id: int, start: int, end: int, limit: int = 5
) -> list[tuple[int, int]]:
    """(member, tasks shared) for the most generous sharers who may be named.

    Anonymous shares never count towards naming someone, and members who opted out of
    being thanked are left out here, in SQL, so their ids never reach the renderer.
    """
    rows = await db.fetch_all(
        "SELECT user_id, shared FROM (SELECT sharer_id AS user_id, count(*) AS shared, "
        f"min(id) AS first {_PERIOD_ALERTS} AND anonymous = 0 AND sharer_id IS NOT NULL "
        "GROUP BY sharer_id) WHERE user_id NOT IN "
        "(SELECT user_id FROM digest_members WHERE thanks_opt_out = 1) "
        "ORDER BY shared DESC, first LIMIT ?",
        (guild_id, start, end, limit),
    )
    return [(row["user_id"], row["shared"]) for row in rows]
