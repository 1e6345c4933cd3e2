"""The query helpers both backends derive from `fetch_all` and `transaction()`.

`db.connection.Database` (SQLite) and `db.postgres.database.PgDatabase` each implement
`fetch_all`, `execute` and `transaction()` their own way; the helpers built on those are
the same for both and live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any


class QueryHelpers(ABC):
    """`fetch_one`, `fetch_value` and `execute_many` on top of a backend's primitives."""

    @abstractmethod
    async def fetch_all(self, sql: str, params: Any = ()) -> list[Any]:
        """Every row the statement returns."""

    @abstractmethod
    def transaction(self) -> Any:
        """An async context manager running its block as one transaction."""

    async def fetch_one(self, sql: str, params: Any = ()) -> Any:
        """The first row, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute_many(self, sql: str, rows: Iterable[Any]) -> None:
        """One statement for each parameter set, all in one transaction."""
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)
