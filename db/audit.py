"""The moderators' audit log: who did what, when and why, per server.

Any feature may record its moderator actions here; `/mod log` shows them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from db.connection import Database
from db.models import from_row

#: `actor_id` of entries whose actor erased their data (`/privacy delete`). Discord never
#: gives the id 0 to anyone, and the entry itself stays: a server can still account for
#: what was decided, only not by whom.
ERASED_ACTOR = 0


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    guild_id: int
    actor_id: int
    action: str
    target_kind: str
    target_id: int
    reason: str | None
    created_at: int
    detail: Mapping[str, object] = field(default_factory=dict)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return from_row(AuditEntry, row, detail=json.loads(row["detail"]))


async def record(
    db: Database,
    *,
    guild_id: int,
    actor_id: int,
    action: str,
    target_kind: str,
    target_id: int,
    reason: str | None,
    now: int,
    detail: Mapping[str, object] | None = None,
) -> AuditEntry:
    row = await db.fetch_one(
        "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, reason, "
        "detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (
            guild_id,
            actor_id,
            action,
            target_kind,
            target_id,
            reason,
            json.dumps(dict(detail or {}), sort_keys=True),
            now,
        ),
    )
    assert row is not None
    return _entry(row)


async def page(
    db: Database,
    guild_id: int,
    *,
    before_id: int | None = None,
    actor_id: int | None = None,
    limit: int = 10,
) -> list[AuditEntry]:
    """Newest first, keyset-paged (`before_id`), optionally one moderator's entries."""
    clauses = ["guild_id = ?"]
    params: list[object] = [guild_id]
    if actor_id is not None:
        clauses.append("actor_id = ?")
        params.append(actor_id)
    if before_id is not None:
        clauses.append("id < ?")
        params.append(before_id)
    rows = await db.fetch_all(
        f"SELECT * FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    return [_entry(row) for row in rows]


async def count(db: Database, guild_id: int, *, actor_id: int | None = None) -> int:
    if actor_id is None:
        value = await db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE guild_id = ?", (guild_id,)
        )
    else:
        value = await db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE guild_id = ? AND actor_id = ?",
            (guild_id, actor_id),
        )
    return int(value)


async def get(db: Database, entry_id: int) -> AuditEntry | None:
    row = await db.fetch_one("SELECT * FROM audit_log WHERE id = ?", (entry_id,))
    return None if row is None else _entry(row)


async def for_target(
    db: Database,
    target_kind: str,
    target_id: int,
    *,
    guild_id: int | None = None,
    action: str | None = None,
    after_id: int = 0,
    newest: int | None = None,
) -> list[AuditEntry]:
    """Entries about one target, oldest first; or its `newest` ones, newest first.

    Narrowed in SQL to one server and one action when given: a requester flagged for
    months gathers thousands of entries across servers, and a moderator's card shows ten
    of one server's.
    """
    sql = "SELECT * FROM audit_log WHERE target_kind = ? AND target_id = ? AND id > ?"
    params: list[object] = [target_kind, target_id, after_id]
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params.append(guild_id)
    if action is not None:
        sql += " AND action = ?"
        params.append(action)
    if newest is None:
        sql += " ORDER BY id"
    else:
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(newest)
    return [_entry(row) for row in await db.fetch_all(sql, tuple(params))]


async def anonymise_actor(db: Database, actor_id: int) -> int:
    """Forget who acted in every entry of one member (moderator acts and reporters' answers)."""
    if actor_id == ERASED_ACTOR:
        return 0
    return await db.execute(
        "UPDATE audit_log SET actor_id = ? WHERE actor_id = ?", (ERASED_ACTOR, actor_id)
    )


async def export_actor(db: Database, actor_id: int) -> list[dict[str, object]]:
    if actor_id == ERASED_ACTOR:
        return []
    rows = await db.fetch_all("SELECT * FROM audit_log WHERE actor_id = ? ORDER BY id", (actor_id,))
    return [
        {
            "server_id": row["guild_id"],
            "action": row["action"],
            "target": f"{row['target_kind']}:{row['target_id']}",
            "reason": row["reason"],
            "at": row["created_at"],
        }
        for row in rows
    ]
