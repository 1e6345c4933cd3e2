"""Alert limits from two processes on one PostgreSQL store (issue #16, checklist A18).

Each limit is a "count, then insert" that one SQLite connection makes atomic; on
PostgreSQL two processes could both pass the count. Many attempts at once, split over
two `PgDatabase` pools on one database, must leave exactly the limit: the subscriptions
per member and the hourly DMs per member (the roles per server: tests/cogs/roles).
"""

from __future__ import annotations

from cogs.alerts import rules
from db import subscriptions
from db.url import DatabaseUrl
from tests.cogs.alerts.helpers import stored
from tests.cogs.tasks.processes import at_once, two_processes

GUILD, MEMBER = 1, 42


async def test_a_members_subscription_limit_holds_across_processes(pg_url: DatabaseUrl) -> None:
    limit, attempts = 5, 40
    async with two_processes(pg_url) as (first, second):
        outcomes = await at_once(
            (first, second),
            lambda db, n: subscriptions.add(
                db, GUILD, MEMBER, stored(rules.Filters(keywords=(f"word{n}",))), 100, limit=limit
            ),
            attempts,
        )
        count = await first.fetch_value(
            "SELECT count(*) FROM alert_subscriptions WHERE guild_id = ? AND user_id = ?",
            (GUILD, MEMBER),
        )
    assert count == limit
    assert sum(not isinstance(o, str) for o in outcomes) == limit
    assert sum(o == "limit" for o in outcomes) == attempts - limit


async def test_the_hourly_dm_cap_holds_across_processes(pg_url: DatabaseUrl) -> None:
    cap, alerts, members = 3, 24, [7, 8, 9, 10]
    async with two_processes(pg_url) as (first, second):
        # Each alert lists the members in its own order: the locks must not deadlock
        # whatever order two fan-outs name the same members in.
        admitted = await at_once(
            (first, second),
            lambda db, n: subscriptions.admit(
                db, GUILD, n + 1, members[n % 4 :] + members[: n % 4], now=1000, since=0, cap=cap
            ),
            alerts,
        )
        rows = await second.fetch_all(
            "SELECT user_id, count(*) AS n FROM alert_dm_log GROUP BY user_id ORDER BY user_id"
        )
    assert {r["user_id"]: r["n"] for r in rows} == dict.fromkeys(members, cap)
    assert sum(len(a) for a in admitted) == cap * len(members)
