"""Two bot processes on one PostgreSQL database, for the tests of what must hold across them.

On PostgreSQL several processes share the store; a limit or a numbering that is exact in
one process must stay exact when two write at once. Each process has its own pool, so two
`PgDatabase` pools on one database stand for two processes (tests/README.md, "PostgreSQL").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from db.postgres.database import PgDatabase
from db.url import DatabaseUrl


@asynccontextmanager
async def two_processes(
    url: DatabaseUrl, *, pool_size: int = 5
) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    """Two pools on the database at `url`, closed after the block."""
    first = await PgDatabase.open(url, min_size=1, max_size=pool_size)
    try:
        second = await PgDatabase.open(url, min_size=1, max_size=pool_size)
        try:
            yield first, second
        finally:
            await second.close()
    finally:
        await first.close()
