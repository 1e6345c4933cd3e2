"""Opt-in notification roles: which Discord roles an alert may mention, and which it did.

Which it did twice over: the claim of each (alert, role) ping, kept a week so no event
pings twice, and the message that carried the mention, kept until the alert is removed
so its removal can take the mention (which quotes the title) down too.

Every statement is scoped by the server (`guild_id`), so one server's command can never
touch another's roles. Nothing here names a member: who holds a role is Discord's
business, and who registered it is in the audit log.
"""

from __future__ import annotations

import sqlite3
import weakref
from dataclasses import dataclass
from typing import Literal

from db import caches
from db.alert_filters import AlertFilters, filter_columns, filter_params
from db.connection import Database
from db.cross_process import serialised
from db.models import from_row

#: The validated filters of a role about to be registered.
RoleFilters = AlertFilters


@dataclass(frozen=True, slots=True)
class MentionMessage:
    """A message the bot posted to mention an alert's roles (one may name several)."""

    guild_id: int
    alert_id: int
    channel_id: int
    message_id: int
    sent_at: int


@dataclass(frozen=True, slots=True)
class NotifyRole(AlertFilters):
    """A role registered by a moderator, with the alert filters that make it ping."""

    guild_id: int
    role_id: int
    created_at: int


# Every new alert reads its server's roles (`for_guild`), but they change only through a
# moderator's command. Every write to notify_roles goes through this module and calls
# `_invalidate` before and `caches.changed` after writing, so other processes on the same
# store forget their copy too and the cache cannot go stale behind our back (the same
# reasoning as `db.guilds`'s settings cache). A read that was in
# flight across a write is not kept: the write bumps the generation it started from.
_cache: weakref.WeakKeyDictionary[Database, dict[int, tuple[NotifyRole, ...]]] = (
    weakref.WeakKeyDictionary()
)
_generation: weakref.WeakKeyDictionary[Database, int] = weakref.WeakKeyDictionary()
#: Concurrent misses of one server share one read (every alert of a burst asks).
_loading: weakref.WeakKeyDictionary[Database, caches.SingleFlight] = weakref.WeakKeyDictionary()


#: The name other processes know this cache by (`db.caches`).
CACHE = "notify_roles"


def _invalidate(db: Database, guild_id: int | None) -> None:
    _generation[db] = _generation.get(db, 0) + 1
    if guild_id is None:
        _cache.pop(db, None)
    else:
        _cache.get(db, {}).pop(guild_id, None)


caches.register(CACHE, _invalidate)


def _role(row: sqlite3.Row) -> NotifyRole:
    return from_row(NotifyRole, row, **filter_columns(row))


async def add(
    db: Database, guild_id: int, role_id: int, filters: RoleFilters, now: int, *, limit: int
) -> NotifyRole | Literal["duplicate", "limit"]:
    """Register a role unless it already is, or the server has `limit` roles already.

    The count check and the insert are one statement, so two quick commands cannot take
    a server past the limit; on PostgreSQL it runs under the server's lock, so neither
    can two processes (`db.cross_process`).
    """
    _invalidate(db, guild_id)
    # Another process may be registering one for the same server: count under its lock.
    async with serialised(db, [f"notify_roles:{guild_id}"]):
        row = await db.fetch_one(
            "INSERT INTO notify_roles (guild_id, role_id, platform, min_hourly_cents, "
            "min_reward_cents, currency, keywords, requester, no_warned, created_at) "
            "SELECT :guild, :role, :platform, :hourly, :reward, :currency, :keywords, :requester, "
            ":no_warned, :now "
            "WHERE (SELECT count(*) FROM notify_roles WHERE guild_id = :guild) < :limit "
            "ON CONFLICT (guild_id, role_id) DO NOTHING RETURNING *",
            {
                "guild": guild_id,
                "role": role_id,
                **filter_params(filters),
                "now": now,
                "limit": limit,
            },
        )
    if row is not None:
        caches.changed(db, CACHE, guild_id)
        return _role(row)
    exists = await get(db, guild_id, role_id)
    return "duplicate" if exists is not None else "limit"


async def get(db: Database, guild_id: int, role_id: int) -> NotifyRole | None:
    """A server's registration of a role (None for another server's role)."""
    row = await db.fetch_one(
        "SELECT * FROM notify_roles WHERE guild_id = ? AND role_id = ?", (guild_id, role_id)
    )
    return None if row is None else _role(row)


