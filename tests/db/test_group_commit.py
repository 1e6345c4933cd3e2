"""Group commit (db/group_commit.py): queued one-statement writes share one transaction.

What must not change: a call returns only once its write is committed, a failing
statement fails alone, and a transaction block never mixes with the group.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from db.connection import Database
from db.group_commit import GROUP_COMMIT_MAX


@pytest.fixture
async def store(tmp_path: Path) -> Database:
    db = await Database.open(tmp_path / "g.db")
    await db.execute("CREATE TABLE t (x INTEGER PRIMARY KEY, note TEXT)")
    yield db  # type: ignore[misc]
    await db.close()


async def test_concurrent_writes_share_commits_and_return_only_once_committed(
    store: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "g.db")  # another process's view of the file
    seen: list[bool] = []

    async def write(n: int) -> None:
        await store.execute("INSERT INTO t (x) VALUES (?)", (n,))
        seen.append(other.execute("SELECT 1 FROM t WHERE x = ?", (n,)).fetchone() is not None)

    try:
        await asyncio.gather(*(write(n) for n in range(200)))
    finally:
        other.close()
    assert seen == [True] * 200  # every caller's row was committed when its call returned
    stats = store.housekeeping
    assert stats.group_commits >= 200 // GROUP_COMMIT_MAX
    assert stats.group_commits < 200  # far fewer commits than writes
    assert await store.fetch_value("SELECT count(*) FROM t") == 200


async def test_a_failing_statement_in_a_group_fails_alone(store: Database) -> None:
    await store.execute("INSERT INTO t (x) VALUES (7)")

    async def write(n: int) -> int:
        return await store.execute("INSERT INTO t (x) VALUES (?)", (n,))

    results = await asyncio.gather(*(write(n) for n in range(20)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 1 and isinstance(failed[0], sqlite3.IntegrityError)
    assert results[7] is failed[0]
    assert store.housekeeping.group_commits >= 1
    assert await store.fetch_value("SELECT count(*) FROM t") == 20  # 0..19, 7 once


async def test_reads_in_a_group_see_the_group_and_wait_for_its_commit(store: Database) -> None:
    async def write(n: int) -> None:
        await store.execute("INSERT INTO t (x) VALUES (?)", (n,))

    async def read() -> int:
        return int(await store.fetch_value("SELECT count(*) FROM t"))

    results = await asyncio.gather(write(1), write(2), read(), write(3), read())
    assert results[2] in (2, 3) and results[4] == 3


async def test_a_transaction_block_never_joins_or_undoes_a_group(store: Database) -> None:
    async def write(n: int) -> None:
        await store.execute("INSERT INTO t (x) VALUES (?)", (n,))

    async def failing_block() -> None:
        with pytest.raises(RuntimeError):
            async with store.transaction() as tx:
                await tx.execute("INSERT INTO t (x) VALUES (1000)")
                raise RuntimeError("rolled back")

    await asyncio.gather(*(write(n) for n in range(10)), failing_block(), write(10))
    rows = [r[0] for r in await store.fetch_all("SELECT x FROM t ORDER BY x")]
    assert rows == list(range(11))


async def test_a_cancelled_caller_does_not_strand_the_group(store: Database) -> None:
    async def write(n: int) -> None:
        await store.execute("INSERT INTO t (x) VALUES (?)", (n,))

    tasks = [asyncio.create_task(write(n)) for n in range(30)]
    await asyncio.sleep(0)
    tasks[3].cancel()
    tasks[17].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    # Everyone else was answered; the database is usable and not left in a transaction.
    await write(100)
    count = await store.fetch_value("SELECT count(*) FROM t")
    assert 29 <= count <= 31
    async with store.transaction() as tx:
        await tx.execute("INSERT INTO t (x) VALUES (101)")


async def test_statements_queued_behind_a_busy_connection_share_hops(store: Database) -> None:
    """A burst crosses to the database thread once per group, not once per statement."""
    hops = 0
    execute = store.conn._execute

    async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal hops
        hops += 1
        return await execute(fn, *args, **kwargs)

    store.conn._execute = counted  # type: ignore[method-assign]
    try:
        await asyncio.gather(
            *(store.execute("INSERT INTO t (x) VALUES (?)", (n,)) for n in range(200))
        )
    finally:
        store.conn._execute = execute  # type: ignore[method-assign]
    assert await store.fetch_value("SELECT count(*) FROM t") == 200
    assert hops <= 200 // GROUP_COMMIT_MAX + 3  # the first alone, then full groups


async def test_a_group_that_cannot_even_roll_back_still_answers_everyone(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(group: list[object]) -> list[object]:
        raise sqlite3.OperationalError("disk I/O error")

    async def write(n: int) -> int:
        return await store.execute("INSERT INTO t (x) VALUES (?)", (n,))

    first = asyncio.create_task(write(0))  # holds the connection: the rest queue
    await asyncio.sleep(0)
    monkeypatch.setattr(store, "_run_group", broken)
    results = await asyncio.wait_for(
        asyncio.gather(first, *(write(n) for n in range(1, 10)), return_exceptions=True),
        timeout=5,
    )
    assert results[0] == 1
    assert all(isinstance(r, sqlite3.OperationalError) for r in results[1:])
    monkeypatch.undo()
    assert await store.execute("INSERT INTO t (x) VALUES (99)") == 1  # still usable


async def test_pragmas_and_transaction_statements_never_run_inside_a_group(
    store: Database,
) -> None:
    seen: list[tuple[str, bool]] = []
    run_group = store._run_group

    def noted(group: list) -> list:  # type: ignore[type-arg]
        raw = store.conn._conn
        seen.extend((call.sql.split()[0], len(group) > 1) for call in group)
        assert raw is not None
        return run_group(group)

    store._run_group = noted  # type: ignore[method-assign]
    try:
        calls = [store.execute("INSERT INTO t (x) VALUES (?)", (n,)) for n in range(5)]
        calls.insert(2, store.fetch_all("PRAGMA journal_mode"))
        await asyncio.gather(*calls)
    finally:
        store._run_group = run_group  # type: ignore[method-assign]
    assert ("PRAGMA", False) in seen  # alone in its hop
    assert await store.fetch_value("SELECT count(*) FROM t") == 5
