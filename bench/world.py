"""The benchmark's community: the harness's default server, with fixed ids.

The data generator (a child process) and the benchmarked bot must agree on who and where
everybody is, so ids are constants rather than the harness's session counter.
"""

from __future__ import annotations

from tests.harness import payloads as p
from tests.harness.driver import World

_BASE = 1_100_000_000_000_000_000


def _id(n: int) -> int:
    return _BASE + n


GUILD_ID = _id(1)
MOD_ROLE, MANAGER_ROLE, BOT_ROLE = _id(2), _id(3), _id(4)
GENERAL, ALERTS, MODS, DIGEST, FORUM = _id(10), _id(11), _id(12), _id(13), _id(14)

#: Other servers sharing the store (their data makes the tables big, not the bot busy).
OTHER_GUILD_BASE = _id(1_000)
#: Members of the community, beyond the named people of the default world.
MEMBER_BASE = _id(1_000_000)


def bench_world() -> World:
    return World(
        guild_id=GUILD_ID,
        everyone_role=GUILD_ID,
        mod_role=MOD_ROLE,
        manager_role=MANAGER_ROLE,
        bot_role=BOT_ROLE,
        general=GENERAL,
        alerts=ALERTS,
        mods=MODS,
        digest=DIGEST,
        forum=FORUM,
        bot_user=p.FakeUser(_id(20), "entraide", roles=[BOT_ROLE], bot=True),
        owner=p.FakeUser(_id(21), "owner"),
        admin=p.FakeUser(_id(22), "admin", roles=[MANAGER_ROLE]),
        mod=p.FakeUser(_id(23), "mod", roles=[MOD_ROLE]),
        alice=p.FakeUser(_id(24), "alice"),
        bob=p.FakeUser(_id(25), "bob"),
        carol=p.FakeUser(_id(26), "carol"),
        dave=p.FakeUser(_id(27), "dave"),
    )


def member_id(n: int) -> int:
    """The n-th generated member of the community."""
    return MEMBER_BASE + n


def guild_id(n: int) -> int:
    """Server n of the store: 0 is the benchmarked one, the others only hold data."""
    return GUILD_ID if n == 0 else OTHER_GUILD_BASE + n


def member(n: int) -> p.FakeUser:
    return p.FakeUser(member_id(n), f"member{n}")


#: The member whose 100,000 earnings entries the monthly summary reads.
def summary_member() -> p.FakeUser:
    return bench_world().alice
