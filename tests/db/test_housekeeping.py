"""Database housekeeping off the members' path (db/housekeeping.py, issue 14).

SQLite's automatic checkpoint ran inside whichever member's commit crossed 1,000 WAL
pages, and FTS5 merged segments inside shares. Now checkpoints run on their own thread
and connection, merges in small background steps; these tests check that the work is
still done, that the WAL stays bounded, and that writers never wait for it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from db import tasks as tasks_db
from db.connection import Database
from db.migrate import migrate
from db.tasks import NewAlert, SearchFilters


async def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30  # generous: the machine may be busy
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


async def test_checkpoints_run_in_the_background_and_keep_the_wal_bounded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    db = await Database.open(path)
    try:
        # The serving connection never checkpoints by itself any more.
        assert await db.fetch_value("PRAGMA wal_autocheckpoint") == 0
        assert db.checkpointer is not None
        await db.execute("CREATE TABLE t (x BLOB)")
        page = int(await db.fetch_value("PRAGMA page_size"))
        sizes = []
        for _round in range(8):
            # ~1,200 pages per round: more than one checkpoint's worth, written flat out.
            for _ in range(300):
                await db.execute("INSERT INTO t VALUES (randomblob(?))", (3 * page,))
            written = time.monotonic()
            # A pause in the traffic: the checkpointer catches up on its own. (Only a
            # checkpoint begun after the last commit proves it: one that caught up in the
            # middle of the round said nothing of what came after, which on a loaded
            # machine let the next round start on a WAL that could not be reused.)
            await _wait_for(lambda t=written: db.housekeeping.caught_up_at > t)
            sizes.append(_wal(path).stat().st_size)
        assert db.housekeeping.checkpoint_frames >= 8 * 300 * 3
        # 8 rounds of ~1,200 pages were written; the WAL is reused, not appended to (it
        # holds at most a round or two: what was written while a checkpoint ran).
        round_bytes = 300 * 3 * page
        assert max(sizes) < 4 * round_bytes
        assert sizes[-1] < 4 * round_bytes
        assert await db.fetch_value("SELECT count(*) FROM t") == 2400
    finally:
        await db.close()
    assert not _wal(path).exists()  # the last connection to close checkpoints and removes it
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 2400
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


async def test_a_reader_pinning_the_wal_never_blocks_writers(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    db = await Database.open(path, busy_timeout_ms=50)
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM t").fetchone()  # holds a snapshot
            for n in range(200):
                await db.execute("INSERT INTO t VALUES (?)", (n,))  # no busy error
            assert db.checkpointer is not None
            _, frames, done = await asyncio.to_thread(db.checkpointer.checkpoint)
            assert frames > done  # the pinned part could not be copied; nobody waited
            reader.execute("COMMIT")
        finally:
            reader.close()
        assert db.checkpointer is not None
        # The background thread may hold the checkpoint lock this instant (PASSIVE then
        # reports busy rather than waiting): ask until one of ours runs.
        for _ in range(100):
            busy, frames, done = await asyncio.to_thread(db.checkpointer.checkpoint)
            if not busy:
                break
            await asyncio.sleep(0.02)
        assert frames == done
    finally:
        await db.close()


def _alert(n: int) -> NewAlert:
    return NewAlert(
        guild_id=1,
        platform="mturk",
        task_key=f"mturk:id:{n}",
        title=f"Survey about gardens number{n}",
        reward_cents=100,
        currency="USD",
        minutes=5,
        hourly_cents=1200,
        sharer_id=10,
    )


async def test_full_text_merges_happen_in_background_steps(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "f.db")
    try:
        await migrate(db)
        db.start_maintenance(interval=3600)  # its rounds stay out of the way of this test
        sql = "SELECT v FROM task_alerts_fts_config WHERE k = 'automerge'"
        for _ in range(500):  # the maintenance task's first act: automerge off
            if await db.fetch_value(sql) == 0:
                break
            await asyncio.sleep(0.01)
        assert await db.fetch_value(sql) == 0
        for n in range(40):  # forty commits: forty level-0 segments without automerge
            await tasks_db.share(db, _alert(n), now=100, expires_at=200)
        steps = 0
        while await db.fts_merge_step("task_alerts_fts", pages=16):
            steps += 1
            assert steps < 100
        assert steps >= 1
        assert db.housekeeping.fts_merges == steps
        found = await tasks_db.search(db, SearchFilters(guild_id=1, match="gardens"), limit=100)
        assert len(found) == 40
        one = await tasks_db.search(db, SearchFilters(guild_id=1, match="number7"))
        assert [a.task_key for a in one] == ["mturk:id:7"]
        await db.execute("INSERT INTO task_alerts_fts (task_alerts_fts) VALUES ('integrity-check')")
    finally:
        await db.close()


async def test_a_merge_step_gives_way_to_a_member_and_is_redone_later(tmp_path: Path) -> None:
    """A statement queued while a merge step runs interrupts the step instead of waiting."""
    db = await Database.open(tmp_path / "g.db")
    try:
        await migrate(db)
        await db.execute(
            "INSERT INTO task_alerts_fts (task_alerts_fts, rank) VALUES ('automerge', 0)"
        )
        for n in range(40):
            await tasks_db.share(db, _alert(n), now=100, expires_at=200)
        loop = asyncio.get_running_loop()
        running = asyncio.Event()
        gave_way = threading.Event()
        raw = db.conn._conn

        def progress() -> int:  # on the database's thread, inside the merge statement
            if not gave_way.is_set():
                loop.call_soon_threadsafe(running.set)
                gave_way.wait(30)
            return 0

        await db.conn._execute(raw.set_progress_handler, progress, 50)
        merge = asyncio.create_task(db.fts_merge_step("task_alerts_fts", pages=1_000))
        await running.wait()  # the step is under way and holds the connection
        give_way = db._preempt
        assert give_way is not None

        def preempt() -> None:
            give_way()
            gave_way.set()

        db._preempt = preempt
        member = asyncio.create_task(db.fetch_value("SELECT count(*) FROM task_alerts"))
        assert await merge is True  # abandoned: its work is still to do
        assert await member == 40
        assert db.housekeeping.fts_merge_interrupts == 1
        assert db.housekeeping.fts_merges == 0
        await db.conn._execute(raw.set_progress_handler, None, 0)
        steps = 0
        while await db.fts_merge_step("task_alerts_fts", pages=16):
            steps += 1
            assert steps < 100
        assert db.housekeeping.fts_merges == steps >= 1
        found = await tasks_db.search(db, SearchFilters(guild_id=1, match="gardens"), limit=100)
        assert len(found) == 40
        await db.execute("INSERT INTO task_alerts_fts (task_alerts_fts) VALUES ('integrity-check')")
    finally:
        await db.close()
