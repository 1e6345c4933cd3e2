"""`PgDatabase` behaves as repositories expect of `db.connection.Database`."""

from __future__ import annotations

import asyncio

import pytest

from db.errors import DatabaseBusyError, IntegrityError
from db.postgres.database import PgDatabase


async def _add(pg: PgDatabase, name: str, qty: int = 0) -> int:
    return int(
        await pg.fetch_value(
            "INSERT INTO items (name, qty) VALUES (?, ?) RETURNING id", (name, qty)
        )
    )


async def test_dialect_and_url_say_what_it_is(pg: PgDatabase) -> None:
    assert pg.dialect == "postgresql"
    assert pg.path is None
    assert pg.url.display == f"PostgreSQL {pg.url.socket_dir}, database {pg.url.database}"


async def test_rows_read_like_sqlite_rows(pg: PgDatabase) -> None:
    await _add(pg, "a", 3)
    row = await pg.fetch_one("SELECT id, name, qty FROM items WHERE name = :name", {"name": "a"})
    assert row is not None
    assert row[1] == "a" and row["qty"] == 3
    assert list(row.keys()) == ["id", "name", "qty"]
    assert dict(row) == {"id": 1, "name": "a", "qty": 3}
    assert tuple(row) == (1, "a", 3)
    assert await pg.fetch_one("SELECT * FROM items WHERE name = ?", ("none",)) is None
    assert await pg.fetch_value("SELECT count(*) FROM items") == 1
    assert await pg.fetch_value("SELECT qty FROM items WHERE name = ?", ("none",)) is None


async def test_execute_returns_the_affected_row_count(pg: PgDatabase) -> None:
    assert await pg.execute("INSERT INTO items (name) VALUES (?), (?)", ("a", "b")) == 2
    assert await pg.execute("UPDATE items SET qty = qty + 1") == 2
    assert await pg.execute("UPDATE items SET qty = 9 WHERE name = ?", ("zzz",)) == 0
    assert await pg.execute("DELETE FROM items WHERE name = ?1", ("a",)) == 1
    assert await pg.execute("CREATE INDEX items_qty ON items (qty)") == -1  # as sqlite3


async def test_execute_many_writes_every_row_in_one_transaction(pg: PgDatabase) -> None:
    await pg.execute_many("INSERT INTO items (name, qty) VALUES (?, ?)", [("a", 1), ("b", 2)])
    assert await pg.fetch_value("SELECT sum(qty) FROM items") == 3
    with pytest.raises(IntegrityError):
        await pg.execute_many("INSERT INTO items (name) VALUES (?)", [("c",), ("a",)])
    assert await pg.fetch_value("SELECT count(*) FROM items WHERE name = 'c'") == 0


async def test_cursor_awaited_or_entered_reads_rows_and_rowcount(pg: PgDatabase) -> None:
    await pg.execute("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')")
    async with pg.transaction() as tx:
        cursor = await tx.execute("SELECT name FROM items ORDER BY name")
        assert (await cursor.fetchone())["name"] == "a"
        assert [r[0] for r in await cursor.fetchall()] == ["b", "c"]
        assert await cursor.fetchone() is None
        assert cursor.rowcount == -1
        await cursor.close()
        async with tx.execute(
            "UPDATE items SET qty = 1 WHERE name <> ? RETURNING name", ("a",)
        ) as c:
            assert sorted(r[0] for r in await c.fetchall()) == ["b", "c"]
            assert c.rowcount == 2
        deleted = await tx.execute("DELETE FROM items WHERE qty = :q", {"q": 1})
        assert deleted.rowcount == 2
        many = await tx.executemany("UPDATE items SET qty = ? WHERE name = ?", [(5, "a"), (6, "x")])
        assert many.rowcount == 1
        assert [r[0] for r in await tx.execute_fetchall("SELECT qty FROM items")] == [5]


async def test_helpers_inside_a_transaction_join_it_and_an_error_rolls_it_back(
    pg: PgDatabase,
) -> None:
    class Oops(Exception):
        pass

    with pytest.raises(Oops):
        async with pg.transaction():
            assert pg.in_transaction
            await _add(pg, "a")
            assert await pg.fetch_value("SELECT count(*) FROM items") == 1  # sees its own write
            raise Oops
    assert not pg.in_transaction
    assert await pg.fetch_value("SELECT count(*) FROM items") == 0


