"""The single long-lived SQLite connection the whole bot shares.

SQLite allows one writer at a time and aiosqlite runs every call on one worker thread,
so one connection is both the simplest and the fastest shape. Because that connection is
shared by every coroutine, a multi-statement change must not interleave with another
coroutine's statements: `Database.transaction()` holds an asyncio lock for its duration,
and the one-statement helpers take the same lock, so they never land inside someone
else's open transaction. The lock is re-entrant for the task that holds it, so the helpers
may also be used inside a `transaction()` block.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


class DatabaseBusyError(Exception):
    """The database stayed locked by another process for longer than busy_timeout."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Database:
    """A thin, typed wrapper over one aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating its folder) and configure the database file."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        return cls(conn, path)

    async def close(self) -> None:
        async with self._locked():
            try:
                await self.conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                log.debug("PRAGMA optimize failed on close", exc_info=True)
            await self.conn.close()

    # -- one-statement helpers: each is a single hop to the worker thread ---------------

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._locked():
            return await self._run(self.conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (autocommitted) and return the affected row count."""
        async with self._locked():
            cursor = await self._run(self.conn.execute(sql, params))
            count = cursor.rowcount
            await cursor.close()
            return count

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    # -- transactions --------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the write lock and run the block as one `BEGIN IMMEDIATE` transaction."""
        async with self._locked():
            await self._run(self.conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                try:
                    await self._run(self.conn.commit())
                except BaseException:
                    await self.conn.rollback()
                    raise

    @staticmethod
    async def _run(awaitable: Any) -> Any:
        try:
            return await awaitable
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise DatabaseBusyError(str(exc)) from exc
            raise

    async def backup_to(self, target: Path) -> None:
        """Copy the live database to `target` with SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._locked():
            dest = await aiosqlite.connect(target)
            try:
                await self.conn.backup(dest)
            finally:
                await dest.close()
