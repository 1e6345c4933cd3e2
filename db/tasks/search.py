"""`/task search` and its autocomplete: alerts by words, platform, requester, hourly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.tasks.records import Alert, row_to_alert

#: How far back (in a server's alerts) a search without words or requester looks.
RECENT_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class SearchFilters:
    guild_id: int
    match: str | None = None  # an FTS5 query (built by rules.fts_query)
    platform: str | None = None
    requester_ids: tuple[int, ...] | None = None
    min_hourly_cents: int | None = None
    currency: str | None = None  # min_hourly is compared within this currency


async def search(db: Database, filters: SearchFilters, *, limit: int = 100) -> list[Alert]:
    """Recent alerts of a server matching the filters, newest first.

    Alerts moderators removed are left out: every caller shows what it finds to members
    (`/task search`, `/requester info`, `/task delete`'s choices), who never read a removed
    alert, and leaving them out here keeps them from taking places in `limit`.
    Live-first is the caller's ordering of this recent window.
    """
    where = ["a.guild_id = :guild_id", "a.state != 'removed'"]
    params: dict[str, Any] = {"guild_id": filters.guild_id, "limit": limit}
    if filters.platform:
        where.append("a.platform = :platform")
        params["platform"] = filters.platform
    if filters.requester_ids is not None:
        marks = []
        for i, rid in enumerate(filters.requester_ids[:50]):
            marks.append(f":r{i}")
            params[f"r{i}"] = rid
        where.append(f"a.requester_id IN ({', '.join(marks) or 'NULL'})")
    if filters.min_hourly_cents is not None:
        where.append("a.hourly_cents >= :min_hourly AND a.currency = :currency")
        params["min_hourly"] = filters.min_hourly_cents
        params["currency"] = filters.currency
    if filters.match:
        # Full-text matches come newest first from the FTS index itself.
        params["match"] = filters.match
        # PostgreSQL keeps one tsvector row per alert (docs/postgresql.md, "Full-text
        # search"); `entraide_fts_query` reads the same FTS5 string.
        sql: str = (
            Sql(
                "SELECT a.* FROM task_alerts_fts JOIN task_alerts AS a "
                "ON a.id = task_alerts_fts.rowid WHERE task_alerts_fts MATCH :match AND ",
                postgresql="SELECT a.* FROM task_alerts_fts AS f JOIN task_alerts AS a "
                "ON a.id = f.alert_id WHERE f.document @@ entraide_fts_query(:match) AND ",
            )
            + " AND ".join(where)
            + Sql(
                " ORDER BY task_alerts_fts.rowid DESC LIMIT :limit",
                postgresql=" ORDER BY f.alert_id DESC LIMIT :limit",
            )
        )
    elif filters.requester_ids is not None:
        # A requester's alerts in this server, through the requester index (without
        # statistics SQLite's planner would rather walk the whole server in id order;
        # PostgreSQL has no planner hints and picks the index from its statistics).
        sql = (
            Sql(
                "SELECT a.* FROM task_alerts AS a INDEXED BY task_alerts_requester WHERE ",
                postgresql="SELECT a.* FROM task_alerts AS a WHERE ",
            )
            + " AND ".join(where)
            + " ORDER BY a.id DESC LIMIT :limit"
        )
    else:
        # Other filters look at the server's most recent alerts only, so a rare platform
        # or a high hourly never walks a million rows.
        params["recent"] = RECENT_WINDOW
        sql = (
            "SELECT a.* FROM (SELECT * FROM task_alerts WHERE guild_id = :guild_id "
            "ORDER BY id DESC LIMIT :recent) AS a "
            f"WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT :limit"
        )
    rows = await db.fetch_all(sql, params)
    return [row_to_alert(r) for r in rows]


async def requester_ids(
    db: Database, key: str, platform_id: str, platforms: tuple[str, ...]
) -> list[int]:
    """Requesters known by this name key (own or other names) or this platform id."""
    marks = ", ".join("?" * len(platforms))
    rows = await db.fetch_all(
        "SELECT id FROM requesters WHERE name_key = ? "
        "UNION SELECT requester_id FROM requester_names WHERE name_key = ? "
        f"UNION SELECT id FROM requesters WHERE platform IN ({marks}) "
        "AND platform_requester_id = ? LIMIT 50",
        (key, key, *platforms, platform_id),
    )
    return [r[0] for r in rows]


async def requester_suggestions(db: Database, prefix: str, *, limit: int = 25) -> list[str]:
    """Requester names starting with `prefix` (as `name_key` folds it), for autocomplete.

    Only records a set-up server stands behind (`listed`).
    """
    from db.requesters import name_key

    key = name_key(prefix)
    rows = await db.fetch_all(
        Sql(
            "SELECT DISTINCT name FROM requesters WHERE name_key >= ? AND name_key < ? "
            "AND listed = 1 ORDER BY name_key LIMIT ?",
            # PostgreSQL sorts a DISTINCT only by what it selects; a name has one key.
            postgresql="SELECT name FROM (SELECT DISTINCT name, name_key FROM requesters "
            "WHERE name_key >= ? AND name_key < ? AND listed = 1) AS d "
            "ORDER BY name_key LIMIT ?",
        ),
        (key, key + "\U0010ffff", limit),
    )
    return [r[0] for r in rows]
