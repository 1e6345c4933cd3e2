"""The per-member API token limit holds exactly under concurrency, on both stores.

On SQLite one writer runs at a time; on PostgreSQL several processes insert at once, and
under READ COMMITTED two of them could both count `limit - 1` and both insert: the
member's advisory lock (db/intake.py) prevents that. Two pools on one database stand for
two processes (tests/cogs/setup/processes.py).
"""

from __future__ import annotations

import asyncio

import pytest

from db import intake
from db.store import Store
from db.url import DatabaseUrl
from tests.cogs.setup.processes import two_processes

G, USER, OTHER = 1300000000000000001, 1300000000000000002, 1300000000000000003
LIMIT = 3


async def attempt(store: Store, n: int, *, user_id: int = USER) -> intake.ApiToken | None:
    return await intake.create_token(
        store,  # type: ignore[arg-type]
        guild_id=G,
        user_id=user_id,
        token_hash=f"hash-{user_id}-{n}",
        prefix=f"p{n}",
        label=None,
        now=1_000 + n,
        limit=LIMIT,
    )


async def active(store: Store, user_id: int = USER) -> int:
    value = await store.fetch_value(
        "SELECT count(*) FROM api_tokens WHERE guild_id = ? AND user_id = ? AND revoked_at IS NULL",
        (G, user_id),
    )
    return int(value)


async def test_concurrent_creations_stop_at_the_limit(store: Store) -> None:
    made = await asyncio.gather(*(attempt(store, n) for n in range(20)))
    assert sum(token is not None for token in made) == LIMIT
    assert await active(store) == LIMIT
    # Another member's limit is their own; a revoked token frees a place.
    assert await attempt(store, 99, user_id=OTHER) is not None
    first = next(token for token in made if token is not None)
    assert await intake.revoke_token(store, first.id, guild_id=G, user_id=USER, now=5_000)  # type: ignore[arg-type]
    assert await attempt(store, 100) is not None
    assert await attempt(store, 101) is None
    assert await active(store) == LIMIT


async def test_two_processes_never_exceed_the_limit(pg_url: DatabaseUrl) -> None:
    async with two_processes(pg_url) as (first, second):
        for round_ in range(5):  # several rounds: a race that slips through shows up
            user_id = USER + 10 * round_
            made = await asyncio.gather(
                *(
                    attempt(first if n % 2 else second, 100 * round_ + n, user_id=user_id)
                    for n in range(24)
                )
            )
            assert sum(token is not None for token in made) == LIMIT
            assert await active(first, user_id) == LIMIT
            assert await active(second, user_id) == LIMIT


@pytest.mark.parametrize("limit", [0, 1])
async def test_a_limit_of_zero_or_one_is_exact(store: Store, limit: int) -> None:
    made = await asyncio.gather(
        *(
            intake.create_token(
                store,  # type: ignore[arg-type]
                guild_id=G,
                user_id=USER,
                token_hash=f"h{n}",
                prefix="p",
                label="x",
                now=n,
                limit=limit,
            )
            for n in range(8)
        )
    )
    assert sum(token is not None for token in made) == limit
    assert await active(store) == limit
