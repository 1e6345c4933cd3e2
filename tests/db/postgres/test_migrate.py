"""Migrations on PostgreSQL: the dialect's own folder, a `schema_version` table, one
transaction, and an advisory lock so that processes starting together migrate once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from db import migrate as migrate_module
from db.migrate import MigrationError, current_version, migrate, migrations_dir
from db.postgres.database import PgDatabase
from db.store import open_database, table_names
from db.url import DatabaseUrl
from tests.db.postgres.conftest import ITEMS, NOTES, write_migrations


@pytest.fixture
async def empty(pg_empty_url: DatabaseUrl) -> PgDatabase:
    db = await open_database(pg_empty_url, pool_min_size=1, pool_max_size=4)
    assert isinstance(db, PgDatabase)
    yield db  # type: ignore[misc]
    await db.close()


def test_each_dialect_has_its_folder() -> None:
    assert migrations_dir("sqlite") == migrate_module.MIGRATIONS_DIR
    assert migrations_dir("postgresql") == migrate_module.MIGRATIONS_DIR / "postgresql"


async def test_applies_in_order_and_records_the_version(empty: PgDatabase, tmp_path: Path) -> None:
    directory = write_migrations(tmp_path / "m", ITEMS, NOTES)
    assert await current_version(empty) == 0
    assert await migrate(empty, directory=directory, target=1) == [1]
    assert await current_version(empty) == 1
    assert await migrate(empty, directory=directory) == [2]
    assert await migrate(empty, directory=directory) == []
    assert await empty.fetch_value("SELECT version FROM schema_version") == 2
    assert await empty.fetch_value("SELECT shout('hé')") == "HÉ?"  # the $body$ script ran
    assert await table_names(empty) == ["items", "notes", "schema_version"]


async def test_a_failing_migration_leaves_nothing_behind(empty: PgDatabase, tmp_path: Path) -> None:
    directory = write_migrations(tmp_path / "m", ITEMS, NOTES + "\nSELECT no_such_function();")
    with pytest.raises(Exception, match="no_such_function"):
        await migrate(empty, directory=directory)
    assert await current_version(empty) == 0
    assert await table_names(empty) == []


async def test_two_processes_starting_together_migrate_once(
    pg_empty_url: DatabaseUrl, tmp_path: Path
) -> None:
    directory = write_migrations(tmp_path / "m", ITEMS, NOTES)
    first = await PgDatabase.open(pg_empty_url, min_size=1, max_size=2)
    second = await PgDatabase.open(pg_empty_url, min_size=1, max_size=2)
    try:
        applied = await asyncio.gather(
            migrate(first, directory=directory), migrate(second, directory=directory)
        )
        assert sorted(applied) == [[], [1, 2]]
        assert await first.fetch_value("SELECT count(*) FROM schema_version") == 1
    finally:
        await first.close()
        await second.close()


async def test_a_newer_database_is_refused_without_its_password(
    empty: PgDatabase, tmp_path: Path
) -> None:
    directory = write_migrations(tmp_path / "m", ITEMS, NOTES)
    await migrate(empty, directory=directory)
    older = write_migrations(tmp_path / "old", ITEMS)
    with pytest.raises(MigrationError, match="schema version 2, newer than this code") as caught:
        await migrate(empty, directory=older)
    assert "PostgreSQL" in str(caught.value)


async def test_no_postgresql_schema_is_said_clearly(empty: PgDatabase, tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="no PostgreSQL schema"):
        await migrate(empty, directory=tmp_path / "absent")
