"""Per-server configuration."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from db import caches
from db.connection import Database
from db.models import from_row

#: The settings a moderator may change, with the column they live in.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "alerts_channel_id",
        "mod_channel_id",
        "digest_channel_id",
        "mod_role_id",
        "currency",
        "min_wage_cents",
        "fair_wage_cents",
        "timezone",
        "locale",
        "alert_expiry_minutes",
        "reports_per_day",
        "new_member_days",
        "scam_policy",
        "alert_dms_per_hour",
    }
)


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    alerts_channel_id: int | None = None
    mod_channel_id: int | None = None
    digest_channel_id: int | None = None
    mod_role_id: int | None = None
    currency: str = "USD"
    min_wage_cents: int = 725
    fair_wage_cents: int = 1000
    timezone: str = "America/Los_Angeles"
    locale: str = "en"
    alert_expiry_minutes: int = 120
    reports_per_day: int = 3
    new_member_days: int = 7
    scam_policy: str = "refuse"
    alert_dms_per_hour: int = 10
    setup_completed_at: int | None = None
    left_at: int | None = None

    @property
    def is_set_up(self) -> bool:
        return self.setup_completed_at is not None


# Settings are read on every share, click and post but change only at /setup, so they are
# kept in memory per connection. Every write to guild_settings goes through this module or
# db/guild_setup.py, and both call `invalidate` before and `caches.changed` after writing:
# other processes on the same store forget their copy too (`db.caches`), so the cache
# cannot go stale behind our back.
_cache: weakref.WeakKeyDictionary[Database, dict[int, GuildSettings]] = weakref.WeakKeyDictionary()
#: Concurrent misses of one server share one read (a burst after a restart).
_loading: weakref.WeakKeyDictionary[Database, caches.SingleFlight] = weakref.WeakKeyDictionary()
#: The name other processes know this cache by (`db.caches`).
CACHE = "guild_settings"


def invalidate(db: Database, guild_id: int | None = None) -> None:
    """Forget cached settings (of one server, or all) after writing guild_settings."""
    if guild_id is None:
        _cache.pop(db, None)
    else:
        _cache.get(db, {}).pop(guild_id, None)


caches.register(CACHE, invalidate)


def changed(db: Database, guild_id: int | None = None) -> None:
    """After a write to guild_settings: forget the settings here and in every process."""
    caches.changed(db, CACHE, guild_id)


async def get(db: Database, guild_id: int) -> GuildSettings:
    """The server's settings, or the defaults if it has never been configured."""
    cached = _cache.get(db, {}).get(guild_id)
    if cached is not None:
        return cached

    async def load() -> GuildSettings:
        row = await db.fetch_one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        found = GuildSettings(guild_id=guild_id) if row is None else from_row(GuildSettings, row)
        _cache.setdefault(db, {})[guild_id] = found
        return found

    flights = _loading.get(db)
    if flights is None:
        flights = _loading[db] = caches.SingleFlight()
    return await flights.run(guild_id, load)


async def update(db: Database, guild_id: int, now: int, **changes: object) -> GuildSettings:
    """Change some settings in one statement, creating the row if needed."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        msg = f"not editable: {sorted(unknown)}"
        raise ValueError(msg)
    columns = sorted(changes)
    insert_cols = ", ".join(["guild_id", "created_at", "updated_at", *columns])
    placeholders = ", ".join(["?"] * (3 + len(columns)))
    assignments = ", ".join([*(f"{c} = excluded.{c}" for c in columns), "updated_at = ?"])
    sql = (
        f"INSERT INTO guild_settings ({insert_cols}) VALUES ({placeholders}) "
        f"ON CONFLICT (guild_id) DO UPDATE SET {assignments} RETURNING *"
    )
    params = [guild_id, now, now, *(changes[c] for c in columns), now]
    invalidate(db, guild_id)
    row = await db.fetch_one(sql, params)
    changed(db, guild_id)
    assert row is not None
    return from_row(GuildSettings, row)


async def mark_setup_complete(db: Database, guild_id: int, now: int) -> None:
    invalidate(db, guild_id)
    await db.execute(
        "INSERT INTO guild_settings (guild_id, created_at, updated_at, setup_completed_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "setup_completed_at = COALESCE(guild_settings.setup_completed_at, "
        "excluded.setup_completed_at), "
        "updated_at = excluded.updated_at",
        (guild_id, now, now, now),
    )
    changed(db, guild_id)


async def mark_left(db: Database, guild_id: int, now: int | None) -> None:
    """Record that the bot left (now) or came back (None) to a server."""
    invalidate(db, guild_id)
    await db.execute(
        "UPDATE guild_settings SET left_at = ?, updated_at = COALESCE(?, updated_at) "
        "WHERE guild_id = ?",
        (now, now, guild_id),
    )
    changed(db, guild_id)
