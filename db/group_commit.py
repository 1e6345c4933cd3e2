"""One SQLite connection shared by every coroutine: its lock, transactions, group commit.

SQLite allows one writer at a time and aiosqlite runs every call on one worker thread,
so one connection is both the simplest and the fastest shape. Because that connection is
shared by every coroutine, a multi-statement change must not interleave with another
coroutine's statements: `transaction()` holds an asyncio lock for its duration, and the
one-statement calls take the same lock, so they never land inside someone else's open
transaction. The lock is re-entrant for the task that holds it, so one-statement calls
may also be used inside a `transaction()` block.

Group commit: one-statement calls that arrive while the connection is busy queue up, and
the next time the connection is free **all of them go to the worker thread in one hop**
(up to `GROUP_COMMIT_MAX`): one `BEGIN IMMEDIATE`, each statement, one `COMMIT`, and only
then is each caller answered, so nothing is acknowledged before it is committed, exactly
as with autocommit. One failing statement is undone alone (SQLite's statement journal)
and only its caller gets the error; if the transaction itself is lost, every caller in it
gets the error. A statement that arrives when the connection is free runs at once and
autocommits, so a quiet bot pays nothing for this. Under a burst, a share's statements
cost one thread hop per group instead of one per statement (each hop is a wake-up of the
worker thread and of the event loop, during which a loop with nothing else to do idles),
and concurrent shares write one full-text segment and one set of WAL frames per group.

`db.connection.Database` builds on `SharedConnection` with opening, closing, housekeeping
and the query helpers.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from db.errors import DatabaseBusyError, busy_as_error, translated
from db.housekeeping import HousekeepingStats

Params = Sequence[Any] | dict[str, Any]

#: At most this many queued one-statement calls share one hop and one transaction.
GROUP_COMMIT_MAX = 64

#: Statements that manage transactions, the connection or the file: never inside a group's.
_ALONE = (
    "BEGIN",
    "COMMIT",
    "END",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "VACUUM",
    "ATTACH",
    "DETACH",
    "PRAGMA",
)


def _is_write(sql: str) -> bool:
    return not sql.lstrip()[:7].upper().startswith(("SELECT", "PRAGMA", "EXPLAIN"))


class _Call:
    """One queued one-statement call: what to run, and the caller's future."""

    __slots__ = ("alone", "future", "params", "rows", "sql", "write")

    def __init__(self, sql: str, params: Params, rows: bool, future: asyncio.Future[Any]) -> None:
        self.sql = sql
        self.params = params
        self.rows = rows
        self.write = _is_write(sql)
        self.alone = sql.lstrip()[:9].upper().startswith(_ALONE)
        self.future = future


