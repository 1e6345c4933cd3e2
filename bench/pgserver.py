"""The PostgreSQL server the benchmark's PostgreSQL phases run on, and a database in it.

The bench starts its own server (pgserver's binaries, data in a temporary folder, a unix
socket only, as the tests do: `tests/postgres.py`), or uses the one `BENCH_DATABASE_URL`
names (its user must be allowed to `CREATE DATABASE`). Either way the run works in a
database of its own (`entraide_test_<pid>_<n>`, as the tests name theirs), made for the run
and dropped after it, so an existing server's other databases are never touched. No
server: `open_server` says why in one line and the PostgreSQL figures stay null.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from db.url import DatabaseUrl, DatabaseUrlError, parse_database_url
from tests.postgres import PgTestServer, start_server

#: An existing server to use instead of starting one (its admin URL; never printed whole).
ENV_URL = "BENCH_DATABASE_URL"
#: Set to 0 to run without the PostgreSQL phases (the keys are then null).
ENV_SWITCH = "BENCH_POSTGRES"


@dataclass
class BenchServer:
    """Where the run's PostgreSQL databases are made: a started server or an existing one.

    Databases are made and dropped by the test suite's helper (`PgTestServer`), which
    works on any server its admin URL reaches; only a server the bench started is stopped.
    """

    pg: PgTestServer
    started: bool

    @property
    def where(self) -> str:
        """The server, said without its password."""
        kind = "started by the bench" if self.started else ENV_URL
        return f"{self.pg.admin.display} ({kind})"

    @property
    def postmaster(self) -> int | None:
        """The server's main process, when the bench started it (its CPU is measured)."""
        if not self.started:
            return None
        pid: int | None = self.pg.server.get_pid()
        return pid

    async def create_database(self) -> DatabaseUrl:
        """A new empty database for this run (`migrate` or `copy-store` fills it)."""
        return await self.pg.create_database()

    async def drop_database(self, url: DatabaseUrl) -> None:
        await self.pg.drop_database(url)

    def stop(self) -> None:
        """Stop the server the bench started (an existing server is left running)."""
        if self.started:
            self.pg.stop()


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
        return BenchServer(PgTestServer(server=None, data_dir="", admin=url), started=False)
    started = start_server()
    if isinstance(started, str):
        return started
    return BenchServer(started, started=True)
