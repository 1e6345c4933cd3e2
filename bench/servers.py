"""The store's other servers as a bot serving them sees them (the two-process burst).

Kept apart from bench/world.py on purpose: that file is part of the generated store's
cache key, and these worlds change nothing the generator writes.
"""

from __future__ import annotations

import dataclasses

from bench import world
from tests.harness.driver import World


def server_world(n: int) -> World:
    """Server n of the store (0 is `world.bench_world()`), as one shard serving it sees it.

    Servers past the first were generated with their channels and roles at fixed offsets
    from their id (bench/datagen/community.py `fill_guilds`); the people are the same users.
    """
    if n == 0:
        return world.bench_world()
    gid = world.guild_id(n)
    return dataclasses.replace(
        world.bench_world(),
        guild_id=gid,
        everyone_role=gid,
        mod_role=gid + 2,
        manager_role=gid + 3,
        bot_role=gid + 4,
        general=gid + 10,
        alerts=gid + 11,
        mods=gid + 12,
        digest=gid + 13,
        forum=gid + 14,
    )
