"""PostgreSQL for the schema tests: a server, a migrated database, and both stores side by side.

The PostgreSQL schema (db/migrations/postgresql/) is checked against the SQLite one it
mirrors by tests/db/test_pg_schema.py (shape) and tests/db/test_pg_triggers.py
(behaviour). Until the connection layer brings a shared pgserver fixture, each of those
modules starts its own server with `pg_uri` here (module scope); without a server the
module is skipped with one reason.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from db.connection import Database
from db.migrate import MIGRATIONS_DIR

asyncpg = pytest.importorskip("asyncpg")

PG_DIR = MIGRATIONS_DIR / "postgresql"
#: The full-text table is a virtual FTS5 table (and its shadow tables) on SQLite and a
#: plain table of tsvectors on PostgreSQL: compared by behaviour, not by shape.
FTS = "task_alerts_fts"


async def _create_migrated(uri: str) -> str:
    admin = await asyncpg.connect(uri)
    try:
        await admin.execute("CREATE DATABASE pgschema")
    finally:
        await admin.close()
    target = uri.replace("/postgres?", "/pgschema?")
    conn = await asyncpg.connect(target)
    try:
        for path in sorted(PG_DIR.glob("*.sql")):
            async with conn.transaction():  # each file whole, as the runner must
                await conn.execute(path.read_text(encoding="utf-8"))
    finally:
        await conn.close()
    return target


@pytest.fixture(scope="module")
def pg_uri() -> Iterator[str]:
    """A PostgreSQL server for this module, with every PostgreSQL migration applied."""
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(tempfile.mkdtemp(prefix="pgschema-"), cleanup_mode="stop")
            uri = server.get_uri()
    except Exception as exc:  # any failure to start means "no PostgreSQL here"
        pytest.skip(f"PostgreSQL could not be started with pgserver: {exc}")
    try:
        yield asyncio.run(_create_migrated(uri))
    finally:
        server.cleanup()


@pytest.fixture
async def pg(pg_uri: str) -> AsyncIterator[Any]:
    """A connection inside a transaction that is rolled back after the test."""
    conn = await asyncpg.connect(pg_uri)
    tx = conn.transaction()
    await tx.start()
    yield conn
    await tx.rollback()
    await conn.close()


def pg_sql(sql: str) -> str:
    """`?` placeholders (SQLite) as `$1, $2, …` (PostgreSQL)."""
    count = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _m: f"${next(count)}", sql)


class Both:
    """The same statements on the migrated SQLite store and the PostgreSQL one."""

    def __init__(self, db: Database, pg: Any) -> None:
        self.db, self.pg = db, pg

    async def run(self, sql: str, *params: Any) -> None:
        await self.db.execute(sql, params)
        await self.pg.execute(pg_sql(sql), *params)

    async def rows(self, sql: str, *params: Any) -> tuple[list[tuple[Any, ...]], ...]:
        lite = [tuple(r) for r in await self.db.fetch_all(sql, params)]
        post = [tuple(r) for r in await self.pg.fetch(pg_sql(sql), *params)]
        return lite, post

    async def same(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        lite, post = await self.rows(sql, *params)
        assert lite == post, sql
        return lite


@pytest.fixture
def both(db: Database, pg: Any) -> Both:
    return Both(db, pg)
