import asyncio
import sqlite3
from pathlib import Path

import pytest

from db.connection import Database, DatabaseBusyError


async def test_transaction_commits_or_rolls_back(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO members (user_id, created_at, updated_at) VALUES (1, 0, 0)")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO members (user_id, created_at, updated_at) VALUES (2, 0, 0)"
            )
            raise RuntimeError("abort")
    ids = [r[0] for r in await db.fetch_all("SELECT user_id FROM members ORDER BY user_id")]
    assert ids == [1]


async def test_helpers_usable_inside_a_transaction(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO members (user_id, created_at, updated_at) VALUES (5, 0, 0)")
        assert await db.fetch_value("SELECT count(*) FROM members") == 1


async def test_other_coroutines_never_land_inside_an_open_transaction(db: Database) -> None:
    started = asyncio.Event()

    async def long_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO members (user_id, created_at, updated_at) VALUES (10, 0, 0)"
                )
                started.set()
                await asyncio.sleep(0)
                await asyncio.sleep(0)
                raise RuntimeError("rolled back")

    async def single_write() -> None:
        await started.wait()
        await db.execute("INSERT INTO members (user_id, created_at, updated_at) VALUES (11, 0, 0)")

    await asyncio.gather(long_transaction(), single_write())
    ids = [r[0] for r in await db.fetch_all("SELECT user_id FROM members")]
    assert ids == [11]  # the single write survived the other's rollback


async def test_locked_database_raises_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    db = await Database.open(path, busy_timeout_ms=50)
    await db.execute("CREATE TABLE t (a INTEGER)")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusyError):
            await db.execute("INSERT INTO t VALUES (1)")
    finally:
        other.execute("ROLLBACK")
        other.close()
    await db.execute("INSERT INTO t VALUES (2)")
    assert await db.fetch_value("SELECT count(*) FROM t") == 1
    await db.close()


@pytest.mark.sqlite_only(reason="SQLite's online backup API; PostgreSQL is backed up with pg_dump")
async def test_online_backup(db: Database, tmp_path: Path) -> None:
    await db.execute("INSERT INTO members (user_id, created_at, updated_at) VALUES (7, 0, 0)")
    target = tmp_path / "backup" / "copy.db"
    await db.backup_to(target)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT user_id FROM members").fetchall() == [(7,)]
    finally:
        copy.close()
