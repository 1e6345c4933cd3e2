"""Saving a server's configuration, channel-problem notices, departed servers.

Servers the bot leaves keep their configuration 30 days, then it is purged.

`db.guilds` reads settings and stays the shared, minimal API; the setup feature writes
through `save`, which also decides when setup is complete, so a server configured one
setting at a time works as soon as its required channels exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from db import guilds
from db.connection import Database
from db.dialect import Sql
from db.guilds import EDITABLE_FIELDS, GuildSettings
from db.models import from_row
from db.shards import WHOLE, Shards

#: Without these two channels features have nowhere to post alerts or report cards.
REQUIRED_CHANNEL_COLUMNS: tuple[str, ...] = ("alerts_channel_id", "mod_channel_id")

#: Which kind of channel (as `bot.delivery` names them) each column holds.
CHANNEL_KIND_OF_COLUMN: dict[str, str] = {
    "alerts_channel_id": "alerts",
    "mod_channel_id": "mod",
    "digest_channel_id": "digest",
}


async def save(
    db: Database, guild_id: int, now: int, changes: Mapping[str, object]
) -> GuildSettings:
    """Apply `changes` and mark setup complete once both required channels are set.

    One `INSERT … ON CONFLICT … RETURNING` does the change and the completion check, so a
    concurrent change cannot slip between them. A changed channel also forgets the notices
    sent about the old one (same transaction), so a problem with the new channel is
    reported at once rather than after the quiet period.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        msg = f"not editable: {sorted(unknown)}"
        raise ValueError(msg)
    columns = sorted(changes)

    def value_after(column: str) -> str:
        return f"excluded.{column}" if column in changes else f"guild_settings.{column}"

    ready_after_update = " AND ".join(
        f"{value_after(c)} IS NOT NULL" for c in REQUIRED_CHANNEL_COLUMNS
    )
    ready_on_insert = all(changes.get(c) is not None for c in REQUIRED_CHANNEL_COLUMNS)
    insert_cols = ", ".join(
        ["guild_id", "created_at", "updated_at", "setup_completed_at", *columns]
    )
    marks = ", ".join(["?"] * (4 + len(columns)))
    assignments = "".join(f"{c} = excluded.{c}, " for c in columns)
    sql = (
        f"INSERT INTO guild_settings ({insert_cols}) VALUES ({marks}) "
        f"ON CONFLICT (guild_id) DO UPDATE SET {assignments}"
        "updated_at = excluded.updated_at, "
        "setup_completed_at = COALESCE(guild_settings.setup_completed_at, "
        f"CASE WHEN {ready_after_update} THEN excluded.updated_at END) "
        "RETURNING *"
    )
    params = [guild_id, now, now, now if ready_on_insert else None, *(changes[c] for c in columns)]
    changed_kinds = [CHANNEL_KIND_OF_COLUMN[c] for c in columns if c in CHANNEL_KIND_OF_COLUMN]
    guilds.invalidate(db, guild_id)
    if not changed_kinds:
        row = await db.fetch_one(sql, params)
    else:
        async with db.transaction() as tx:
            cursor = await tx.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
            marks_kinds = ", ".join("?" * len(changed_kinds))
            await tx.execute(
                f"DELETE FROM channel_notices WHERE guild_id = ? AND kind IN ({marks_kinds})",
                (guild_id, *changed_kinds),
            )
    guilds.changed(db, guild_id)
    assert row is not None
    return from_row(GuildSettings, row)


# -- telling moderators about broken channels, once --------------------------------------


async def claim_notice(
    db: Database, guild_id: int, kind: str, detail: str, *, now: int, quiet_seconds: int
) -> bool:
    """Whether this channel problem should be reported now; records it if so.

    True the first time, when the problem changed, or once `quiet_seconds` have passed
    since the last report. The check and the record are one statement, so two failures
    racing each other produce one message.
    """
    row = await db.fetch_one(
        "INSERT INTO channel_notices (guild_id, kind, detail, notified_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (guild_id, kind) DO UPDATE SET detail = excluded.detail, "
        "notified_at = excluded.notified_at "
        "WHERE channel_notices.detail != excluded.detail OR channel_notices.notified_at <= ? "
        "RETURNING guild_id",
        (guild_id, kind, detail, now, now - quiet_seconds),
    )
    return row is not None


async def clear_notice(db: Database, guild_id: int, kind: str) -> int:
    """Forget a reported problem (the channel works again): the next one is reported."""
    return await db.execute(
        "DELETE FROM channel_notices WHERE guild_id = ? AND kind = ?", (guild_id, kind)
    )


# -- servers the bot left -----------------------------------------------------------------


async def clear_left(db: Database, guild_id: int) -> bool:
    """The bot is (back) in this server: cancel a pending purge. True if one was pending."""
    guilds.invalidate(db, guild_id)
    changed = await db.execute(
        "UPDATE guild_settings SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
        (guild_id,),
    )
    if changed:
        guilds.changed(db, guild_id)
    return changed > 0


#: The ids present travel as one JSON list on both stores (PostgreSQL reads it with
#: `jsonb_array_elements_text`), so the parameters are the same whatever the backend.
_MARK_ABSENT = Sql(
    "UPDATE guild_settings SET left_at = ?, updated_at = ? WHERE left_at IS NULL "
    "AND guild_id NOT IN (SELECT value FROM json_each(?)) AND ",
    postgresql="UPDATE guild_settings SET left_at = ?, updated_at = ? WHERE left_at IS NULL "
    "AND guild_id NOT IN (SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb) "
    "AS present(value)) AND ",
)


async def mark_absent_as_left(
    db: Database, present: Iterable[int], now: int, shards: Shards = WHOLE
) -> int:
    """Servers configured here that the bot is no longer in (removed while it was offline).

    `present` are the servers of `shards` the process holds: a server of another
    process's shards is not absent, only out of sight. The ids travel as one JSON
    parameter, so any number of servers is one statement.
    """
    guilds.invalidate(db)
    mine, shard_params = shards.where()
    gone = await db.execute(
        _MARK_ABSENT + mine, (now, now, json.dumps(sorted(set(present))), *shard_params)
    )
    if gone:
        guilds.changed(db)
    return gone


async def left_before(db: Database, cutoff: int, shards: Shards = WHOLE) -> list[int]:
    """Servers of `shards` the bot left at or before `cutoff` (partial index on left_at)."""
    mine, shard_params = shards.where()
    rows = await db.fetch_all(
        "SELECT guild_id FROM guild_settings WHERE left_at IS NOT NULL AND left_at <= ? "
        f"AND {mine} ORDER BY left_at",
        (cutoff, *shard_params),
    )
    return [int(row["guild_id"]) for row in rows]


async def purge_guild(db: Database, guild_id: int, cutoff: int) -> bool:
    """Delete a departed server's configuration, unless it came back since.

    Only the server's configuration goes; members' own data (earnings, preferences,
    reviews) belongs to them and follows `/privacy delete`.
    """
    guilds.invalidate(db, guild_id)
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "DELETE FROM guild_settings WHERE guild_id = ? AND left_at IS NOT NULL "
            "AND left_at <= ?",
            (guild_id, cutoff),
        )
        deleted = cursor.rowcount
        await cursor.close()
        if deleted:
            await tx.execute("DELETE FROM channel_notices WHERE guild_id = ?", (guild_id,))
    if deleted:
        guilds.changed(db, guild_id)
    return deleted > 0
