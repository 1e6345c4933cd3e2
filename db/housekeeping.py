"""Housekeeping that never sits in front of a member's statement (docs/benchmark.md).

* SQLite's automatic WAL checkpoint is off on the shared connection (it ran inside
  whichever commit crossed 1,000 pages, on the one worker thread every statement queues
  behind). A `Checkpointer` thread with its own connection runs PASSIVE checkpoints
  instead, on a timer and as soon as the WAL grows by `CHECKPOINT_PAGES`. PASSIVE never
  takes the write lock nor waits for readers, so writers keep appending while it copies
  pages. The WAL file is reused from its start once a checkpoint has caught up, and
  `journal_size_limit` trims it back after a burst; only if a reader pinned it past
  `WAL_HARD_LIMIT_BYTES` does the thread escalate to a RESTART checkpoint (logged: it may
  make a writer wait).
* Full-text indexes do not merge segments inside a member's commit: with automerge on,
  the commit that pushed a level over its threshold paid for merging it, and a level that
  reached `crisismerge` segments was merged in full inside that member's share. Once
  `Database.start_maintenance()` runs (the bot does, at start-up), every FTS5 table's
  `automerge` is 0 and a background task runs small 'merge' steps (default usermerge 4,
  which keeps levels well under crisismerge) between statements, only when no one is
  waiting for the connection. A step gives way: whoever queues for the connection while
  one runs interrupts it (`sqlite3_interrupt`; SQLite rolls the step back and it is
  redone at the next quiet moment), so a member waits for an interrupted statement, about
  a millisecond, never for a whole step. Were the steps ever starved by a load that never
  pauses, FTS5's `crisismerge` (on even with automerge off) still bounds every level.

`HousekeepingStats` counts what this work did, for the benchmark.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

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
#: Pages of full-text merge work per step of `Database.fts_merge_step`: most steps take
#: well under a millisecond; the one that finishes merging a level also deletes its input
#: segments (hundreds of pages, ~10 ms on the full store), whatever this is.
FTS_MERGE_PAGES = 4
#: Seconds between maintenance rounds while idle.
MAINTENANCE_INTERVAL_S = 1.0


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
    #: `time.monotonic()` at the start of the last checkpoint that left no frame behind:
    #: everything committed before that moment is in the database file. (A checkpoint
    #: only copies the frames that existed when it began, so `wal_frames_left == 0` alone
    #: says nothing about writes committed while it ran.)
    caught_up_at: float = 0.0
    fts_merges: int = 0  # merge steps that did work
    group_commits: int = 0  # transactions shared by queued one-statement calls
    grouped_statements: int = 0
    fts_merge_seconds_max: float = 0.0  # the longest step, on the database's thread
    fts_merge_interrupts: int = 0  # steps abandoned because a caller queued
    fts_merge_wait_seconds_max: float = 0.0  # a caller's longest wait behind a merge step


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
        began = time.monotonic()
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
        if not busy and done >= frames:
            stats.caught_up_at = began
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
