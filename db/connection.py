"""The single long-lived SQLite connection the whole bot shares.

SQLite allows one writer at a time and aiosqlite runs every call on one worker thread,
so one connection is both the simplest and the fastest shape. Because that connection is
shared by every coroutine, a multi-statement change must not interleave with another
coroutine's statements: `Database.transaction()` holds an asyncio lock for its duration,
and the one-statement helpers take the same lock, so they never land inside someone
else's open transaction. The lock is re-entrant for the task that holds it, so the helpers
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

Housekeeping never sits in front of a member's statement (docs/benchmark.md, "The tail"):

* SQLite's automatic WAL checkpoint is off on this connection (it ran inside whichever
  commit crossed 1,000 pages, on the one worker thread every statement queues behind).
  A `Checkpointer` thread with its own connection runs PASSIVE checkpoints instead, on a
  timer and as soon as the WAL grows by `CHECKPOINT_PAGES`. PASSIVE never takes the write
  lock nor waits for readers, so writers keep appending while it copies pages. The WAL
  file is reused from its start once a checkpoint has caught up, and `journal_size_limit`
  trims it back after a burst; only if a reader pinned it past `WAL_HARD_LIMIT_BYTES` does
  the thread escalate to a RESTART checkpoint (logged: it may make a writer wait).
* Full-text indexes do not merge segments inside a member's commit: with automerge on,
  the commit that pushed a level over its threshold paid for merging it, and a level that
  reached `crisismerge` segments was merged in full inside that member's share. Once
  `start_maintenance()` runs (the bot does, at start-up), every FTS5 table's `automerge`
  is 0 and a background task runs small 'merge' steps (default usermerge 4, which keeps
  levels well under crisismerge) between statements, only when no one is waiting for the
  connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


#: Checkpoint as soon as the WAL has grown by this many pages since the last one
#: (SQLite's own automatic checkpoint threshold, now taken off the writers' path).
CHECKPOINT_PAGES = 1000
#: ...and at least this often while anything was written.
CHECKPOINT_INTERVAL_S = 1.0
#: How often the checkpointer looks at the WAL's size (an `os.stat`, no lock taken).
CHECKPOINT_POLL_S = 0.05
#: After a checkpoint has caught up and the WAL is reused, trim the file to this size.
JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024
#: A WAL this big means a reader pinned it through many PASSIVE checkpoints: escalate.
WAL_HARD_LIMIT_BYTES = 512 * 1024 * 1024
#: Pages of full-text merge work per step of `Database.maintain` (a few milliseconds).
FTS_MERGE_PAGES = 16
#: Seconds between maintenance rounds while idle.
MAINTENANCE_INTERVAL_S = 1.0
#: At most this many queued one-statement writes share one transaction (group commit).
GROUP_COMMIT_MAX = 64


@dataclass
class HousekeepingStats:
    """What the background housekeeping did (the benchmark reads these)."""

    checkpoints: int = 0  # PASSIVE checkpoints that copied at least one frame
    checkpoint_frames: int = 0
    checkpoint_busy: int = 0  # checkpoints that could not finish (a reader, a writer)
    checkpoint_escalations: int = 0
    checkpoint_seconds_max: float = 0.0
    wal_bytes_max: int = 0
    wal_frames_left: int = 0  # frames the last checkpoint could not copy yet
    fts_merges: int = 0  # merge steps that did work
    group_commits: int = 0  # transactions shared by queued one-statement calls
    grouped_statements: int = 0
    fts_merge_seconds_max: float = 0.0


class Checkpointer:
    """WAL checkpoints from a dedicated connection and thread, off every member's path."""

    def __init__(
        self,
        path: Path,
        stats: HousekeepingStats,
        *,
        pages: int = CHECKPOINT_PAGES,
        interval: float = CHECKPOINT_INTERVAL_S,
        poll: float = CHECKPOINT_POLL_S,
        hard_limit: int = WAL_HARD_LIMIT_BYTES,
    ) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.stats = stats
        self.pages = pages
        self.interval = interval
        self.poll = poll
        self.hard_limit = hard_limit
        self._stop = threading.Event()
        self._nudge = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._page_size = 4096

    def start(self) -> Checkpointer:
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # PASSIVE never calls the busy handler; only the rare escalation waits, briefly.
        self._conn.execute("PRAGMA busy_timeout = 100")
        self._page_size = int(self._conn.execute("PRAGMA page_size").fetchone()[0])
        self._thread = threading.Thread(target=self._run, name="entraide: checkpointer")
        self._thread.daemon = True
        self._thread.start()
        return self

    def nudge(self) -> None:
        """Something was written: checkpoint at the next timer tick."""
        if not self._nudge.is_set():
            self._nudge.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _wal_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def _run(self) -> None:
        last = escalated = time.monotonic()
        size_at_last = self._wal_size()
        grow = self.pages * self._page_size
        behind = False  # the last checkpoint left frames (written while it ran)
        while not self._stop.wait(self.poll):
            size = self._wal_size()
            self.stats.wal_bytes_max = max(self.stats.wal_bytes_max, size)
            now = time.monotonic()
            due = (
                behind
                or size - size_at_last >= grow
                or (self._nudge.is_set() and now - last >= self.interval)
            )
            if not due and size < self.hard_limit:
                continue
            self._nudge.clear()
            # The WAL is reused from its start by the first write after a checkpoint
            # that caught up; until one does, it grows. Catching up needs a pass during
            # which nobody wrote, so a pass that fell behind is followed by another one
            # (each copies only what was written during the previous one). Only a WAL
            # past the hard limit (a reader pinned it, or writes never paused) escalates,
            # at most every ten seconds: RESTART holds writers for up to busy_timeout.
            mode = "PASSIVE"
            if size >= self.hard_limit and now - escalated >= 10:
                mode, escalated = "RESTART", now
            result = self.checkpoint(mode)
            behind = result is not None and result[1] > result[2]
            last = time.monotonic()
            size_at_last = self._wal_size()

    def checkpoint(self, mode: str = "PASSIVE") -> tuple[int, int, int] | None:
        """Run one checkpoint; returns SQLite's (busy, wal frames, frames checkpointed)."""
        conn = self._conn
        if conn is None:
            return None
        started = time.perf_counter()
        try:
            row = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.Error:
            log.debug("%s checkpoint failed", mode, exc_info=True)
            self.stats.checkpoint_busy += 1
            return None
        elapsed = time.perf_counter() - started
        busy, frames, done = (int(x) for x in row)
        stats = self.stats
        stats.wal_frames_left = max(0, frames - done)
        if mode != "PASSIVE":
            stats.checkpoint_escalations += 1
            log.warning(
                "the WAL reached %d MiB (a long reader?): ran a %s checkpoint",
                self._wal_size() // 2**20,
                mode,
            )
        if busy or (frames > 0 and done < frames):
            stats.checkpoint_busy += 1
        if done > 0:
            stats.checkpoints += 1
            stats.checkpoint_frames += done
            stats.checkpoint_seconds_max = max(stats.checkpoint_seconds_max, elapsed)
        return busy, frames, done


