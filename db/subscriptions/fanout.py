"""The fan-out's queries: which of a server's subscriptions a posted alert matches.

Every filter is applied in SQL (`_filtered`, shared by both queries), so the thousands of
subscriptions of a busy server never cross into Python; `cogs.alerts.rules` re-checks
each row it gets. `matches` is what the fan-out runs; `candidates` is the same match
without the hourly cap or the member's profile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.subscriptions.records import Subscription, subscription_of


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


_FILTER = (
    "WHERE {s}guild_id = :guild AND {s}platform IN ('', :platform) "
    "AND {s}user_id {differs} :sharer "
    "AND (:warned = 0 OR {s}no_warned = 0) "
    "AND ({s}min_reward_cents IS NULL OR ({s}currency = :currency "
    "     AND {s}min_reward_cents <= :reward)) "
    "AND ({s}min_hourly_cents IS NULL OR ({s}currency = :currency "
    "     AND {s}min_hourly_cents <= :hourly)) "
    "AND ({s}requester IS NULL OR {s}requester = :requester_id "
    "     OR {instr}(:requester_name, ' ' || {s}requester) > 0) "
    "AND ({s}keywords = '[]' OR NOT EXISTS (SELECT 1 FROM {keywords} AS k "
    "     WHERE {instr}(:text, ' ' || k.value) = 0)) "
)


def _filtered(s: str) -> Sql:
    """The WHERE clause every subscription filter adds, on columns prefixed by `s`.

    `s` is "" or a table alias with its dot ("s."). Keywords and the requester use the
    same word-start rule as `cogs.alerts.rules`: ` term` occurs in ` folded text`.
    PostgreSQL spells SQLite's null-safe `IS NOT`, `instr` and `json_each` its own way.
    """
    return Sql(
        _FILTER.format(s=s, differs="IS NOT", instr="instr", keywords=f"json_each({s}keywords)"),
        postgresql=_FILTER.format(
            s=s,
            differs="IS DISTINCT FROM",
            instr="strpos",
            keywords=f"jsonb_array_elements_text({s}keywords::jsonb)",
        ),
    )


def _parameters(query: AlertQuery) -> dict[str, Any]:
    """The named parameters `_filtered` reads."""
    return {
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
    }


_CANDIDATE_COLUMNS = (
    "guild_id, user_id, platform, min_hourly_cents, min_reward_cents, currency, keywords, "
    "requester, no_warned, locale, created_at "
)
# One row per member, their first subscription. SQLite takes bare columns from the row of
# min(id) (`+user_id`: group with a temporary b-tree rather than walk the member index, so
# the planner picks the (guild, platform) index for the WHERE clause); PostgreSQL refuses
# bare columns and says the same with DISTINCT ON.
_CANDIDATES = (
    Sql(
        "SELECT min(id) AS id, " + _CANDIDATE_COLUMNS,
        postgresql="SELECT DISTINCT ON (user_id) id, " + _CANDIDATE_COLUMNS,
    )
    + "FROM alert_subscriptions "
    + _filtered("")
    + Sql("GROUP BY +user_id", postgresql="ORDER BY user_id, id")
)


async def candidates(db: Database, query: AlertQuery) -> list[Subscription]:
    """The server's subscriptions the alert matches, at most one per member (their first).

    Every filter is applied here (the platform and server through the index); the
    requester and keywords are re-checked by `cogs.alerts.rules`, and eligibility is
    left to it.
    """
    rows = await db.fetch_all(_CANDIDATES, _parameters(query))
    return [subscription_of(row) for row in rows]


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
_ROWS_PER_YIELD = 256


@lru_cache(maxsize=4096)
def _qualifications(text: str | None) -> frozenset[str]:
    """Parsed once per distinct profile text: most members share a handful of them."""
    return frozenset(json.loads(text or "[]"))


_MATCH_COLUMNS = (
    "s.guild_id AS guild_id, s.user_id AS user_id, "
    "s.platform AS platform, s.min_hourly_cents AS min_hourly_cents, "
    "s.min_reward_cents AS min_reward_cents, s.currency AS currency, "
    "s.keywords AS keywords, s.requester AS requester, s.no_warned AS no_warned, "
    "s.locale AS locale, s.created_at AS created_at, "
    "m.locale AS member_locale, m.country AS country, m.qualifications AS quals "
)
# As `_CANDIDATES`: each member's first matching subscription, by dialect.
_MATCHES = (
    Sql(
        "SELECT min(s.id) AS id, " + _MATCH_COLUMNS,
        postgresql="SELECT DISTINCT ON (s.user_id) s.id AS id, " + _MATCH_COLUMNS,
    )
    + "FROM alert_subscriptions AS s LEFT JOIN members AS m ON m.user_id = s.user_id "
    + _filtered("s.")
    + "AND (SELECT count(*) FROM alert_dm_log AS l WHERE l.guild_id = :guild "
    "     AND l.user_id = s.user_id AND l.sent_at > :since) < :cap "
    "AND NOT EXISTS (SELECT 1 FROM alert_dm_log AS d WHERE d.guild_id = :guild "
    "     AND d.user_id = s.user_id AND d.alert_id = :alert) "
    + Sql("GROUP BY +s.user_id", postgresql="ORDER BY s.user_id, s.id")
)
#: Positions of the columns `matches` reads in each row of `_MATCHES`.
_ID, _USER, _LOCALE, _MEMBER_LOCALE, _COUNTRY, _QUALS = 0, 2, 10, 12, 13, 14


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
        _MATCHES, _parameters(query) | {"since": since, "cap": cap, "alert": alert_id}
    )
    found: list[Match] = []
    append = found.append
    for start in range(0, len(rows), _ROWS_PER_YIELD):
        # Columns by position (the order of `_MATCHES`): a name lookup on sqlite3.Row
        # compares every column name, which is most of this loop's cost on a big server.
        for row in rows[start : start + _ROWS_PER_YIELD]:
            sub_id = row[_ID]
            append(
                Match(
                    sub_id,
                    row[_USER],
                    row[_LOCALE],
                    row[_MEMBER_LOCALE],
                    row[_COUNTRY],
                    _qualifications(row[_QUALS]),
                    None if sub_id in known else subscription_of(row),
                )
            )
        if start + _ROWS_PER_YIELD < len(rows):
            await asyncio.sleep(0)  # a big server's candidates must not stall the loop
    return found
