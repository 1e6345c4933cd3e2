"""Storage for intake: personal API tokens, the exports channel, exports turned into alerts."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql
from db.models import from_row


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    guild_id: int
    user_id: int
    prefix: str
    label: str | None
    created_at: int
    last_used_at: int | None
    revoked_at: int | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _token(row: sqlite3.Row) -> ApiToken:
    return from_row(ApiToken, row)


async def create_token(
    db: Database,
    *,
    guild_id: int,
    user_id: int,
    token_hash: str,
    prefix: str,
    label: str | None,
    now: int,
    limit: int,
) -> ApiToken | None:
    """Store a new token, unless the member already has `limit` active ones here (None).

    The count and the insert are one statement; on PostgreSQL, where other processes
    insert at the same time, the member's lock is taken first in the same transaction,
    so the count sees every token committed before it (and the limit holds exactly).
    """
    # Serialised per member and server across processes (docs/postgresql.md, A18): under
    # READ COMMITTED two processes could both count `limit - 1` and both insert.
    async with serialised(db, [f"api_tokens:{guild_id}:{user_id}"]):
        row = await db.fetch_one(
            "INSERT INTO api_tokens (guild_id, user_id, token_hash, prefix, label, created_at) "
            "SELECT :guild_id, :user_id, :hash, :prefix, :label, :now "
            "WHERE (SELECT COUNT(*) FROM api_tokens WHERE guild_id = :guild_id "
            "AND user_id = :user_id AND revoked_at IS NULL) < :limit RETURNING *",
            {
                "guild_id": guild_id,
                "user_id": user_id,
                "hash": token_hash,
                "prefix": prefix,
                "label": label,
                "now": now,
                "limit": limit,
            },
        )
    return None if row is None else _token(row)


async def token_by_hash(
    db: Database, token_hash: str, *, include_revoked: bool = False
) -> ApiToken | None:
    """The token with this hash; a revoked one only with `include_revoked`.

    The API reads revoked ones too, to tell a member who left (whose tokens were revoked
    then) from a plain revocation.
    """
    sql = "SELECT * FROM api_tokens WHERE token_hash = ?"
    if not include_revoked:
        sql += " AND revoked_at IS NULL"
    row = await db.fetch_one(sql, (token_hash,))
    return None if row is None else _token(row)


async def tokens_of(db: Database, guild_id: int, user_id: int) -> list[ApiToken]:
    rows = await db.fetch_all(
        "SELECT * FROM api_tokens WHERE guild_id = ? AND user_id = ? AND revoked_at IS NULL "
        "ORDER BY id",
        (guild_id, user_id),
    )
    return [_token(r) for r in rows]


async def revoke_token(
    db: Database, token_id: int, *, guild_id: int, user_id: int, now: int
) -> ApiToken | None:
    row = await db.fetch_one(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND guild_id = ? AND user_id = ? "
        "AND revoked_at IS NULL RETURNING *",
        (now, token_id, guild_id, user_id),
    )
    return None if row is None else _token(row)


async def token_holders(db: Database, guild_id: int) -> set[int]:
    """Members with an active token for this server (`bot.membership` checks they stay)."""
    rows = await db.fetch_all(
        "SELECT DISTINCT user_id FROM api_tokens WHERE guild_id = ? AND revoked_at IS NULL",
        (guild_id,),
    )
    return {int(r[0]) for r in rows}


#: The members of a JSON list of ids (the same parameter on both stores).
_PEOPLE = Sql(
    "(SELECT value FROM json_each(?))",
    postgresql="(SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))",
)


async def revoke_member_tokens(
    db: Database, guild_id: int, user_ids: list[int], *, now: int
) -> int:
    """Revoke these members' tokens for this server (they left it or were banned).

    Revoked, not deleted: coming back does not revive them, and the API can still say
    "no longer in the server" to a tool that tries one. `/privacy delete` deletes them.
    """
    if not user_ids:
        return 0
    return await db.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE guild_id = ? AND revoked_at IS NULL "
        "AND user_id IN " + _PEOPLE,
        (now, guild_id, json.dumps(sorted(set(user_ids)))),
    )


async def touch_token(db: Database, token_id: int, now: int) -> None:
    await db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now, token_id))


# -- the exports channel -------------------------------------------------------------------


async def exports_channel(db: Database, guild_id: int) -> int | None:
    value = await db.fetch_value(
        "SELECT exports_channel_id FROM intake_settings WHERE guild_id = ?", (guild_id,)
    )
    return None if value is None else int(value)


async def set_exports_channel(
    db: Database, guild_id: int, channel_id: int | None, now: int
) -> None:
    await db.execute(
        "INSERT INTO intake_settings (guild_id, exports_channel_id, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id) DO UPDATE SET exports_channel_id = excluded.exports_channel_id, "
        "updated_at = excluded.updated_at",
        (guild_id, channel_id, now),
    )


@dataclass(frozen=True, slots=True)
class ExportMessage:
    message_id: int
    guild_id: int
    channel_id: int
    author_id: int
    alert_id: int | None
    created: bool
    reply_id: int | None
    posted_at: int


def _export(row: sqlite3.Row) -> ExportMessage:
    return from_row(ExportMessage, row, created=bool(row["created"]))


async def record_export(db: Database, export: ExportMessage) -> None:
    await db.execute(
        "INSERT INTO export_messages (message_id, guild_id, channel_id, author_id, alert_id, "
        "created, reply_id, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (message_id) DO UPDATE SET alert_id = excluded.alert_id, "
        "created = excluded.created, reply_id = excluded.reply_id",
        (
            export.message_id,
            export.guild_id,
            export.channel_id,
            export.author_id,
            export.alert_id,
            int(export.created),
            export.reply_id,
            export.posted_at,
        ),
    )


async def get_export(db: Database, message_id: int) -> ExportMessage | None:
    row = await db.fetch_one("SELECT * FROM export_messages WHERE message_id = ?", (message_id,))
    return None if row is None else _export(row)


async def claim_export(
    db: Database, message_id: int, *, author_id: int, now: int, stale_before: int
) -> ExportMessage | None:
    """Claim the author's export that is waiting for minutes, to share it; None if taken.

    One conditional UPDATE, so of two form submissions arriving together exactly one gets
    the record: the other finds it claimed (or already shared) and shares nothing. A claim
    from before `stale_before` was left by a submission that died, and is taken over.
    """
    row = await db.fetch_one(
        "UPDATE export_messages SET claimed_at = :now WHERE message_id = :message_id "
        "AND author_id = :author_id AND alert_id IS NULL "
        "AND (claimed_at IS NULL OR claimed_at < :stale_before) RETURNING *",
        {
            "now": now,
            "message_id": message_id,
            "author_id": author_id,
            "stale_before": stale_before,
        },
    )
    return None if row is None else _export(row)


async def release_export(db: Database, message_id: int) -> None:
    """End a claim (`claim_export`): shared or not, the submission is done with it."""
    await db.execute(
        "UPDATE export_messages SET claimed_at = NULL "
        "WHERE message_id = ? AND claimed_at IS NOT NULL",
        (message_id,),
    )


async def forget_export(db: Database, message_id: int) -> None:
    await db.execute("DELETE FROM export_messages WHERE message_id = ?", (message_id,))


# -- lookups for the API -------------------------------------------------------------------


async def live_alert_seen_by(
    db: Database, guild_id: int, task_key: str, user_id: int
) -> int | None:
    """The live alert for this task that this member already shared or re-shared."""
    value = await db.fetch_value(
        "SELECT a.id FROM task_alerts a WHERE a.guild_id = ? AND a.task_key = ? "
        "AND a.state = 'live' AND (a.sharer_id = ? OR EXISTS (SELECT 1 FROM task_sightings s "
        "WHERE s.alert_id = a.id AND s.user_id = ?))",
        (guild_id, task_key, user_id, user_id),
    )
    return None if value is None else int(value)


async def requesters_by_platform_ids(db: Database, platform: str, ids: list[str]) -> dict[str, int]:
    """Platform requester id → registry id (the survivor of merged records)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetch_all(
        "SELECT platform_requester_id AS pid, COALESCE(merged_into_id, id) AS rid "
        f"FROM requesters WHERE platform = ? AND platform_requester_id IN ({marks})",
        (platform, *ids),
    )
    return {row["pid"]: row["rid"] for row in rows}


