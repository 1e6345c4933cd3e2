"""The transaction object `PgDatabase.transaction()` yields, shaped like aiosqlite's.

Repositories written for SQLite use the connection a transaction yields in a few ways:
`await tx.execute(sql, params)` and `async with tx.execute(...) as cursor`, then
`await cursor.fetchone()`, `await cursor.fetchall()`, `cursor.rowcount` and
`await cursor.close()`; `await tx.executemany(sql, rows)` (its cursor's `rowcount` is the
total changed); `await tx.execute_fetchall(sql, params)`. This module gives exactly those
on a pooled asyncpg connection, so the same repository code runs on both backends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any

import asyncpg

from db.postgres.errors import busy_on_transient
from db.postgres.sql import translate

Params = Any  # a sequence for ? placeholders, a mapping for :name ones

#: Commands whose status line ends with the number of rows they changed.
_COUNTED = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"})


def rowcount_of(status: str) -> int:
    """sqlite3's `rowcount` from a command status ("UPDATE 3" → 3; a SELECT → -1)."""
    parts = status.split()
    if parts and parts[0] in _COUNTED and parts[-1].isdigit():
        return int(parts[-1])
    return -1


class PgCursor:
    """The rows a statement returned, read like an aiosqlite cursor."""

    __slots__ = ("_position", "_rows", "rowcount")

    def __init__(self, rows: list[asyncpg.Record], rowcount: int) -> None:
        self._rows = rows
        self._position = 0
        self.rowcount = rowcount

    async def fetchone(self) -> asyncpg.Record | None:
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    async def fetchall(self) -> list[asyncpg.Record]:
        rest = self._rows[self._position :]
        self._position = len(self._rows)
        return rest

    async def close(self) -> None:
        self._rows = []
        self._position = 0


class _Execution:
    """`tx.execute(...)`: awaitable for a cursor, or `async with` for one closed after."""

    __slots__ = ("_cursor", "_run")

    def __init__(self, run: Callable[[], Awaitable[PgCursor]]) -> None:
        self._run = run
        self._cursor: PgCursor | None = None

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._start().__await__()

    async def _start(self) -> PgCursor:
        self._cursor = await self._run()
        return self._cursor

    async def __aenter__(self) -> PgCursor:
        return await self._start()

    async def __aexit__(self, *exc_info: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


async def run_statement(conn: asyncpg.Connection, sql: str, params: Params) -> PgCursor:
    """One statement on `conn`: its rows and its rowcount in one round trip."""
    translated = translate(sql)
    args = translated.bind(params)
    with busy_on_transient():
        # `_execute(..., return_status=True)` is what asyncpg's own `execute` uses: the
        # rows and the command status together, through the statement cache.
        rows, status, _ = await conn._execute(translated.sql, args, 0, None, return_status=True)
    return PgCursor(list(rows), rowcount_of(status.decode()))


class PgTransaction:
    """One open transaction on one pooled connection (see the module docstring)."""

    in_transaction = True

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = ()) -> _Execution:
        return _Execution(lambda: run_statement(self.conn, sql, params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> PgCursor:
        total = 0
        for params in rows:
            cursor = await run_statement(self.conn, sql, params)
            total += max(cursor.rowcount, 0)
        return PgCursor([], total)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        cursor = await run_statement(self.conn, sql, params)
        return await cursor.fetchall()

    async def execute_script(self, script: str) -> None:
        """Several statements at once, no parameters (PostgreSQL's simple protocol)."""
        with busy_on_transient():
            await self.conn.execute(script)
