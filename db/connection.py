"""The single long-lived SQLite connection the whole bot shares: `Database`.

How the connection is shared (its lock, transactions and group commit) is in
`db.group_commit`; the housekeeping kept off every member's path (WAL checkpoints on
their own thread, full-text merges between statements) in `db.housekeeping`; its errors
in `db.errors`. This module opens and closes the database and holds the query helpers
every repository module uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Literal

import aiosqlite

from db.errors import DatabaseBusyError
from db.group_commit import GROUP_COMMIT_MAX, Params, SharedConnection
from db.housekeeping import (
    FTS_MERGE_PAGES,
    JOURNAL_SIZE_LIMIT_BYTES,
    MAINTENANCE_INTERVAL_S,
    Checkpointer,
)
from db.queries import QueryHelpers
from db.url import DatabaseUrl

log = logging.getLogger(__name__)

#: Callers name these from here, next to `Database`.
__all__ = ["GROUP_COMMIT_MAX", "Database", "DatabaseBusyError", "Params"]


class Database(SharedConnection, QueryHelpers):
    """The bot's database: the shared connection, opened, configured and kept tidy."""

    #: Which SQL this store speaks (`db.postgres.database.PgDatabase` says "postgresql").
    dialect: Literal["sqlite"] = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        super().__init__(conn)
        self.path = path
        self.checkpointer: Checkpointer | None = None
        self._maintenance: asyncio.Task[None] | None = None
        self._writes = 0  # statements since the last full-text merge round

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
        db = cls(conn, path)
        if str(path) != ":memory:":
            # Checkpoints run on the checkpointer's thread, never inside a member's commit.
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
            await conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES}")
            try:
                db.checkpointer = await asyncio.to_thread(Checkpointer(path, db.housekeeping).start)
            except BaseException:
                await conn.close()
                raise
        return db

    @property
    def url(self) -> DatabaseUrl:
        """Where this store lives, in the form `DATABASE_URL` takes (`display` to print it)."""
        return DatabaseUrl.sqlite(self.path)

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open on the shared connection."""
        return bool(self.conn.in_transaction)

    def start_maintenance(self, interval: float = MAINTENANCE_INTERVAL_S) -> None:
        """Merge full-text index segments in the background (see `db.housekeeping`)."""
        if self._maintenance is None:
            self._maintenance = asyncio.get_running_loop().create_task(
                self._maintain(interval), name="entraide-db: maintenance"
            )

    async def close(self) -> None:
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
            self._maintenance = None
        async with self._locked():
            if self.checkpointer is not None:
                await asyncio.to_thread(self.checkpointer.stop)
                self.checkpointer = None
            try:
                await self.conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                log.debug("PRAGMA optimize failed on close", exc_info=True)
            # The last connection to close checkpoints the WAL and removes it.
            await self.conn.close()

    # -- background maintenance ----------------------------------------------------------

    async def _maintain(self, interval: float) -> None:
        tables = [
            row[0]
            for row in await self.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"
            )
        ]
        for name in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            await self.execute(f"INSERT INTO {quoted} ({quoted}, rank) VALUES ('automerge', 0)")
        pending = set(tables)  # merge once at start-up: earlier runs may have left work
        while True:
            await asyncio.sleep(interval if not pending else interval / 10)
            if self._writes:
                self._writes = 0
                pending = set(tables)
            if not pending or self._lock.locked():
                continue  # nothing to do, or a member is using the connection: later
            name = min(pending)
            try:
                worked = await self.fts_merge_step(name)
            except (sqlite3.Error, DatabaseBusyError):
                log.debug("full-text merge of %s failed", name, exc_info=True)
                worked = False
            if not worked:
                pending.discard(name)

    async def fts_merge_step(self, table: str, pages: int = FTS_MERGE_PAGES) -> bool:
        """One bounded step of full-text segment merging; False once there is no work left.

        Anyone who queues for the connection while the step runs stops it (see
        `db.housekeeping`); an abandoned step returns True: its work is still to do.
        """
        quoted = '"' + table.replace('"', '""') + '"'
        sql = f"INSERT INTO {quoted} ({quoted}, rank) VALUES ('merge', ?)"
        raw = self.conn._conn
        stats = self.housekeeping
        stop = threading.Event()

        def step() -> int:  # on aiosqlite's worker thread: one hop for the step
            if stop.is_set():  # someone queued before the step began
                raise sqlite3.OperationalError("interrupted")
            started = time.perf_counter()
            before = raw.total_changes
            try:
                raw.execute(sql, (pages,))
            finally:
                elapsed = time.perf_counter() - started
                stats.fts_merge_seconds_max = max(stats.fts_merge_seconds_max, elapsed)
            return raw.total_changes - before

        def give_way() -> None:
            stop.set()
            raw.interrupt()  # thread-safe; a statement that already ended is not affected

        async with self._locked():
            self._preempt = give_way
            try:
                changes = await self._run(self.conn._execute(step))
            except sqlite3.OperationalError:
                if not stop.is_set():
                    raise
                stats.fts_merge_interrupts += 1
                return True
            finally:
                self._preempt = None
        # FTS5: fewer than two changes means the merge found nothing to do.
        if changes < 2:
            return False
        stats.fts_merges += 1
        return True

    def _wrote(self) -> None:
        self._writes += 1
        if self.checkpointer is not None:
            self.checkpointer.nudge()

    # -- one-statement helpers: each is a single hop to the worker thread, and returns once
    # -- its statement is committed (alone, or with a group: see `db.group_commit`) ------

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self._statement(sql, params, rows=True)  # type: ignore[no-any-return]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (committed on return) and return the affected row count."""
        return int(await self._statement(sql, params, rows=False))

    async def backup_to(self, target: Path) -> None:
        """Copy the live database to `target` with SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._locked():
            dest = await aiosqlite.connect(target)
            try:
                await self.conn.backup(dest)
            finally:
                await dest.close()