async def crowd_samples(
    db: Database, guild_id: int, requester_ids: list[int]
) -> list[tuple[int, int, int, str]]:
    """(requester id, crowd hourly, reports, currency) per reported alert of this server."""
    if not requester_ids:
        return []
    marks = ",".join("?" * len(requester_ids))
    rows = await db.fetch_all(
        "SELECT requester_id, crowd_hourly_cents, done_count, currency FROM task_alerts "
        f"WHERE guild_id = ? AND requester_id IN ({marks}) "
        "AND crowd_hourly_cents IS NOT NULL AND state != 'removed'",
        (guild_id, *requester_ids),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


# -- privacy -------------------------------------------------------------------------------


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    tokens = await db.fetch_all(
        "SELECT id, guild_id, prefix, label, created_at, last_used_at, revoked_at "
        "FROM api_tokens WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    exports = await db.fetch_all(
        "SELECT message_id, guild_id, channel_id, alert_id, created, reply_id, posted_at, "
        "claimed_at FROM export_messages WHERE author_id = ? ORDER BY posted_at",
        (user_id,),
    )
    return {
        "api_tokens": [dict(r) for r in tokens],
        "exports_channel_messages": [{**dict(r), "created": bool(r["created"])} for r in exports],
    }


async def erase_member(db: Database, user_id: int) -> int:
    """Delete the member's tokens (so they stop working at once) and export records."""
    async with db.transaction() as conn:
        one = await conn.execute("DELETE FROM api_tokens WHERE user_id = ?", (user_id,))
        two = await conn.execute("DELETE FROM export_messages WHERE author_id = ?", (user_id,))
        return (one.rowcount or 0) + (two.rowcount or 0)