async def for_guild(db: Database, guild_id: int) -> list[NotifyRole]:
    """A server's registered roles, oldest first (cached: read on every new alert)."""
    cached = _cache.get(db, {}).get(guild_id)
    if cached is not None:
        return list(cached)

    async def load() -> tuple[NotifyRole, ...]:
        generation = _generation.get(db, 0)
        rows = await db.fetch_all(
            "SELECT * FROM notify_roles WHERE guild_id = ? ORDER BY created_at, role_id",
            (guild_id,),
        )
        found = tuple(_role(row) for row in rows)
        if _generation.get(db, 0) == generation:
            _cache.setdefault(db, {})[guild_id] = found
        return found

    flights = _loading.get(db)
    if flights is None:
        flights = _loading[db] = caches.SingleFlight()
    return list(await flights.run(guild_id, load))


async def remove(db: Database, guild_id: int, role_id: int) -> NotifyRole | None:
    """Unregister a role of this server; None if it was not registered here."""
    _invalidate(db, guild_id)
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "DELETE FROM notify_roles WHERE guild_id = ? AND role_id = ? RETURNING *",
            (guild_id, role_id),
        )
        row = await cursor.fetchone()
        await cursor.close()
        await tx.execute(
            "DELETE FROM notify_role_pings WHERE guild_id = ? AND role_id = ?",
            (guild_id, role_id),
        )
    caches.changed(db, CACHE, guild_id)
    return None if row is None else _role(row)


async def purge_guild(db: Database, guild_id: int) -> int:
    """Forget every role of a server whose configuration is purged; returns roles removed."""
    _invalidate(db, guild_id)
    async with db.transaction() as tx:
        cursor = await tx.execute("DELETE FROM notify_roles WHERE guild_id = ?", (guild_id,))
        removed = cursor.rowcount
        await cursor.close()
        await tx.execute("DELETE FROM notify_role_pings WHERE guild_id = ?", (guild_id,))
        await tx.execute("DELETE FROM notify_role_messages WHERE guild_id = ?", (guild_id,))
    caches.changed(db, CACHE, guild_id)
    return removed


# -- one ping per alert and role ------------------------------------------------------------


async def claim(db: Database, guild_id: int, alert_id: int, role_id: int, now: int) -> bool:
    """Reserve the one mention of `role_id` for this alert; False if already claimed.

    Claimed before sending, in one statement, so two deliveries of the same event (or a
    restart in between) cannot both ping.
    """
    row = await db.fetch_one(
        "INSERT INTO notify_role_pings (guild_id, alert_id, role_id, sent_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING role_id",
        (guild_id, alert_id, role_id, now),
    )
    return row is not None


async def release(db: Database, guild_id: int, alert_id: int, role_id: int) -> None:
    """Give a claim back when the mention could not be sent, so a retry may send it."""
    await db.execute(
        "DELETE FROM notify_role_pings WHERE guild_id = ? AND alert_id = ? AND role_id = ?",
        (guild_id, alert_id, role_id),
    )


async def pinged(db: Database, guild_id: int, alert_id: int) -> list[int]:
    """The roles already mentioned for an alert (a mention redrawn names them again)."""
    rows = await db.fetch_all(
        "SELECT role_id FROM notify_role_pings WHERE guild_id = ? AND alert_id = ? "
        "ORDER BY role_id",
        (guild_id, alert_id),
    )
    return [int(row["role_id"]) for row in rows]


async def prune_pings(db: Database, before: int) -> int:
    """Forget mention records older than `before` (epoch seconds)."""
    return await db.execute("DELETE FROM notify_role_pings WHERE sent_at < ?", (before,))


# -- the messages that carried the mentions -------------------------------------------------
#
# Not pruned with the claims: an alert can be removed long after it ended, and its mention
# must go with it. A row goes when its message is taken down, or with the server's
# configuration; a role unregistered (or deleted in Discord) leaves the message in the
# channel, so its row stays too.


async def record_message(
    db: Database, guild_id: int, alert_id: int, *, channel_id: int, message_id: int, now: int
) -> None:
    """Remember the message that mentioned an alert's roles, for the alert's removal."""
    await db.execute(
        "INSERT INTO notify_role_messages (guild_id, alert_id, channel_id, message_id, sent_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (guild_id, alert_id, channel_id, message_id, now),
    )


async def messages_for(db: Database, guild_id: int, alert_id: int) -> list[MentionMessage]:
    """The mention messages still recorded for an alert of this server, oldest first."""
    rows = await db.fetch_all(
        "SELECT * FROM notify_role_messages WHERE guild_id = ? AND alert_id = ? "
        "ORDER BY sent_at, message_id",
        (guild_id, alert_id),
    )
    return [from_row(MentionMessage, row) for row in rows]


async def forget_message(db: Database, guild_id: int, alert_id: int, message_id: int) -> None:
    """A mention message was taken down (or was already gone): nothing left to find."""
    await db.execute(
        "DELETE FROM notify_role_messages WHERE guild_id = ? AND alert_id = ? AND message_id = ?",
        (guild_id, alert_id, message_id),
    )
