"""A PostgreSQL server for the tests, started and stopped by the test session itself.

`pgserver` (PyPI) ships PostgreSQL's binaries, so `make test` needs neither root nor a
system package. The server keeps its data in a temporary folder and listens only on a
unix socket there. `ENTRAIDE_TEST_POSTGRES=0` turns it off; if it cannot start, the
session says so in one line and only the PostgreSQL cases are skipped.

Each test gets its own database: `CREATE DATABASE … TEMPLATE` of a template migrated
once per session (when `db/migrations/postgresql/` exists), which takes milliseconds.
The fixtures built on this are in `tests/conftest.py` and described in tests/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from typing import Any

import asyncpg

from db.migrate import PG_MIGRATIONS_DIR, migrate
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl, parse_database_url

#: Off when set to 0 (any other value, or unset: on).
ENV_SWITCH = "ENTRAIDE_TEST_POSTGRES"
TEMPLATE = "entraide_template"

_names = itertools.count(1)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class PgTestServer:
    """The session's server: its admin URL, and databases made and dropped on demand."""

    server: Any
    data_dir: str
    admin: DatabaseUrl
    #: The migrated template's name, once made (None: no PostgreSQL schema to migrate).
    template: str | None = None
    #: Why migrating the template failed: the schema's own tests then fail, not skip.
    template_error: str | None = None

    def url_of(self, database: str) -> DatabaseUrl:
        return DatabaseUrl(
            dialect="postgresql",
            host=self.admin.host,
            port=self.admin.port,
            database=database,
            user=self.admin.user,
            password=self.admin.password,
            options=self.admin.options,
        )

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin.dsn())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create_database(self, *, template: str | None = None) -> DatabaseUrl:
        """A new empty database (or a copy of `template`), named uniquely for this run."""
        name = f"entraide_test_{os.getpid()}_{next(_names)}"
        source = f" TEMPLATE {quote_ident(template)}" if template else " TEMPLATE template0"
        await self._admin(f"CREATE DATABASE {quote_ident(name)}{source}")
        return self.url_of(name)

    async def drop_database(self, url: DatabaseUrl) -> None:
        assert url.database is not None
        await self._admin(f"DROP DATABASE IF EXISTS {quote_ident(url.database)} WITH (FORCE)")

    async def make_template(self) -> None:
        """Migrate the session's template once, if this version has a PostgreSQL schema."""
        if not PG_MIGRATIONS_DIR.is_dir():
            return
        await self._admin(f"CREATE DATABASE {quote_ident(TEMPLATE)} TEMPLATE template0")
        db = await PgDatabase.open(self.url_of(TEMPLATE), min_size=0, max_size=1)
        try:
            await migrate(db)
        finally:
            await db.close()
        self.template = TEMPLATE

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.server.pgdata, user=self.server.system_user, timeout=30)

    def stop_postgres(self) -> None:
        """Stop the server (its connections drop), as a crash or a restart would."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start_postgres(self) -> None:
        """Start it again on the same data and socket directory."""
        socket_dir = self.admin.socket_dir
        assert socket_dir is not None
        log = str(self.server.pgdata / "restart.log")
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", log, "start")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_server() -> PgTestServer | str:
    """The started server, or why it could not start (one line)."""
    if os.environ.get(ENV_SWITCH, "").strip() == "0":
        return f"{ENV_SWITCH}=0"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR on CI
            import pgserver
    except ImportError as exc:
        return f"pgserver is not installed ({exc})"
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = tempfile.mkdtemp(prefix="entraide-pg-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR on CI
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
        admin = parse_database_url(server.get_uri())
        started = PgTestServer(server=server, data_dir=data_dir, admin=admin)
    except Exception as exc:
        shutil.rmtree(data_dir, ignore_errors=True)
        return f"the server did not start ({type(exc).__name__}: {str(exc)[:200]})"
    try:
        asyncio.run(started.make_template())
    except Exception as exc:
        started.template_error = f"migrating the PostgreSQL template failed: {exc!r}"
    return started
