"""A member's alert subscriptions: the rows, and adding, listing and removing them.

Also the requester names offered while a member types a subscription's requester.
`subscription_of` turns a row into a `Subscription` for the other modules here.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Literal

from db.alert_filters import AlertFilters, filter_columns, filter_params
from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql


@dataclass(frozen=True, slots=True)
class Subscription(AlertFilters):
    id: int
    guild_id: int
    user_id: int
    locale: str
    created_at: int


@dataclass(frozen=True, slots=True)
class NewSubscription(AlertFilters):
    """The validated filters of a subscription about to be stored."""

    locale: str
    signature: str


def subscription_of(row: sqlite3.Row) -> Subscription:
    # Spelled out rather than `db.models.from_row`: the fan-out maps every candidate row.
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        locale=row["locale"],
        created_at=row["created_at"],
        **filter_columns(row),
    )


# -- a member's subscriptions ---------------------------------------------------------------


async def add(
    db: Database, guild_id: int, user_id: int, new: NewSubscription, now: int, *, limit: int
) -> Subscription | Literal["duplicate", "limit"]:
    """Store a subscription unless the member already has `limit` or this exact one.

    The count check and the insert are one statement, so two quick clicks cannot
    take a member past the limit; on PostgreSQL it runs under the member's lock, so
    neither can two processes (`db.cross_process`).
    """
    # Another process may be adding one for the same member: count under their lock.
    async with serialised(db, [f"subscriptions:{guild_id}:{user_id}"]):
        row = await db.fetch_one(
            "INSERT INTO alert_subscriptions (guild_id, user_id, platform, min_hourly_cents, "
            "min_reward_cents, currency, keywords, requester, no_warned, locale, signature, "
            "created_at) "
            "SELECT :guild, :user, :platform, :hourly, :reward, :currency, :keywords, :requester, "
            ":no_warned, :locale, :signature, :now "
            "WHERE (SELECT count(*) FROM alert_subscriptions "
            "       WHERE guild_id = :guild AND user_id = :user) < :limit "
            "ON CONFLICT (guild_id, user_id, signature) DO NOTHING RETURNING *",
            {
                "guild": guild_id,
                "user": user_id,
                **filter_params(new),
                "locale": new.locale,
                "signature": new.signature,
                "now": now,
                "limit": limit,
            },
        )
    if row is not None:
        return subscription_of(row)
    exists = await db.fetch_value(
        "SELECT 1 FROM alert_subscriptions WHERE guild_id = ? AND user_id = ? AND signature = ?",
        (guild_id, user_id, new.signature),
    )
    return "duplicate" if exists else "limit"


async def for_member(db: Database, guild_id: int, user_id: int) -> list[Subscription]:
    """A member's subscriptions in one server, oldest first (the order they are numbered)."""
    rows = await db.fetch_all(
        "SELECT * FROM alert_subscriptions WHERE guild_id = ? AND user_id = ? ORDER BY id",
        (guild_id, user_id),
    )
    return [subscription_of(row) for row in rows]


async def get(db: Database, subscription_id: int) -> Subscription | None:
    row = await db.fetch_one("SELECT * FROM alert_subscriptions WHERE id = ?", (subscription_id,))
    return None if row is None else subscription_of(row)


async def remove(
    db: Database, user_id: int, subscription_id: int, *, guild_id: int | None = None
) -> Subscription | None:
    """Delete one of this member's subscriptions; None if it is not theirs (or gone).

    With `guild_id`, only one of that server's (a list's button in that server).
    """
    row = await db.fetch_one(
        Sql(
            "DELETE FROM alert_subscriptions WHERE id = ? AND user_id = ? "
            "AND (? IS NULL OR guild_id = ?) RETURNING *",
            postgresql="DELETE FROM alert_subscriptions WHERE id = ? AND user_id = ? "
            "AND (?::bigint IS NULL OR guild_id = ?) RETURNING *",
        ),
        (subscription_id, user_id, guild_id, guild_id),
    )
    return None if row is None else subscription_of(row)


async def remove_all(db: Database, guild_id: int, user_id: int) -> int:
    return await db.execute(
        "DELETE FROM alert_subscriptions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )


async def by_ids(db: Database, subscription_ids: list[int]) -> list[Subscription]:
    """Several subscriptions at once (the fan-out's cache fills its gaps with this)."""
    if not subscription_ids:
        return []
    rows = await db.fetch_all(
        Sql(
            "SELECT * FROM alert_subscriptions WHERE id IN (SELECT value FROM json_each(?))",
            postgresql="SELECT * FROM alert_subscriptions WHERE id IN "
            "(SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))",
        ),
        (json.dumps(subscription_ids),),
    )
    return [subscription_of(row) for row in rows]


# -- requester suggestions (autocomplete) ---------------------------------------------------


async def requester_suggestions(db: Database, prefix: str, limit: int = 25) -> list[sqlite3.Row]:
    """Known requesters whose name starts with `prefix` (already case-folded), by name.

    A range on `name_key` rather than LIKE, so the index answers it.
    """
    if prefix:
        rows = await db.fetch_all(
            "SELECT name, platform, platform_requester_id FROM requesters "
            "WHERE name_key >= ? AND name_key < ? AND merged_into_id IS NULL AND listed = 1 "
            "ORDER BY name_key LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        )
    else:
        rows = await db.fetch_all(
            "SELECT name, platform, platform_requester_id FROM requesters "
            "WHERE merged_into_id IS NULL AND listed = 1 ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
    return list(rows)
