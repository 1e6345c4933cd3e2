"""`open_database` picks the backend from the URL; the shared fixtures run on both."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from db.connection import Database
from db.errors import IntegrityError
from db.postgres.database import PgDatabase
from db.store import Store, open_database, table_names
from db.url import DatabaseUrl


async def test_a_sqlite_url_opens_the_sqlite_store(tmp_path: Path) -> None:
    db = await open_database(DatabaseUrl.sqlite(tmp_path / "s.db"))
    try:
        assert isinstance(db, Database)
        assert db.dialect == "sqlite"
        assert db.url.display == f"SQLite {tmp_path / 's.db'}"
        assert await table_names(db) == []
    finally:
        await db.close()


async def test_a_postgresql_url_opens_a_pool(pg_empty_url: DatabaseUrl) -> None:
    db = await open_database(pg_empty_url, pool_min_size=1, pool_max_size=3)
    try:
        assert isinstance(db, PgDatabase)
        assert db.pool.get_max_size() == 3
        assert await db.fetch_value("SELECT current_database()") == pg_empty_url.database
    finally:
        await db.close()


def test_integrity_error_names_both_drivers_errors() -> None:
    assert sqlite3.IntegrityError in IntegrityError
    assert issubclass(asyncpg.UniqueViolationError, IntegrityError)


async def test_the_store_fixture_gives_a_migrated_store(store: Store) -> None:
    assert "guild_settings" in await table_names(store)
    async with store.transaction():
        assert store.in_transaction
    assert not store.in_transaction


@pytest.mark.both_backends
async def test_the_marker_runs_db_on_each_backend(
    db: Store, request: pytest.FixtureRequest
) -> None:
    # With one backend chosen (ENTRAIDE_TEST_BACKENDS) the test is not parametrised.
    callspec = getattr(request.node, "callspec", None)
    chosen = os.environ.get("ENTRAIDE_TEST_BACKENDS", "sqlite").split(",")[0].strip()
    assert db.dialect == (callspec.params["_db_backend"] if callspec else chosen)
    assert await db.fetch_value("SELECT count(*) FROM guild_settings WHERE guild_id = ?", (1,)) == 0
