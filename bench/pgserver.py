"""The PostgreSQL server the benchmark's PostgreSQL phases run on, and a database in it.

The bench starts its own server (pgserver's binaries, data in a temporary folder, a unix
socket only, as the tests do: `tests/postgres.py`), or uses the one `BENCH_DATABASE_URL`
names (its user must be allowed to `CREATE DATABASE`). Either way the run works in a
database of its own, made for the run and dropped after it, so an existing server's
databases are never touched. No server: `open_server` says why in one line and the
PostgreSQL figures stay null.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import asyncpg

from db.url import DatabaseUrl, DatabaseUrlError, parse_database_url
from tests.postgres import PgTestServer, quote_ident, start_server

#: An existing server to use instead of starting one (its admin URL; never printed whole).
ENV_URL = "BENCH_DATABASE_URL"
#: Set to 0 to run without the PostgreSQL phases (the keys are then null).
ENV_SWITCH = "BENCH_POSTGRES"


@dataclass
class BenchServer:
    """Where the run's PostgreSQL databases are made: a started server or an existing one."""

    admin: DatabaseUrl
    started: PgTestServer | None = None

    @property
    def where(self) -> str:
        """The server, said without its password."""
        kind = "started by the bench" if self.started is not None else ENV_URL
        return f"{self.admin.display} ({kind})"

    async def create_database(self) -> DatabaseUrl:
        """A new empty database for this run (`migrate` or `copy-store` fills it)."""
        name = f"entraide_bench_{os.getpid()}"
        await self._admin(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        await self._admin(f"CREATE DATABASE {quote_ident(name)} TEMPLATE template0")
        return _with_database(self.admin, name)

    async def drop_database(self, url: DatabaseUrl) -> None:
        assert url.database is not None
        await self._admin(f"DROP DATABASE IF EXISTS {quote_ident(url.database)} WITH (FORCE)")

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin.dsn())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def stop(self) -> None:
        """Stop the server the bench started (an existing server is left running)."""
        if self.started is not None:
            self.started.stop()


def _with_database(admin: DatabaseUrl, database: str) -> DatabaseUrl:
    return DatabaseUrl(
        dialect="postgresql",
        host=admin.host,
        port=admin.port,
        database=database,
        user=admin.user,
        password=admin.password,
        options=admin.options,
    )


def open_server() -> BenchServer | str:
    """The server to run on, or why there is none (one line, no secret in it)."""
    if os.environ.get(ENV_SWITCH, "").strip() == "0":
        return f"{ENV_SWITCH}=0"
    given = os.environ.get(ENV_URL, "").strip()
    if given:
        try:
            url = parse_database_url(given)
        except DatabaseUrlError as exc:
            return f"{ENV_URL} is not a usable URL: {exc}"
        if url.dialect != "postgresql":
            return f"{ENV_URL} must be a postgresql:// URL, not {url.dialect}"
        return BenchServer(admin=url)
    started = start_server()
    if isinstance(started, str):
        return started
    return BenchServer(admin=started.admin, started=started)
