"""`db.copy_store`: a store with rows in every table goes SQLite → PostgreSQL → SQLite
unchanged, all or nothing, verified; and what must be refused is refused, untouched."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.connection import Database
from db.copy_store import DERIVED, FULL_TEXT, CopyStoreError, copier, copy_store
from db.copy_store.checksum import TableSum, UnsupportedValueError, row_digest
from db.copy_store.copier import foreign_key_order
from db.copy_store.sides import PgSide, SqliteSide
from db.migrate import discover, migrate
from db.ops import InstanceLock
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl
from tests.db.copy_store_data import AWKWARD_TEXT, BIG, build, user_tables

LATEST = discover()[-1].version


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("copy-store") / "source.db"
    empty = build(path)
    assert not empty, f"tables the test data leaves empty: {empty}"
    return path


@pytest.fixture
def source(built_store: Path, tmp_path: Path) -> DatabaseUrl:
    path = tmp_path / "source.db"
    shutil.copy(built_store, path)
    return DatabaseUrl.sqlite(path)


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in user_tables(conn)
        }
    finally:
        conn.close()


async def pg_rows(url: DatabaseUrl, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(url.dsn())
    try:
        return {
            table: sorted(
                (tuple(r) for r in await conn.fetch(f'SELECT * FROM "{table}"')), key=repr
            )
            for table in tables
        }
    finally:
        await conn.close()


async def pg_counts(url: DatabaseUrl) -> dict[str, int]:
    conn = await asyncpg.connect(url.dsn())
    try:
        side = PgSide(conn, url)
        return {t: await side.count(t) for t in await side.tables()}
    finally:
        await conn.close()


def test_the_test_store_has_rows_in_every_table(built_store: Path) -> None:
    rows = sqlite_rows(built_store)
    assert len(rows) >= 30
    assert [t for t, r in rows.items() if not r] == []


async def test_sqlite_to_postgresql_to_sqlite_keeps_every_row(
    source: DatabaseUrl, pg_empty_url: DatabaseUrl, tmp_path: Path
) -> None:
    lines: list[str] = []
    report = await copy_store(source, pg_empty_url, progress=lines.append)
    assert report.schema_version == LATEST
    before = sqlite_rows(source.path)  # type: ignore[arg-type]
    copied = {t.name: t for t in report.tables}
    assert set(copied) == set(before) | FULL_TEXT
    for table, rows in before.items():
        assert copied[table].rows == len(rows), table
    assert {t.how for t in report.tables if t.name in DERIVED} == {
        "rebuilt by triggers",
        "index checked",
    }
    assert any(line.strip().startswith("task_alerts ") for line in lines)  # progress per table

    # Every row on PostgreSQL, value for value (`earnings_daily` rebuilt by its triggers).
    on_pg = await pg_rows(pg_empty_url, sorted(before))
    assert on_pg == before

    back = DatabaseUrl.sqlite(tmp_path / "back" / "store.db")
    again = await copy_store(pg_empty_url, back)
    assert sqlite_rows(back.path) == before  # type: ignore[arg-type]
    assert {t.name: t.checksum for t in again.tables} == {t.name: t.checksum for t in report.tables}

    # The full-text indexes answer on both copies as on the source.
    conn = await asyncpg.connect(pg_empty_url.dsn())
    try:
        found_pg = await conn.fetchval(
            "SELECT array_agg(alert_id ORDER BY alert_id) FROM task_alerts_fts "
            'WHERE document @@ entraide_fts_query(\'"etudes"* "cafe"*\')'
        )
    finally:
        await conn.close()
    for path in (source.path, back.path):
        with sqlite3.connect(path) as db:  # type: ignore[arg-type]
            found = [
                r[0]
                for r in db.execute(
                    "SELECT rowid FROM task_alerts_fts WHERE task_alerts_fts MATCH "
                    '\'"etudes"* "cafe"*\' ORDER BY rowid'
                )
            ]
        assert found == found_pg and len(found) == 1
    assert any(AWKWARD_TEXT in row for row in on_pg["task_alerts"])
    assert BIG in {v for row in on_pg["members"] for v in row} | {
        v for row in on_pg["alert_threads"] for v in row
    }


async def test_identity_sequences_continue_after_the_copied_ids(
    source: DatabaseUrl, pg_empty_url: DatabaseUrl
) -> None:
    await copy_store(source, pg_empty_url)
    conn = await asyncpg.connect(pg_empty_url.dsn())
    try:
        identities = await PgSide(conn, pg_empty_url).identity_columns()
        assert len(identities) >= 13
        for table, column in identities:
            top = await conn.fetchval(f'SELECT max("{column}") FROM "{table}"')
            following = await conn.fetchval(
                "SELECT nextval(pg_get_serial_sequence($1, $2))", f'"{table}"', column
            )
            assert following > top, table
    finally:
        await conn.close()
    db = await PgDatabase.open(pg_empty_url, min_size=1, max_size=1)
    try:
        top = await db.fetch_value("SELECT max(id) FROM requesters")
        new_id = await db.fetch_value(
            "INSERT INTO requesters (platform, name, name_key, created_at, updated_at) "
            "VALUES ('mturk', 'After The Copy', 'after the copy', 1, 1) RETURNING id"
        )
        assert new_id > top
    finally:
        await db.close()


async def test_a_target_with_rows_is_refused_and_left_untouched(
    source: DatabaseUrl, pg_url: DatabaseUrl, tmp_path: Path
) -> None:
    db = await PgDatabase.open(pg_url, min_size=1, max_size=1)
    try:
        await db.execute("INSERT INTO members (user_id, created_at, updated_at) VALUES (42, 1, 1)")
    finally:
        await db.close()
    before = await pg_counts(pg_url)
    with pytest.raises(CopyStoreError, match=r"^the target .* is not empty: 1 rows in members"):
        await copy_store(source, pg_url)
    assert await pg_counts(pg_url) == before

    # On SQLite too, and a changed built-in row counts as a row.
    target = tmp_path / "target.db"
    store = await Database.open(target)
    await migrate(store)
    await store.execute("UPDATE platforms SET name = 'Renamed' WHERE id = 1")
    await store.close()
    with pytest.raises(CopyStoreError, match="not empty: 6 rows in platforms"):
        await copy_store(source, DatabaseUrl.sqlite(target))


async def test_a_new_target_holding_only_the_built_in_rows_is_accepted(
    source: DatabaseUrl, pg_url: DatabaseUrl
) -> None:
    """`pg_url` is migrated already (as after `python -m bot check`): still a new store."""
    report = await copy_store(source, pg_url)
    assert report.rows > 0


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), asyncio.CancelledError()])
async def test_a_failure_mid_copy_leaves_the_target_empty(
    source: DatabaseUrl,
    pg_empty_url: DatabaseUrl,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
) -> None:
    real = copier._copy_table
    done: list[str] = []

    async def failing(*args: Any, **kwargs: Any) -> TableSum:
        if args[2] == "task_votes":  # among the last: most tables are written by then
            raise failure
        total = await real(*args, **kwargs)
        done.append(args[2])
        return total

    monkeypatch.setattr(copier, "_copy_table", failing)
    with pytest.raises(type(failure)):
        await copy_store(source, pg_empty_url)
    counts = await pg_counts(pg_empty_url)
    assert counts.pop("platforms") == 6  # what a new store holds
    assert set(counts.values()) == {0}, counts
    assert {"members", "task_alerts", "earnings"} <= set(done)  # written, then rolled back


async def test_a_verification_difference_rolls_back_and_names_the_table(
    source: DatabaseUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = SqliteSide.write

    async def lossy(self: SqliteSide, table: str, columns: Any, rows: Any) -> None:
        async def fewer() -> AsyncIterator[list[tuple[Any, ...]]]:
            async for batch in rows:
                yield batch[:-1] if table == "members" else batch

        await real(self, table, columns, fewer())

    monkeypatch.setattr(SqliteSide, "write", lossy)
    target = tmp_path / "target.db"
    with pytest.raises(CopyStoreError, match="verification failed for members"):
        await copy_store(source, DatabaseUrl.sqlite(target))
    counts = {t: len(r) for t, r in sqlite_rows(target).items()}
    assert counts.pop("platforms") == 6
    assert set(counts.values()) == {0}


async def test_a_source_at_another_schema_version_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    store = await Database.open(old)
    await migrate(store, target=LATEST - 1)
    await store.close()
    target = DatabaseUrl.sqlite(tmp_path / "target.db")
    with pytest.raises(CopyStoreError, match=f"older than this code's {LATEST}: start the bot"):
        await copy_store(DatabaseUrl.sqlite(old), target)
    left = await asyncio.to_thread(os.listdir, tmp_path)
    assert not [name for name in left if name.startswith("target")]  # not touched

    with sqlite3.connect(old) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(CopyStoreError, match="newer than this code knows"):
        await copy_store(DatabaseUrl.sqlite(old), target)
    with pytest.raises(CopyStoreError, match="does not exist"):
        await copy_store(DatabaseUrl.sqlite(tmp_path / "missing.db"), target)
    (tmp_path / "text.db").write_text("not a database")
    with pytest.raises(CopyStoreError, match="not a SQLite database"):
        await copy_store(DatabaseUrl.sqlite(tmp_path / "text.db"), target)


async def test_the_same_store_twice_is_refused(source: DatabaseUrl) -> None:
    with pytest.raises(CopyStoreError, match="the same store"):
        await copy_store(source, DatabaseUrl.sqlite(str(source.path) + "/../source.db"))


async def test_a_running_bot_on_either_side_is_refused(
    source: DatabaseUrl, pg_empty_url: DatabaseUrl, tmp_path: Path
) -> None:
    running = r"the source .* is in use: Entraide is running"
    with InstanceLock(source.path), pytest.raises(CopyStoreError, match=running):  # type: ignore[arg-type]
        await copy_store(source, pg_empty_url)
    bot = await PgDatabase.open(pg_empty_url, min_size=1, max_size=1)  # as the bot connects
    try:
        with pytest.raises(CopyStoreError, match=r"the target .* is in use"):
            await copy_store(source, pg_empty_url)
    finally:
        await bot.close()
    assert await pg_counts(pg_empty_url) == {}


def test_tables_go_after_the_tables_they_reference() -> None:
    parents = {"a": set(), "b": {"a", "b"}, "c": {"b", "x"}, "d": set()}
    assert foreign_key_order(parents, ["c", "b", "a", "d"]) == ["a", "d", "b", "c"]
    with pytest.raises(CopyStoreError, match="cycle"):
        foreign_key_order({"a": {"b"}, "b": {"a"}}, ["a", "b"])


def test_the_checksum_ignores_order_and_tells_types_apart() -> None:
    one, other = TableSum(), TableSum()
    rows = [(1, "a", None), (2, "b", b"\x00"), (3, "", 0)]
    one.add(rows)
    other.add(reversed(rows))
    assert one.matches(other) and one.rows == 3
    assert row_digest((1,)) != row_digest(("1",))
    assert row_digest((None,)) != row_digest(("",))
    assert row_digest(("ab", "c")) != row_digest(("a", "bc"))
    assert row_digest((True, memoryview(b"x"))) == row_digest((1, b"x"))
    with pytest.raises(UnsupportedValueError, match="Decimal"):
        row_digest((Decimal("1.5"),))
    changed = TableSum()
    changed.add([(1, "a", None), (2, "b", b"\x00"), (3, "", 1)])
    assert not changed.matches(one)


def test_derived_lists_every_table_an_insert_trigger_fills(built_store: Path) -> None:
    """A new trigger that fills a table on insert must be declared (or the copy doubles it)."""
    with sqlite3.connect(built_store) as conn:
        bodies = [
            sql
            for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
            if re.search(r"AFTER\s+INSERT\s+ON", sql, re.IGNORECASE)
        ]
    filled = {
        name for sql in bodies for name in re.findall(r"INSERT\s+INTO\s+(\w+)", sql, re.IGNORECASE)
    }
    assert filled == set(DERIVED)


async def test_the_full_text_checks_catch_a_broken_index(
    source: DatabaseUrl, pg_empty_url: DatabaseUrl
) -> None:
    await copy_store(source, pg_empty_url)
    conn = await asyncpg.connect(pg_empty_url.dsn())
    try:
        side = PgSide(conn, pg_empty_url)
        assert await side.full_text_problem("task_alerts_fts") is None
        await conn.execute(
            "DELETE FROM task_alerts_fts WHERE alert_id = (SELECT min(id) FROM task_alerts)"
        )
        assert await side.full_text_problem("task_alerts_fts") == (
            "1 alerts without their full-text row, 0 rows without an alert"
        )
    finally:
        await conn.close()

    lite = await SqliteSide.open(source, read_only=False)
    try:
        assert await lite.full_text_problem("task_alerts_fts") is None
        await lite.conn.execute(
            "INSERT INTO task_alerts_fts (task_alerts_fts, rowid, title, requester_name) "
            "SELECT 'delete', id, title, requester_name FROM task_alerts ORDER BY id LIMIT 1"
        )
        assert await lite.full_text_problem("task_alerts_fts") is not None
    finally:
        await lite.close()
