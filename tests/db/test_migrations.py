"""Migrations: an empty database migrates, each migration applies on top of the previous
schema with data in it, and a database newer than the code is refused."""

import contextlib
import sqlite3
from pathlib import Path

import pytest

from db.connection import Database
from db.migrate import MigrationError, current_version, discover, migrate, split_statements


async def test_empty_database_migrates_to_latest(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        applied = await migrate(db)
        latest = discover()[-1].version
        assert applied == list(range(1, latest + 1))
        assert await current_version(db) == latest
        assert await migrate(db) == []  # idempotent
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA integrity_check") == "ok"
    finally:
        await db.close()


def _seed_statements(
    db_tables: dict[str, list[tuple[str, str, int, object]]],
) -> dict[str, dict[str, object]]:
    """One plausible row per table, built from the live schema (NOT NULL columns filled)."""
    rows: dict[str, dict[str, object]] = {}
    for table, columns in db_tables.items():
        row: dict[str, object] = {}
        for name, decl, notnull, default in columns:
            if not notnull or default is not None:
                continue
            kind = decl.upper()
            row[name] = 1 if "INT" in kind else ("x" if "TEXT" in kind else 1)
        rows[table] = row
    return rows


async def test_each_migration_applies_on_top_of_previous_schema_with_data(tmp_path: Path) -> None:
    """Walk the versions one by one; before each step put a row in every table that exists."""
    db = await Database.open(tmp_path / "b.db")
    try:
        await db.execute("PRAGMA foreign_keys = OFF")  # seed rows need not reference each other
        for migration in discover():
            tables = [
                r[0]
                for r in await db.fetch_all(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                info = await db.fetch_all(f"PRAGMA table_info({table})")
                columns = [(r["name"], r["type"], r["notnull"], r["dflt_value"]) for r in info]
                row = _seed_statements({table: columns})[table]
                names = ", ".join(row) or None
                marks = ", ".join("?" * len(row))
                sql = (
                    f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})"
                    if names
                    else f"INSERT INTO {table} DEFAULT VALUES"
                )
                with contextlib.suppress(sqlite3.Error):  # a CHECK may refuse the generic row
                    await db.execute(sql, list(row.values()))
            counts_before = {t: await db.fetch_value(f"SELECT count(*) FROM {t}") for t in tables}
            await migrate(db, target=migration.version)
            assert await current_version(db) == migration.version
            for table, count in counts_before.items():
                still = await db.fetch_value(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?", (table,)
                )
                if still:
                    assert await db.fetch_value(f"SELECT count(*) FROM {table}") >= count, (
                        f"{migration.name} lost rows of {table}"
                    )
        assert await db.fetch_value("PRAGMA integrity_check") == "ok"
    finally:
        await db.close()


async def test_refuses_database_newer_than_code(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.db")
    try:
        await db.execute("PRAGMA user_version = 999")
        with pytest.raises(MigrationError, match="newer than this code"):
            await migrate(db)
    finally:
        await db.close()


async def test_failed_migration_rolls_back_everything(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_one.sql").write_text("CREATE TABLE one (id INTEGER PRIMARY KEY);")
    (directory / "0002_two.sql").write_text(
        "CREATE TABLE two (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);"
    )
    db = await Database.open(tmp_path / "d.db")
    try:
        with pytest.raises(Exception, match="nowhere"):
            await migrate(db, directory=directory)
        assert await current_version(db) == 0
        assert (
            await db.fetch_value("SELECT count(*) FROM sqlite_master WHERE name IN ('one', 'two')")
            == 0
        )
    finally:
        await db.close()


def test_split_statements_keeps_triggers_whole() -> None:
    script = """
    -- a comment
    CREATE TABLE t (a INTEGER);
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET a = a + 1;
        SELECT 1;
    END;
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [m.version for m in discover()]
    assert versions == list(range(1, len(versions) + 1))
