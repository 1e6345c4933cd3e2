"""A server's digest settings: whether, when and where its digest goes out.

Read with the server's own settings joined in (its zone, digest channel, whether it is
set up or gone), so the scheduler needs one row per server to decide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.models import from_row
from db.shards import WHOLE, Shards


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """A server's digest configuration, with the server's own zone resolved."""

    guild_id: int
    enabled: bool
    daily: bool
    weekly: bool
    weekday: int
    send_hour: int
    send_minute: int
    timezone: str | None  # NULL follows the server's zone
    hidden_sections: frozenset[str]
    schedule_since: int
    server_timezone: str
    channel_id: int | None
    set_up: bool
    left: bool

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.server_timezone

    @property
    def active(self) -> bool:
        """Whether jobs should exist: enabled, set up, still in the server, with a channel."""
        return self.enabled and self.set_up and not self.left and self.channel_id is not None


_SETTINGS_SELECT = (
    "SELECT g.guild_id AS guild_id, COALESCE(d.enabled, 1) AS enabled, "
    "COALESCE(d.daily, 1) AS daily, COALESCE(d.weekly, 0) AS weekly, "
    "COALESCE(d.weekday, 0) AS weekday, COALESCE(d.send_hour, 8) AS send_hour, "
    "COALESCE(d.send_minute, 0) AS send_minute, d.timezone AS timezone, "
    "COALESCE(d.hidden_sections, '[]') AS hidden_sections, "
    "COALESCE(d.schedule_since, g.setup_completed_at, g.updated_at) AS schedule_since, "
    "g.timezone AS server_timezone, g.digest_channel_id AS channel_id, "
    "g.setup_completed_at IS NOT NULL AS is_set_up, g.left_at IS NOT NULL AS has_left "
    "FROM guild_settings g LEFT JOIN digest_settings d ON d.guild_id = g.guild_id "
)


def _settings(row: Any) -> DigestSettings:
    return from_row(
        DigestSettings,
        row,
        enabled=bool(row["enabled"]),
        daily=bool(row["daily"]),
        weekly=bool(row["weekly"]),
        hidden_sections=frozenset(json.loads(row["hidden_sections"] or "[]")),
        set_up=bool(row["is_set_up"]),
        left=bool(row["has_left"]),
    )


async def get_settings(db: Database, guild_id: int) -> DigestSettings | None:
    """The server's digest settings (defaults if never changed), None for unknown servers."""
    row = await db.fetch_one(_SETTINGS_SELECT + "WHERE g.guild_id = ?", (guild_id,))
    return None if row is None else _settings(row)


async def active_settings(db: Database, shards: Shards = WHOLE) -> list[DigestSettings]:
    """Every server of `shards` whose digest should be scheduled (start-up and resync)."""
    mine, shard_params = shards.where("g.guild_id")
    rows = await db.fetch_all(
        _SETTINGS_SELECT + "WHERE g.setup_completed_at IS NOT NULL AND g.left_at IS NULL "
        f"AND g.digest_channel_id IS NOT NULL AND COALESCE(d.enabled, 1) = 1 AND {mine}",
        shard_params,
    )
    return [_settings(row) for row in rows]


async def ensure_defaults(db: Database, now: int, shards: Shards = WHOLE) -> int:
    """Give every set-up server of `shards` with a digest channel a settings row.

    Choosing a digest channel at /setup is how a server asks for digests; the row makes
    the schedule explicit from then on (and `schedule_since` stops a catch-up of a
    period that was due before the server asked).
    """
    mine, shard_params = shards.where()
    return await db.execute(
        "INSERT INTO digest_settings (guild_id, schedule_since, created_at, updated_at) "
        "SELECT guild_id, ?, ?, ? FROM guild_settings WHERE setup_completed_at IS NOT NULL "
        f"AND digest_channel_id IS NOT NULL AND left_at IS NULL AND {mine} "
        "ON CONFLICT (guild_id) DO NOTHING",
        (now, now, now, *shard_params),
    )


async def save_settings(
    db: Database,
    guild_id: int,
    now: int,
    *,
    enabled: bool,
    daily: bool,
    weekly: bool,
    weekday: int,
    send_hour: int,
    send_minute: int,
    timezone: str | None,
    hidden_sections: frozenset[str],
    reschedule: bool,
) -> None:
    """Store a server's digest settings in one statement.

    `reschedule` (time, zone, days or switching on changed) moves `schedule_since` to now,
    so an occurrence due before the change is never sent late as a "missed" digest.
    """
    await db.execute(
        "INSERT INTO digest_settings (guild_id, enabled, daily, weekly, weekday, send_hour, "
        "send_minute, timezone, hidden_sections, schedule_since, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "enabled = excluded.enabled, daily = excluded.daily, weekly = excluded.weekly, "
        "weekday = excluded.weekday, send_hour = excluded.send_hour, "
        "send_minute = excluded.send_minute, timezone = excluded.timezone, "
        "hidden_sections = excluded.hidden_sections, "
        # `? = 1`, not `?`: PostgreSQL takes no integer as a condition.
        "schedule_since = CASE WHEN ? = 1 THEN excluded.schedule_since "
        "ELSE digest_settings.schedule_since END, updated_at = excluded.updated_at",
        (
            guild_id,
            int(enabled),
            int(daily),
            int(weekly),
            weekday,
            send_hour,
            send_minute,
            timezone,
            json.dumps(sorted(hidden_sections)),
            now,
            now,
            now,
            int(reschedule),
        ),
    )


async def set_hidden_sections(
    db: Database, guild_id: int, hidden: frozenset[str], now: int
) -> None:
    await db.execute(
        "INSERT INTO digest_settings (guild_id, hidden_sections, schedule_since, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "hidden_sections = excluded.hidden_sections, updated_at = excluded.updated_at",
        (guild_id, json.dumps(sorted(hidden)), now, now, now),
    )