async def test_nested_transaction_is_a_savepoint(pg: PgDatabase) -> None:
    async with pg.transaction():
        await _add(pg, "outer")
        with pytest.raises(IntegrityError):
            async with pg.transaction():
                await _add(pg, "inner")
                await _add(pg, "outer")  # duplicate: only the savepoint is undone
    names = [r[0] for r in await pg.fetch_all("SELECT name FROM items")]
    assert names == ["outer"]


async def test_another_task_does_not_see_an_open_transaction(pg: PgDatabase) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with pg.transaction():
            await _add(pg, "pending")
            started.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await started.wait()
    assert not pg.in_transaction
    assert await pg.fetch_value("SELECT count(*) FROM items") == 0  # not committed yet
    release.set()
    await task
    assert await pg.fetch_value("SELECT count(*) FROM items") == 1


async def test_integrity_errors_are_the_shared_type(pg: PgDatabase) -> None:
    await _add(pg, "a")
    with pytest.raises(IntegrityError):
        await _add(pg, "a")
    with pytest.raises(IntegrityError):
        await pg.execute("INSERT INTO notes (item_id, body) VALUES (?, ?)", (999, "x"))
    with pytest.raises(IntegrityError):
        await pg.execute("UPDATE items SET qty = -1")


async def test_many_coroutines_writing_at_once_lose_nothing(pg: PgDatabase) -> None:
    item = await _add(pg, "counter")

    async def bump(i: int) -> None:
        async with pg.transaction() as tx:
            await tx.execute("UPDATE items SET qty = qty + 1 WHERE id = ?", (item,))
            await tx.execute("INSERT INTO notes (item_id, body) VALUES (?, ?)", (item, f"n{i}"))
        await pg.execute("INSERT INTO items (name) VALUES (?)", (f"row{i}",))

    await asyncio.gather(*(bump(i) for i in range(200)))
    assert await pg.fetch_value("SELECT qty FROM items WHERE id = ?", (item,)) == 200
    assert await pg.fetch_value("SELECT count(*) FROM notes") == 200
    assert await pg.fetch_value("SELECT count(*) FROM items") == 201


async def test_a_lock_wait_past_the_busy_timeout_is_busy_not_a_crash(
    pg: PgDatabase, pg_empty_url: object
) -> None:
    impatient = await PgDatabase.open(pg.url, busy_timeout_ms=100, min_size=1, max_size=2)
    await _add(pg, "a")
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with pg.transaction() as tx:
            await tx.execute("UPDATE items SET qty = 1 WHERE name = 'a'")
            holding.set()
            await release.wait()

    task = asyncio.create_task(holder())
    try:
        await holding.wait()
        with pytest.raises(DatabaseBusyError):
            await impatient.execute("UPDATE items SET qty = 2 WHERE name = 'a'")
    finally:
        release.set()
        await task
        await impatient.close()
    assert await pg.fetch_value("SELECT qty FROM items") == 1


async def test_a_deadlock_is_busy(pg: PgDatabase) -> None:
    await _add(pg, "a")
    await _add(pg, "b")
    both = asyncio.Barrier(2)

    async def cross(first: str, second: str) -> None:
        async with pg.transaction() as tx:
            await tx.execute("UPDATE items SET qty = qty + 1 WHERE name = ?", (first,))
            await both.wait()
            await tx.execute("UPDATE items SET qty = qty + 1 WHERE name = ?", (second,))

    results = await asyncio.gather(cross("a", "b"), cross("b", "a"), return_exceptions=True)
    assert sum(isinstance(r, DatabaseBusyError) for r in results) == 1
    assert sum(r is None for r in results) == 1


async def test_a_connection_returned_mid_transaction_comes_back_clean(pg: PgDatabase) -> None:
    conn = await pg.pool.acquire()
    await conn.execute("BEGIN")
    await conn.execute("INSERT INTO items (name) VALUES ('never committed')")
    await pg.pool.release(conn)
    again = await pg.pool.acquire()
    try:
        assert not again.is_in_transaction()
    finally:
        await pg.pool.release(again)
    assert await pg.fetch_value("SELECT count(*) FROM items") == 0
