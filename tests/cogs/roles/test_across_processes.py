"""The notification-role limit from two processes on one PostgreSQL store (issue #16, A18).

Registering a role counts the server's roles and inserts in one statement, which one
SQLite connection makes atomic; many attempts at once from two `PgDatabase` pools on one
database must leave exactly the limit.
"""

from __future__ import annotations

from db import notify_roles
from db.notify_roles import RoleFilters
from db.url import DatabaseUrl
from tests.cogs.tasks.processes import at_once, two_processes

GUILD = 1


async def test_a_servers_role_limit_holds_across_processes(pg_url: DatabaseUrl) -> None:
    limit, attempts = 4, 30
    anything = RoleFilters(None, None, None, None, (), None, False)
    async with two_processes(pg_url) as (first, second):
        outcomes = await at_once(
            (first, second),
            lambda db, n: notify_roles.add(db, GUILD, 500 + n, anything, 100, limit=limit),
            attempts,
        )
        count = await first.fetch_value(
            "SELECT count(*) FROM notify_roles WHERE guild_id = ?", (GUILD,)
        )
    assert count == limit
    assert sum(o == "limit" for o in outcomes) == attempts - limit
