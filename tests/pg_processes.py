"""Helpers for the tests of what PostgreSQL must do exactly as SQLite does.

`two_processes`: on PostgreSQL several processes share the store; a limit or a numbering
that is exact in one process must stay exact when two write at once. Each process has its
own pool, so two `PgDatabase` pools on one database stand for two processes.

`typed`: records compared across the two stores with the type of every value kept, since
`Decimal(5) == 5` and `True == 1` would hide what PostgreSQL gives where SQLite gives ints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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


def typed(value: Any) -> Any:
    """`value` with the type of every leaf kept, so `Decimal(5)` differs from `5`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple(typed(getattr(value, f.name)) for f in fields))
    if isinstance(value, dict):
        return ("dict", tuple((k, typed(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return (type(value).__name__, tuple(typed(v) for v in items))
    return (type(value).__name__, value)
