"""Two "processes" on one PostgreSQL database, for the tests of what must hold across them.

Each process of a sharded deployment opens its own `PgDatabase` (its own pool); two pools
on one database are what two processes look like to the server. The repositories' caches
are per store object, so they stay apart as they would in two processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from db.postgres.database import PgDatabase
from db.url import DatabaseUrl

T = TypeVar("T")

#: Enough connections per process for many statements to really run at once.
POOL_SIZE = 8


@asynccontextmanager
async def two_processes(url: DatabaseUrl) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    """Two separate pools on the database at `url` (already migrated)."""
    first = await PgDatabase.open(url, min_size=1, max_size=POOL_SIZE)
    try:
        second = await PgDatabase.open(url, min_size=1, max_size=POOL_SIZE)
        try:
            yield first, second
        finally:
            await second.close()
    finally:
        await first.close()


async def at_once(
    stores: Sequence[PgDatabase], attempt: Callable[[PgDatabase, int], Awaitable[T]], count: int
) -> list[T]:
    """Start `count` attempts together, attempt `n` on `stores[n % len(stores)]`."""
    return list(await asyncio.gather(*(attempt(stores[n % len(stores)], n) for n in range(count))))
