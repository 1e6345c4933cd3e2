"""The server goes away: members get "try again" (`DatabaseBusyError`), never a traceback,
and the same `PgDatabase` works again once the server is back, with no restart of the bot.

Runs on a server of its own, so stopping it does not disturb the session's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.errors import DatabaseBusyError
from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.postgres.errors import OneLinePoolWarnings, quiet_pool_warnings
from tests.db.postgres.conftest import ITEMS, write_migrations
from tests.postgres import PgTestServer, start_server


@pytest.fixture
def own_server(pg_server: PgTestServer) -> Iterator[PgTestServer]:
    started = start_server()
    if isinstance(started, str):
        pytest.skip(f"PostgreSQL tests skipped: {started}")
    yield started
    started.stop()


async def test_server_down_is_busy_and_the_pool_recovers_when_it_returns(
    own_server: PgTestServer, tmp_path: Path
) -> None:
    url = await own_server.create_database()
    db = await PgDatabase.open(url, min_size=2, max_size=4, acquire_timeout=5)
    try:
        await migrate(db, directory=write_migrations(tmp_path / "m", ITEMS))
        await db.execute("INSERT INTO items (name) VALUES (?)", ("before",))

        await asyncio.to_thread(own_server.stop_postgres)
        for _ in range(3):  # pooled connections are dead, and new ones are refused
            with pytest.raises(DatabaseBusyError):
                await db.fetch_value("SELECT count(*) FROM items")
        with pytest.raises(DatabaseBusyError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO items (name) VALUES ('lost')")
        assert not db.in_transaction

        await asyncio.to_thread(own_server.start_postgres)
        await db.execute("INSERT INTO items (name) VALUES (?)", ("after",))
        names = [r[0] for r in await db.fetch_all("SELECT name FROM items ORDER BY id")]
        assert names == ["before", "after"]
    finally:
        await db.close()


def test_the_pools_reconnect_warning_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """asyncpg logs "Failed to restore the pool connection floor" with a traceback every
    second while the server is down; opening a `PgDatabase` makes that one line."""
    quiet_pool_warnings()
    quiet_pool_warnings()  # installed once however many stores open
    pool_log = logging.getLogger("asyncpg.pool")
    assert sum(isinstance(f, OneLinePoolWarnings) for f in pool_log.filters) == 1
    try:
        raise ConnectionRefusedError(111, "Connect call failed")
    except ConnectionRefusedError:
        pool_log.warning("Failed to restore the pool connection floor; retrying", exc_info=True)
    try:
        raise ValueError("kept")
    except ValueError:
        pool_log.warning("something else", exc_info=True)
    floor, other = caplog.records[-2:]
    assert floor.exc_info is None and floor.getMessage() == (
        "Failed to restore the pool connection floor; retrying "
        "(ConnectionRefusedError: [Errno 111] Connect call failed)"
    )
    assert other.exc_info is not None  # only that warning is shortened
    assert "Traceback" not in caplog.text.split("something else")[0]
