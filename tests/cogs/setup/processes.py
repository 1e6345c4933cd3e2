"""Two "processes" on one PostgreSQL database, for the tests of limits across processes.

Each process of a sharded bot has its own `PgDatabase` (its own pool of connections) on
the shared store; two pools in one test stand for two processes: what one commits, the
other sees only through the server, exactly as between processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from db.postgres.database import PgDatabase
from db.url import DatabaseUrl


@asynccontextmanager
async def two_processes(url: DatabaseUrl) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    """Two stores on `url`, each with pooled connections enough for concurrent callers."""
    first = await PgDatabase.open(url, min_size=2, max_size=8)
    try:
        second = await PgDatabase.open(url, min_size=2, max_size=8)
        try:
            yield first, second
        finally:
            await second.close()
    finally:
        await first.close()
