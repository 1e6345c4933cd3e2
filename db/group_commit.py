"""One SQLite connection shared by every coroutine: its lock, transactions, group commit.

SQLite allows one writer at a time and aiosqlite runs every call on one worker thread,
so one connection is both the simplest and the fastest shape. Because that connection is
shared by every coroutine, a multi-statement change must not interleave with another
coroutine's statements: `transaction()` holds an asyncio lock for its duration, and the
one-statement calls take the same lock, so they never land inside someone else's open
transaction. The lock is re-entrant for the task that holds it, so one-statement calls
may also be used inside a `transaction()` block.

Group commit: a one-statement write that finds others queued for the connection opens a
transaction, and the writes queued behind it join it, up to `GROUP_COMMIT_MAX`; a flusher
queued behind them commits once for all. Each caller's call returns only after that
COMMIT, so nothing is acknowledged before it is committed, exactly as with autocommit.
One failing statement is undone alone (SQLite's statement journal) and only its caller
gets the error; if the transaction itself is lost, every caller in it gets the error. A
lone write (no one waiting) autocommits as before, so a quiet bot pays nothing for this.
Concurrent shares then write one full-text segment and one set of WAL frames per batch
instead of one per share.

`db.connection.Database` builds on `SharedConnection` with opening, closing, housekeeping
and the query helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from db.errors import busy_as_error
from db.housekeeping import HousekeepingStats

Params = Sequence[Any] | dict[str, Any]

#: At most this many queued one-statement writes share one transaction (group commit).
GROUP_COMMIT_MAX = 64


def _is_write(sql: str) -> bool:
    return not sql.lstrip()[:7].upper().startswith(("SELECT", "PRAGMA", "EXPLAIN"))


class _Batch:
    """One group commit: the callers waiting for it, and the task that will commit it."""

    __slots__ = ("flusher", "waiters")

    def __init__(self) -> None:
        self.waiters: list[asyncio.Future[None]] = []
        self.flusher: asyncio.Task[None] | None = None


def _copy_error(exc: BaseException) -> BaseException:
    """A fresh exception of the same kind for each caller.

    One exception object raised in many tasks would pile up their tracebacks.
    """
    try:
        copy = type(exc)(*exc.args)
    except Exception:
        return exc
    copy.__cause__ = exc
    return copy


class SharedConnection:
    """One aiosqlite connection, one statement or transaction at a time, with group commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self.housekeeping = HousekeepingStats()
        #: Group commit of queued one-statement writes (see the module docstring).
        self.group_commit = True
        self._batch: _Batch | None = None
        self._queued = 0  # callers waiting for the connection
        #: Set while background work that may be abandoned holds the connection (a
        #: full-text merge step): a caller queueing for the connection calls it, so it
        #: waits for an interrupted statement rather than for the whole step.
        self._preempt: Callable[[], None] | None = None

    def _wrote(self) -> None:
        """A write was committed (the database nudges its housekeeping)."""

    _run = staticmethod(busy_as_error)

    @asynccontextmanager
    async def _locked(self, *, join_batch: bool = False) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        self._queued += 1
        preempted = self._preempt
        if preempted is not None:
            preempted()
            waiting_since = time.perf_counter()
        try:
            await self._lock.acquire()
        finally:
            self._queued -= 1
        if preempted is not None:
            waited = time.perf_counter() - waiting_since
            stats = self.housekeeping
            stats.fts_merge_wait_seconds_max = max(stats.fts_merge_wait_seconds_max, waited)
        try:
            self._owner = task
            if self._batch is not None and not join_batch:
                await self._commit_batch()  # whatever comes next runs on its own
            yield
        finally:
            self._owner = None
            self._lock.release()

    # -- group commit ----------------------------------------------------------------------

    def _step(self, sql: str, params: Params, rows: bool, begin: bool) -> Any:
        """One statement on aiosqlite's worker thread (BEGIN too, in the same hop)."""
        raw = self.conn._conn
        if begin:
            raw.execute("BEGIN IMMEDIATE")
        cursor = raw.execute(sql, params)
        try:
            return cursor.fetchall() if rows else cursor.rowcount
        finally:
            cursor.close()

    def _commit_step(self) -> None:
        raw = self.conn._conn
        if not raw.in_transaction:
            return
        try:
            raw.execute("COMMIT")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise

    async def _commit_batch(self) -> None:
        """Commit the open group (the lock is held) and answer everyone waiting for it."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        commit = asyncio.ensure_future(self._run(self.conn._execute(self._commit_step)))
        # Even if the task committing is cancelled, the COMMIT still runs (aiosqlite's
        # thread takes calls in order) and its outcome still reaches every caller.
        commit.add_done_callback(lambda done: self._committed(batch, done))
        with contextlib.suppress(Exception):
            await asyncio.shield(commit)

    def _committed(self, batch: _Batch, commit: asyncio.Future[None]) -> None:
        error = commit.exception() if not commit.cancelled() else asyncio.CancelledError()
        for waiter in batch.waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(_copy_error(error))
        if error is None:
            self.housekeeping.group_commits += 1
            self.housekeeping.grouped_statements += len(batch.waiters)
            self._wrote()

    async def _flush(self) -> None:
        """Queued behind the group's statements: taking the lock commits the group."""
        async with self._locked():
            pass

    async def _statement(self, sql: str, params: Params, *, rows: bool) -> Any:
        task = asyncio.current_task()
        if task is not None and self._owner is task:  # inside this task's transaction
            return await self._run(self.conn._execute(self._step, sql, params, rows, False))
        write = _is_write(sql)
        waiter: asyncio.Future[None] | None = None
        async with self._locked(join_batch=True):
            batch = self._batch
            begin = False
            if batch is None and write and self.group_commit and self._queued > 0:
                batch = self._batch = _Batch()
                begin = True
                # Queued behind everyone waiting now: taking the lock commits the group.
                batch.flusher = asyncio.get_running_loop().create_task(
                    self._flush(), name="entraide-db: group commit"
                )
            if batch is None:
                result = await self._run(self.conn._execute(self._step, sql, params, rows, False))
            else:
                try:
                    result = await self._run(
                        self.conn._execute(self._step, sql, params, rows, begin)
                    )
                except Exception as exc:
                    await self._statement_failed(batch, exc)
                    raise
                waiter = asyncio.get_running_loop().create_future()
                batch.waiters.append(waiter)
                if len(batch.waiters) >= GROUP_COMMIT_MAX:
                    await self._commit_batch()
        if waiter is not None:
            await waiter  # acknowledged once committed, never before
        if write:
            self._wrote()
        return result

    async def _statement_failed(self, batch: _Batch, exc: Exception) -> None:
        """Decide whether a failed statement of the group took the transaction with it."""
        in_transaction = await self.conn._execute(lambda: self.conn._conn.in_transaction)
        if in_transaction or self._batch is not batch:
            return  # SQLite undid that one statement; the group carries on
        self._batch = None  # the transaction is gone, and the group's writes with it
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_exception(_copy_error(exc))

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
                self._wrote()