class DatabaseBusyError(Exception):
    """The database stayed locked by another process for longer than busy_timeout."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


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


class Database:
    """A thin, typed wrapper over one aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self.housekeeping = HousekeepingStats()
        self.checkpointer: Checkpointer | None = None
        self._maintenance: asyncio.Task[None] | None = None
        self._writes = 0  # statements since the last full-text merge round
        #: Group commit of queued one-statement writes (see the module docstring).
        self.group_commit = True
        self._batch: _Batch | None = None
        self._queued = 0  # callers waiting for the connection

    @asynccontextmanager
    async def _locked(self, *, join_batch: bool = False) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        self._queued += 1
        try:
            await self._lock.acquire()
        finally:
            self._queued -= 1
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

    def start_maintenance(self, interval: float = MAINTENANCE_INTERVAL_S) -> None:
        """Merge full-text index segments in the background (see the module docstring)."""
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
        """One bounded step of full-text segment merging; False once there is no work left."""
        quoted = '"' + table.replace('"', '""') + '"'
        sql = f"INSERT INTO {quoted} ({quoted}, rank) VALUES ('merge', ?)"

        def step() -> int:
            raw = self.conn._conn  # on aiosqlite's worker thread: one hop for the step
            before = raw.total_changes
            raw.execute(sql, (pages,))
            return raw.total_changes - before

        async with self._locked():
            started = time.perf_counter()
            changes = await self._run(self.conn._execute(step))
            elapsed = time.perf_counter() - started
        # FTS5: fewer than two changes means the merge found nothing to do.
        if changes < 2:
            return False
        stats = self.housekeeping
        stats.fts_merges += 1
        stats.fts_merge_seconds_max = max(stats.fts_merge_seconds_max, elapsed)
        return True

    def _wrote(self) -> None:
        self._writes += 1
        if self.checkpointer is not None:
            self.checkpointer.nudge()

    # -- one-statement helpers: each is a single hop to the worker thread, and returns once
    # -- its statement is committed (alone, or with a group: see the module docstring) ----

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self._statement(sql, params, rows=True)  # type: ignore[no-any-return]

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (committed on return) and return the affected row count."""
        return int(await self._statement(sql, params, rows=False))

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
                self._wrote()

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
