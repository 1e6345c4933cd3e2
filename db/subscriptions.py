"""Alert subscriptions, the alert-DM log behind the hourly cap, and fallback threads."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from db.connection import Database


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int
    user_id: int
    platform: str | None
    min_hourly_cents: int | None
    min_reward_cents: int | None
    currency: str | None
    keywords: tuple[str, ...]
    requester: str | None
    no_warned: bool
    locale: str
    created_at: int


@dataclass(frozen=True, slots=True)
class AlertThread:
    """Where a member with closed DMs gets their alerts in one server."""

    guild_id: int
    user_id: int
    parent_id: int
    thread_id: int
    created_at: int


@dataclass(frozen=True, slots=True)
class NewSubscription:
    """The validated filters of a subscription about to be stored."""

    platform: str | None
    min_hourly_cents: int | None
    min_reward_cents: int | None
    currency: str | None
    keywords: tuple[str, ...]
    requester: str | None
    no_warned: bool
    locale: str
    signature: str


@lru_cache(maxsize=4096)
def _keywords(text: str | None) -> tuple[str, ...]:
    """Parsed once per distinct keyword list: most subscriptions share a few (or none)."""
    return tuple(json.loads(text or "[]"))


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        platform=row["platform"] or None,
        min_hourly_cents=row["min_hourly_cents"],
        min_reward_cents=row["min_reward_cents"],
        currency=row["currency"],
        keywords=_keywords(row["keywords"]),
        requester=row["requester"],
        no_warned=bool(row["no_warned"]),
        locale=row["locale"],
        created_at=row["created_at"],
    )


# -- a member's subscriptions ---------------------------------------------------------------


async def add(
    db: Database, guild_id: int, user_id: int, new: NewSubscription, now: int, *, limit: int
) -> Subscription | Literal["duplicate", "limit"]:
    """Store a subscription unless the member already has `limit` or this exact one.

    The count check and the insert are one statement, so two quick clicks cannot
    take a member past the limit.
    """
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
            "platform": new.platform or "",
            "hourly": new.min_hourly_cents,
            "reward": new.min_reward_cents,
            "currency": new.currency,
            "keywords": json.dumps(list(new.keywords), ensure_ascii=False),
            "requester": new.requester,
            "no_warned": int(new.no_warned),
            "locale": new.locale,
            "signature": new.signature,
            "now": now,
            "limit": limit,
        },
    )
    if row is not None:
        return _subscription(row)
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
    return [_subscription(row) for row in rows]


async def get(db: Database, subscription_id: int) -> Subscription | None:
    row = await db.fetch_one("SELECT * FROM alert_subscriptions WHERE id = ?", (subscription_id,))
    return None if row is None else _subscription(row)


async def remove(
    db: Database, user_id: int, subscription_id: int, *, guild_id: int | None = None
) -> Subscription | None:
    """Delete one of this member's subscriptions; None if it is not theirs (or gone).

    With `guild_id`, only one of that server's (a list's button in that server).
    """
    row = await db.fetch_one(
        "DELETE FROM alert_subscriptions WHERE id = ? AND user_id = ? "
        "AND (? IS NULL OR guild_id = ?) RETURNING *",
        (subscription_id, user_id, guild_id, guild_id),
    )
    return None if row is None else _subscription(row)


async def remove_all(db: Database, guild_id: int, user_id: int) -> int:
    return await db.execute(
        "DELETE FROM alert_subscriptions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )


async def member_ids(db: Database, guild_id: int) -> set[int]:
    """Members alerts keep something for in one server (subscriptions, fallback threads)."""
    rows = await db.fetch_all(
        "SELECT DISTINCT user_id FROM alert_subscriptions WHERE guild_id = ? "
        "UNION SELECT user_id FROM alert_threads WHERE guild_id = ?",
        (guild_id, guild_id),
    )
    return {int(r[0]) for r in rows}


async def forget_member(db: Database, guild_id: int, user_id: int) -> int:
    """Everything alerts keep about a member in one server (they left it)."""
    return await forget_members(db, guild_id, [user_id])


async def forget_members(db: Database, guild_id: int, user_ids: list[int]) -> int:
    """`forget_member` for several members at once, in one transaction.

    Returns how many subscriptions were removed.
    """
    if not user_ids:
        return 0
    people = json.dumps(sorted(set(user_ids)))
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "DELETE FROM alert_subscriptions WHERE guild_id = ? "
            "AND user_id IN (SELECT value FROM json_each(?))",
            (guild_id, people),
        )
        removed = cursor.rowcount
        for table in ("alert_dm_log", "alert_threads"):
            await tx.execute(
                f"DELETE FROM {table} WHERE guild_id = ? "
                "AND user_id IN (SELECT value FROM json_each(?))",
                (guild_id, people),
            )
    return removed


# -- the fan-out ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """What the fan-out query needs to know about a posted alert.

    Text values are already folded (case, accents, punctuation) the way subscriptions
    store their keywords and requester, so SQL can compare them as plain strings.
    """

    guild_id: int
    platform: str
    sharer_id: int | None
    warned: bool
    currency: str
    reward_cents: int
    hourly_cents: int | None
    text: str = ""  # folded title and notes
    requester_name: str = ""  # folded
    requester_platform_id: str = ""  # folded


async def candidates(db: Database, query: AlertQuery) -> list[Subscription]:
    """The server's subscriptions the alert matches, at most one per member (their first).

    Every filter is applied here (the platform and server through the index), so the few
    thousand subscriptions of a busy server never cross into Python; keywords and the
    requester use the same word-start rule as `cogs.alerts.rules`, which re-checks each
    row, and eligibility is left to it. Keywords match where ` term` occurs in
    ` folded text`, i.e. at the start of a word.
    """
    rows = await db.fetch_all(
        "SELECT min(id) AS id, guild_id, user_id, platform, min_hourly_cents, "
        "min_reward_cents, currency, keywords, requester, no_warned, locale, created_at "
        "FROM alert_subscriptions "
        "WHERE guild_id = :guild AND platform IN ('', :platform) "
        "AND user_id IS NOT :sharer "
        "AND (:warned = 0 OR no_warned = 0) "
        "AND (min_reward_cents IS NULL OR (currency = :currency "
        "     AND min_reward_cents <= :reward)) "
        "AND (min_hourly_cents IS NULL OR (currency = :currency "
        "     AND min_hourly_cents <= :hourly)) "
        "AND (requester IS NULL OR requester = :requester_id "
        "     OR instr(:requester_name, ' ' || requester) > 0) "
        "AND (keywords = '[]' OR NOT EXISTS (SELECT 1 FROM json_each(keywords) AS k "
        "     WHERE instr(:text, ' ' || k.value) = 0)) "
        # `+user_id`: group with a temporary b-tree rather than walk the member index,
        # so the planner picks the (guild, platform) index for the WHERE clause.
        "GROUP BY +user_id",
        {
            "guild": query.guild_id,
            "platform": query.platform,
            "sharer": query.sharer_id,
            "warned": int(query.warned),
            "currency": query.currency,
            "reward": query.reward_cents,
            "hourly": query.hourly_cents if query.hourly_cents is not None else -1,
            "requester_id": query.requester_platform_id,
            "requester_name": " " + query.requester_name if query.requester_name else "",
            "text": " " + query.text,
        },
    )
    return [_subscription(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Match:
    """A member the alert may be sent to, with what the fan-out needs about them.

    The member's profile (language, country, qualifications) comes from the same query,
    so a fan-out needs no second read per candidate.
    """

    subscription_id: int
    user_id: int
    locale: str  # the subscription's (the language it was made in)
    member_locale: str | None  # the member's own choice, which wins
    country: str | None
    qualifications: frozenset[str]
    #: The whole subscription, read by the same query when the caller did not already
    #: know it (see `matches(known=...)`): a cache miss costs no second round trip.
    subscription: Subscription | None = None


#: Rows turned into `Match`es between two yields to the event loop.
_ROWS_PER_YIELD = 512


@lru_cache(maxsize=4096)
def _qualifications(text: str | None) -> frozenset[str]:
    """Parsed once per distinct profile text: most members share a handful of them."""
    return frozenset(json.loads(text or "[]"))


async def matches(
    db: Database,
    query: AlertQuery,
    alert_id: int,
    *,
    since: int,
    cap: int,
    known: Container[int] = (),
) -> list[Match]:
    """`candidates`, minus members already at `cap` or already told, with their profile.

    The cap and "already told" are checked again atomically by `admit`; here they only
    keep members who cannot be sent anything out of Python, which in a burst of alerts
    is most of them. Every match whose id is not in `known` (the caller's cache) carries
    its whole `Subscription`, read by this same statement.
    """
    rows = await db.fetch_all(
        "SELECT min(s.id) AS id, s.guild_id AS guild_id, s.user_id AS user_id, "
        "s.platform AS platform, s.min_hourly_cents AS min_hourly_cents, "
        "s.min_reward_cents AS min_reward_cents, s.currency AS currency, "
        "s.keywords AS keywords, s.requester AS requester, s.no_warned AS no_warned, "
        "s.locale AS locale, s.created_at AS created_at, "
        "m.locale AS member_locale, m.country AS country, m.qualifications AS quals "
        "FROM alert_subscriptions AS s LEFT JOIN members AS m ON m.user_id = s.user_id "
        "WHERE s.guild_id = :guild AND s.platform IN ('', :platform) "
        "AND s.user_id IS NOT :sharer "
        "AND (:warned = 0 OR s.no_warned = 0) "
        "AND (s.min_reward_cents IS NULL OR (s.currency = :currency "
        "     AND s.min_reward_cents <= :reward)) "
        "AND (s.min_hourly_cents IS NULL OR (s.currency = :currency "
        "     AND s.min_hourly_cents <= :hourly)) "
        "AND (s.requester IS NULL OR s.requester = :requester_id "
        "     OR instr(:requester_name, ' ' || s.requester) > 0) "
        "AND (s.keywords = '[]' OR NOT EXISTS (SELECT 1 FROM json_each(s.keywords) AS k "
        "     WHERE instr(:text, ' ' || k.value) = 0)) "
        "AND (SELECT count(*) FROM alert_dm_log AS l WHERE l.guild_id = :guild "
        "     AND l.user_id = s.user_id AND l.sent_at > :since) < :cap "
        "AND NOT EXISTS (SELECT 1 FROM alert_dm_log AS d WHERE d.guild_id = :guild "
        "     AND d.user_id = s.user_id AND d.alert_id = :alert) "
        "GROUP BY +s.user_id",
        {
            "guild": query.guild_id,
            "platform": query.platform,
            "sharer": query.sharer_id,
            "warned": int(query.warned),
            "currency": query.currency,
            "reward": query.reward_cents,
            "hourly": query.hourly_cents if query.hourly_cents is not None else -1,
            "requester_id": query.requester_platform_id,
            "requester_name": " " + query.requester_name if query.requester_name else "",
            "text": " " + query.text,
            "since": since,
            "cap": cap,
            "alert": alert_id,
        },
    )
    found: list[Match] = []
    for start in range(0, len(rows), _ROWS_PER_YIELD):
        found.extend(
            Match(
                row["id"],
                row["user_id"],
                row["locale"],
                row["member_locale"],
                row["country"],
                _qualifications(row["quals"]),
                None if row["id"] in known else _subscription(row),
            )
            for row in rows[start : start + _ROWS_PER_YIELD]
        )
        if start + _ROWS_PER_YIELD < len(rows):
            await asyncio.sleep(0)  # a big server's candidates must not stall the loop
    return found


async def by_ids(db: Database, subscription_ids: list[int]) -> list[Subscription]:
    """Several subscriptions at once (the fan-out's cache fills its gaps with this)."""
    if not subscription_ids:
        return []
    rows = await db.fetch_all(
        "SELECT * FROM alert_subscriptions WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(subscription_ids),),
    )
    return [_subscription(row) for row in rows]


async def admit(
    db: Database,
    guild_id: int,
    alert_id: int,
    user_ids: list[int],
    *,
    now: int,
    since: int,
    cap: int,
) -> set[int]:
    """Reserve an alert DM for each member still under `cap` sends after `since`.

    One statement for the whole batch: the count and the reservation cannot be split by
    another alert's fan-out, a member already told about this alert is skipped (primary
    key), and the reservation is made before sending so a restart never sends twice.
    """
    if not user_ids or cap <= 0:
        return set()
    rows = await db.fetch_all(
        "INSERT INTO alert_dm_log (guild_id, user_id, alert_id, sent_at) "
        "SELECT :guild, c.value, :alert, :now FROM json_each(:users) AS c "
        "WHERE (SELECT count(*) FROM alert_dm_log AS l WHERE l.guild_id = :guild "
        "       AND l.user_id = c.value AND l.sent_at > :since) < :cap "
        "ON CONFLICT DO NOTHING RETURNING user_id",
        {
            "guild": guild_id,
            "alert": alert_id,
            "now": now,
            "users": json.dumps(user_ids),
            "since": since,
            "cap": cap,
        },
    )
    return {row["user_id"] for row in rows}


async def release_many(db: Database, reservations: list[tuple[int, int, int]]) -> int:
    """Give back several (guild, member, alert) reservations at once: DMs never sent."""
    if not reservations:
        return 0
    return await db.execute(
        "DELETE FROM alert_dm_log WHERE (guild_id, user_id, alert_id) IN "
        "(SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))",
        (json.dumps(reservations),),
    )


async def release(db: Database, guild_id: int, user_id: int, alert_id: int) -> None:
    """Give back a reservation whose message could not be delivered at all."""
    await db.execute(
        "DELETE FROM alert_dm_log WHERE guild_id = ? AND user_id = ? AND alert_id = ?",
        (guild_id, user_id, alert_id),
    )


async def sent_times(db: Database, guild_id: int, user_id: int, since: int) -> list[int]:
    """When this member was sent alert DMs after `since` (for "3 of 10 this hour")."""
    rows = await db.fetch_all(
        "SELECT sent_at FROM alert_dm_log WHERE guild_id = ? AND user_id = ? AND sent_at > ? "
        "ORDER BY sent_at",
        (guild_id, user_id, since),
    )
    return [row["sent_at"] for row in rows]


async def prune_log(db: Database, before: int) -> int:
    """Drop log rows too old to count against any cap."""
    return await db.execute("DELETE FROM alert_dm_log WHERE sent_at < ?", (before,))


# -- fallback threads ----------------------------------------------------------------------


async def get_thread(db: Database, guild_id: int, user_id: int) -> AlertThread | None:
    row = await db.fetch_one(
        "SELECT * FROM alert_threads WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    if row is None:
        return None
    return AlertThread(
        row["guild_id"], row["user_id"], row["parent_id"], row["thread_id"], row["created_at"]
    )


async def set_thread(
    db: Database, guild_id: int, user_id: int, *, parent_id: int, thread_id: int, now: int
) -> None:
    await db.execute(
        "INSERT INTO alert_threads (guild_id, user_id, parent_id, thread_id, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
        "parent_id = excluded.parent_id, thread_id = excluded.thread_id, "
        "created_at = excluded.created_at",
        (guild_id, user_id, parent_id, thread_id, now),
    )


async def drop_thread(db: Database, guild_id: int, user_id: int, thread_id: int) -> None:
    await db.execute(
        "DELETE FROM alert_threads WHERE guild_id = ? AND user_id = ? AND thread_id = ?",
        (guild_id, user_id, thread_id),
    )


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


# -- privacy -------------------------------------------------------------------------------


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    """Everything alerts keep about one member, in every server."""
    subs = await db.fetch_all(
        "SELECT * FROM alert_subscriptions WHERE user_id = ? ORDER BY guild_id, id", (user_id,)
    )
    log = await db.fetch_all(
        "SELECT guild_id, alert_id, sent_at FROM alert_dm_log WHERE user_id = ? ORDER BY sent_at",
        (user_id,),
    )
    threads = await db.fetch_all(
        "SELECT guild_id, parent_id, thread_id, created_at FROM alert_threads "
        "WHERE user_id = ? ORDER BY guild_id",
        (user_id,),
    )
    return {
        "subscriptions": [
            {
                "server_id": s.guild_id,
                "platform": s.platform,
                "min_hourly_cents": s.min_hourly_cents,
                "min_reward_cents": s.min_reward_cents,
                "currency": s.currency,
                "keywords": list(s.keywords),
                "requester": s.requester,
                "no_warned_tasks": s.no_warned,
                "language": s.locale,
                "created_at": s.created_at,
            }
            for s in map(_subscription, subs)
        ],
        "alert_messages_sent": [dict(row) for row in log],
        "fallback_threads": [dict(row) for row in threads],
    }


async def erase_member(db: Database, user_id: int) -> int:
    """Delete every subscription, send record and thread reference of one member."""
    async with db.transaction() as tx:
        total = 0
        for table in ("alert_subscriptions", "alert_dm_log", "alert_threads"):
            cursor = await tx.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            total += cursor.rowcount
    return total
