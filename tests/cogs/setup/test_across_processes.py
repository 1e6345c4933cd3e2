"""Servers' settings and channel notices written concurrently, on both stores.

PostgreSQL runs writers at once where SQLite runs them one after another: the upserts of
db/guilds.py and db/guild_setup.py must still give one row per server, one notice per
problem and the first completion of setup, whether the writers share a store (many
coroutines) or not (two pools on one database: two processes).
"""

from __future__ import annotations

import asyncio

import pytest

from db import guild_setup, guilds
from db.shards import Shards, shard_of
from db.store import Store
from db.url import DatabaseUrl
from tests.cogs.setup.processes import two_processes

pytestmark = pytest.mark.both_backends

G = 1300000000000000001


async def rows_of(store: Store, table: str) -> int:
    return int(await store.fetch_value(f"SELECT count(*) FROM {table} WHERE guild_id = ?", (G,)))


async def test_concurrent_settings_writes_make_one_row(store: Store) -> None:
    await asyncio.gather(
        *(guilds.update(store, G, n, reports_per_day=n % 5 + 1) for n in range(30)),  # type: ignore[arg-type]
        *(guilds.mark_setup_complete(store, G, 100 + n) for n in range(10)),  # type: ignore[arg-type]
    )
    assert await rows_of(store, "guild_settings") == 1
    first = await store.fetch_value(
        "SELECT setup_completed_at FROM guild_settings WHERE guild_id = ?", (G,)
    )
    assert 100 <= first < 110
    await guilds.mark_setup_complete(store, G, 999)  # type: ignore[arg-type]
    guilds.invalidate(store, G)  # type: ignore[arg-type]
    assert (await guilds.get(store, G)).setup_completed_at == first  # type: ignore[arg-type]


async def test_a_channel_problem_racing_itself_is_reported_once(store: Store) -> None:
    claims = await asyncio.gather(
        *(
            guild_setup.claim_notice(store, G, "alerts", "deleted", now=50 + n, quiet_seconds=100)  # type: ignore[arg-type]
            for n in range(20)
        )
    )
    assert sum(claims) == 1
    assert await rows_of(store, "channel_notices") == 1


async def test_two_processes_report_a_problem_once_and_complete_setup_once(
    pg_url: DatabaseUrl,
) -> None:
    async with two_processes(pg_url) as (first, second):
        for round_ in range(6):  # several rounds: a race that slips through shows up
            kind = ("alerts", "mod", "digest")[round_ % 3]
            claims = await asyncio.gather(
                *(
                    guild_setup.claim_notice(
                        first if n % 2 else second,  # type: ignore[arg-type]
                        G + round_,
                        kind,
                        "forbidden",
                        now=1_000 * round_ + n,
                        quiet_seconds=500,
                    )
                    for n in range(16)
                )
            )
            assert sum(claims) == 1, (round_, kind)
        saved = await asyncio.gather(
            *(
                guild_setup.save(
                    first if n % 2 else second,  # type: ignore[arg-type]
                    G,
                    200 + n,
                    {"alerts_channel_id": 10 + n, "mod_channel_id": 20 + n},
                )
                for n in range(16)
            )
        )
        completions = {settings.setup_completed_at for settings in saved}
        assert len(completions) == 1 and None not in completions
        assert await rows_of(first, "guild_settings") == 1


async def test_absent_servers_of_this_processs_shards_only(store: Store) -> None:
    # Servers spread over two shards; process "shard 0" holds only its own.
    ids = [(n << 22) + 7 for n in range(1, 9)]
    for guild_id in ids:
        await guilds.update(store, guild_id, 0, timezone="UTC")  # type: ignore[arg-type]
    shard0 = Shards.of(2, [0])
    mine = [g for g in ids if shard_of(g, 2) == 0]
    present = mine[:1]
    gone = await guild_setup.mark_absent_as_left(store, present, 50, shard0)  # type: ignore[arg-type]
    assert gone == len(mine) - 1
    assert await guild_setup.left_before(store, 60, shard0) == sorted(mine[1:])  # type: ignore[arg-type]
    assert await guild_setup.left_before(store, 60, Shards.of(2, [1])) == []  # type: ignore[arg-type]
    # An empty list of present servers is a list too (every server of the shard left).
    assert await guild_setup.mark_absent_as_left(store, [], 70, shard0) == 1  # type: ignore[arg-type]
