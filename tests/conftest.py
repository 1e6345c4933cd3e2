"""Fixtures every test can use: settings on a temporary database, a controlled clock, a
migrated database (on SQLite, or on both backends), and the offline harness with a real bot.

PostgreSQL: `pg_server` (the session's server, see tests/postgres.py), `pg_empty_url` (a
fresh empty database), `pg_url` (a fresh migrated one), `store` (a migrated store, run once
per backend) and the `both_backends` marker, which runs a module's or test's `db` cases on
SQLite and on PostgreSQL. tests/README.md says how to use them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from db.connection import Database
from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.store import Store
from db.url import DatabaseUrl
from tests.harness.driver import DEFAULT_NOW, Harness, configure_server, test_settings
from tests.postgres import PgTestServer, start_server


@pytest.fixture
def settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _db_backend: DatabaseUrl | None
) -> Settings:
    """The bot's settings on a temporary store; under `both_backends`, each backend in turn
    (the harness then runs the whole bot on that store)."""
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    base = test_settings(tmp_path)
    if _db_backend is None:
        return base
    return base.model_copy(update={"database_url": _db_backend.dsn()})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DEFAULT_NOW)


BACKENDS = ["sqlite", "postgresql"]
_pg_skip_reason: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_backends: run the test's `db` fixture and harness on SQLite and on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test checks something only SQLite has; never on PostgreSQL",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "_db_backend" not in metafunc.fixturenames:  # asked for by `db` and `settings`
        return
    # Every test that uses the store runs on both backends unless told otherwise
    # (`ENTRAIDE_TEST_BACKENDS=sqlite` for a quick run; PostgreSQL cases skip, with one
    # line saying why, when no server can start).
    forced = os.environ.get("ENTRAIDE_TEST_BACKENDS", "both").strip().lower()
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return  # tests what only SQLite has (PRAGMAs, WAL, FTS5 merges, query plans)
    if forced == "sqlite":
        return
    # "postgresql": every store-using test there only (a porting aid).
    backends = ("postgresql",) if forced == "postgresql" else BACKENDS
    metafunc.parametrize("_db_backend", backends, indirect=True, ids=list(backends))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _pg_skip_reason:
        terminalreporter.write_line(f"PostgreSQL tests skipped: {_pg_skip_reason[0]}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgTestServer]:
    """The session's PostgreSQL server (skips the test, once explained, if there is none)."""
    started = start_server()
    if isinstance(started, str):
        _pg_skip_reason.append(started)
        pytest.skip(f"PostgreSQL tests skipped: {started}")
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
async def pg_empty_url(pg_server: PgTestServer) -> AsyncIterator[DatabaseUrl]:
    """A fresh, empty PostgreSQL database for this test (dropped after it)."""
    url = await pg_server.create_database()
    yield url
    await pg_server.drop_database(url)


@pytest.fixture
async def pg_url(pg_server: PgTestServer) -> AsyncIterator[DatabaseUrl]:
    """A fresh PostgreSQL database with Entraide's schema, copied from the session template."""
    if pg_server.template_error:
        pytest.fail(pg_server.template_error)
    if pg_server.template is None:
        pytest.skip("no PostgreSQL schema in this version (db/migrations/postgresql/)")
    url = await pg_server.create_database(template=pg_server.template)
    yield url
    await pg_server.drop_database(url)


def _backend_url(request: pytest.FixtureRequest) -> DatabaseUrl | None:
    """None for SQLite; for PostgreSQL a fresh migrated database (sync, so that the
    async `pg_url` fixture is set up by pytest-asyncio, not inside a running loop)."""
    backend = getattr(request, "param", "sqlite")
    return request.getfixturevalue("pg_url") if backend == "postgresql" else None


@pytest.fixture(params=BACKENDS)
def _store_backend(request: pytest.FixtureRequest) -> DatabaseUrl | None:
    return _backend_url(request)


@pytest.fixture
def _db_backend(request: pytest.FixtureRequest) -> DatabaseUrl | None:
    return _backend_url(request)


async def _open_store(url: DatabaseUrl | None, tmp_path: Path) -> Store:
    if url is not None:
        return await PgDatabase.open(url, min_size=1, max_size=4)
    database = await Database.open(tmp_path / "store.db")
    await migrate(database)
    return database


@pytest.fixture
async def store(_store_backend: DatabaseUrl | None, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store, once on SQLite and once on PostgreSQL."""
    opened = await _open_store(_store_backend, tmp_path)
    yield opened
    await opened.close()


@pytest.fixture
async def db(_db_backend: DatabaseUrl | None, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite store; under `both_backends`, each backend in turn."""
    opened = await _open_store(_db_backend, tmp_path)
    yield opened  # type: ignore[misc]
    await opened.close()


@pytest.fixture
def extensions() -> list[str] | None:
    """The features the harness loads: all of them, unless a feature's conftest narrows it."""
    return None


@pytest.fixture
async def harness(
    settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    extensions: list[str] | None,
) -> AsyncIterator[Harness]:
    h = await Harness.start(settings, clock, monkeypatch, extensions=extensions)
    yield h
    await h.stop()
    assert not h.api.unhandled, f"the bot called routes the fake does not know: {h.api.unhandled}"


@pytest.fixture
async def configured(harness: Harness) -> Harness:
    """The harness with the server already set up: alerts, moderators, digest channels."""
    return await configure_server(harness)