#: A call's outcome from the worker thread: (True, result) or (False, the exception).
_Outcome = tuple[bool, Any]


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
        #: Group commit of queued one-statement calls (see the module docstring).
        self.group_commit = True
        self._pending: collections.deque[_Call] = collections.deque()
        self._drainer: asyncio.Task[None] | None = None
        self._draining = False  # the drainer holds the lock: hops may be queued
        self._hop_queued = False  # a hop is in aiosqlite's queue and has not started
        self._in_flight = 0  # hops queued or running
        self._settled: asyncio.Future[None] | None = None  # the drainer waits on it
        self._queued = 0  # callers waiting for the connection
        #: Set while background work that may be abandoned holds the connection (a
        #: full-text merge step): a caller queueing for the connection calls it, so it
        #: waits for an interrupted statement rather than for the whole step.
        self._preempt: Callable[[], None] | None = None

    def _wrote(self) -> None:
        """A write was committed (the database nudges its housekeeping)."""

    _run = staticmethod(busy_as_error)

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
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
            yield
        finally:
            self._owner = None
            self._lock.release()

    # -- one statement, alone or in a group ------------------------------------------------

    def _step(self, sql: str, params: Params, rows: bool) -> Any:
        """One statement on aiosqlite's worker thread."""
        cursor = self.conn._conn.execute(sql, params)
        try:
            return cursor.fetchall() if rows else cursor.rowcount
        finally:
            cursor.close()

    async def _statement(self, sql: str, params: Params, *, rows: bool) -> Any:
        task = asyncio.current_task()
        if task is not None and self._owner is task:  # inside this task's transaction
            return await self._run(self.conn._execute(self._step, sql, params, rows))
        if not self.group_commit or (
            self._drainer is None and not self._pending and not self._lock.locked()
        ):
            # The connection is free: run now, autocommitted.
            async with self._locked():
                result = await self._run(self.conn._execute(self._step, sql, params, rows))
            if _is_write(sql):
                self._wrote()
            return result
        loop = asyncio.get_running_loop()
        call = _Call(sql, params, rows, loop.create_future())
        self._pending.append(call)
        if self._draining:
            if not self._hop_queued:
                self._submit()
        elif self._drainer is None:
            self._drainer = loop.create_task(self._drain(), name="entraide-db: group commit")
        return await call.future  # answered once its group is committed, never before

    # The pipeline. While the drainer holds the lock, at most two hops are in aiosqlite's
    # queue: one running and one waiting. The waiting one takes its group only when the
    # thread starts it (`_pull_and_run`), so every call queued while the thread was busy
    # goes in it, and the thread never waits for the loop to hand it the next group: the
    # loop answers one group while the thread runs the next.

    async def _drain(self) -> None:
        """Hold the connection while calls are queued or hops are in flight."""
        loop = asyncio.get_running_loop()
        try:
            async with self._locked():
                self._draining = True
                try:
                    while self._pending or self._in_flight:
                        if self._pending and not self._hop_queued:
                            self._submit()
                        self._settled = loop.create_future()
                        await asyncio.shield(self._settled)
                finally:
                    self._draining = False
                    self._settled = None
        except BaseException:
            self._fail_pending(DatabaseBusyError("the connection is closing"))
            raise
        finally:
            self._drainer = None

    def _submit(self) -> None:
        """Queue a hop that will run whatever calls are queued when the thread starts it."""
        self._hop_queued = True
        self._in_flight += 1
        hop = asyncio.ensure_future(self.conn._execute(self._pull_and_run))
        hop.add_done_callback(self._hop_done)

    def _take_group(self) -> list[_Call]:
        """The next group: queued calls in order, up to the max, a lone statement alone."""
        group: list[_Call] = []
        pending = self._pending
        while pending and len(group) < GROUP_COMMIT_MAX:
            call = pending[0]
            if call.future.done():  # its caller was cancelled before it ran
                pending.popleft()
                continue
            if call.alone and group:
                break
            group.append(pending.popleft())
            if call.alone:
                break
        return group

    def _pull_and_run(self) -> tuple[list[_Call], list[_Outcome]]:
        """On aiosqlite's worker thread: take the queued calls now, and run them."""
        self._hop_queued = False  # calls queued from now on need the next hop
        group = self._take_group()
        try:
            return group, self._run_group(group)
        except Exception as exc:  # a ROLLBACK that failed too: nobody may be left waiting
            return group, [(False, exc)] * len(group)

    def _run_group(self, group: list[_Call]) -> list[_Outcome]:
        """On aiosqlite's worker thread: the group's statements in one transaction.

        A lone write, or reads alone, need no transaction (autocommit, as outside a group).
        """
        raw = self.conn._conn
        grouped = sum(1 for call in group if call.write) > 1 and not raw.in_transaction
        if grouped:
            try:
                raw.execute("BEGIN IMMEDIATE")
            except Exception as exc:
                return [(False, exc)] * len(group)
        outcomes: list[_Outcome] = []
        for index, call in enumerate(group):
            try:
                cursor = raw.execute(call.sql, call.params)
                try:
                    outcomes.append((True, cursor.fetchall() if call.rows else cursor.rowcount))
                finally:
                    cursor.close()
            except Exception as exc:
                outcomes.append((False, exc))
                if grouped and not raw.in_transaction:
                    # The transaction is gone, and every write before this one with it.
                    return [
                        (False, exc) if group[n].write or n >= index else outcomes[n]
                        for n in range(len(outcomes))
                    ] + [(False, exc)] * (len(group) - index - 1)
        if grouped:
            try:
                raw.execute("COMMIT")
            except Exception as exc:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                return [(False, exc)] * len(group)
        return outcomes

    def _hop_done(self, hop: asyncio.Future[tuple[list[_Call], list[_Outcome]]]) -> None:
        """A hop came back: first keep the thread busy, then answer the group's callers."""
        self._in_flight -= 1
        if hop.cancelled() or hop.exception() is not None:
            # aiosqlite could not run it (the connection is closed): nothing queued will run.
            self._hop_queued = False
            error = asyncio.CancelledError() if hop.cancelled() else hop.exception()
            self._fail_pending(error or DatabaseBusyError("the connection is closing"))
        else:
            if self._pending and self._draining and not self._hop_queued:
                self._submit()
            group, outcomes = hop.result()
            self._answer(group, outcomes)
        settled = self._settled
        if settled is not None and not settled.done() and self._in_flight == 0:
            settled.set_result(None)

    def _fail_pending(self, error: BaseException) -> None:
        while self._pending:
            call = self._pending.popleft()
            if not call.future.done():
                call.future.set_exception(_copy_error(translated(error)))

    def _answer(self, group: list[_Call], outcomes: list[_Outcome]) -> None:
        """Hand each caller of a group its result or its error."""
        writes = 0
        shared = sum(1 for outcome in outcomes if not outcome[0]) > 1
        for call, (ok, value) in zip(group, outcomes, strict=True):
            if ok:
                writes += call.write
                if not call.future.done():
                    call.future.set_result(value)
            elif not call.future.done():
                error = translated(value)
                call.future.set_exception(_copy_error(error) if shared else error)
        if writes > 1:
            self.housekeeping.group_commits += 1
            self.housekeeping.grouped_statements += writes
        if writes:
            self._wrote()

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
