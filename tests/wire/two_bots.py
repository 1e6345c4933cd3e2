"""Two `python -m bot run` processes on one PostgreSQL database, one loopback Discord.

What issue 16 asks to prove across processes needs real processes: each has its own
scheduler, caches, connection pool and LISTEN connection, and only the database (and
PostgreSQL's NOTIFY) is shared. `two_bots` writes the communities' setup rows first (as
/setup would have: alerts, moderators and digest channels, a moderator role), then
starts process A and, once it is ready, process B, each with `SHARD_COUNT=2` and its own
`SHARD_IDS`. Starting them one after the other tells their gateway connections apart
(`TwoBots.sessions`). Every wait is bounded; both processes are stopped at the end and
their logs are attached to the test's report.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.postgres.database import PgDatabase
from db.url import DatabaseUrl
from tests.harness.world import configure_guild
from tests.postgres import PgTestServer
from tests.wire.community import CommunityWire
from tests.wire.processes import Child, bot_process
from tests.wire.server import GatewaySession

#: Seconds a process may take to log in, connect its shards and say it is ready (two
#: cores shared by a whole test run: generous, and only ever a bound).
READY_WITHIN = 120

Prepare = Callable[[PgDatabase, CommunityWire], Awaitable[None]]


@dataclass
class TwoBots:
    """The running pair: the loopback server, both processes and their database."""

    server: CommunityWire
    a: Child
    b: Child
    #: Each process's gateway connections, in the order they identified.
    sessions: dict[str, list[GatewaySession]]
    url: DatabaseUrl
    pg: PgTestServer

    @property
    def children(self) -> dict[str, Child]:
        return {"A": self.a, "B": self.b}

    def session(self, process: str, shard: int) -> GatewaySession:
        """Process `process`'s ("A" or "B") connection for `shard`."""
        return next(s for s in self.sessions[process] if s.shard_id == shard)

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Read the shared database directly (a connection of the test's own)."""
        conn = await asyncpg.connect(self.url.dsn())
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    def assert_clean_logs(self) -> None:
        """No traceback and no secret in either process's output."""
        for name, child in self.children.items():
            assert "Traceback" not in child.stderr, f"process {name}:\n{child.stderr}"
            assert self.server.token not in child.stderr + child.stdout
            if self.url.password:
                assert self.url.password not in child.stderr + child.stdout


async def set_up_communities(
    url: DatabaseUrl, server: CommunityWire, prepare: Prepare | None
) -> None:
    """The rows /setup would have written for every community, then the test's own."""
    db = await PgDatabase.open(url, min_size=1, max_size=2)
    try:
        now = int(time.time())
        for world in server.worlds:
            await configure_guild(db, world, now)
        if prepare is not None:
            await prepare(db, server)
    finally:
        await db.close()


@contextlib.asynccontextmanager
async def two_bots(
    request: pytest.FixtureRequest,
    pg: PgTestServer,
    url: DatabaseUrl,
    tmp_path: Path,
    *,
    shard_ids: tuple[str, str] = ("0", "1"),
    prepare: Prepare | None = None,
    crowd: int = 0,
    prelude: str = "",
) -> AsyncIterator[TwoBots]:
    """Processes A and B (`SHARD_IDS` from `shard_ids`) on `url`, against one server
    with one community per shard (plus `crowd` members in each); `prelude` runs first in
    each (see `bot_process`)."""
    children: dict[str, Child] = {}
    async with CommunityWire(shards=2, crowd=crowd) as server:
        try:
            async with contextlib.AsyncExitStack() as stack:
                await set_up_communities(url, server, prepare)
                sessions: dict[str, list[GatewaySession]] = {}
                for name, ids in zip(("A", "B"), shard_ids, strict=True):
                    home = tmp_path / name.lower()
                    home.mkdir()
                    before = len(server.sessions)
                    child = await stack.enter_async_context(
                        bot_process(
                            server,
                            home,
                            "run",
                            prelude=prelude,
                            DATABASE_URL=url.dsn(),
                            SHARD_COUNT="2",
                            SHARD_IDS=ids,
                        )
                    )
                    children[name] = child
                    server.processes[child.proc.pid] = name
                    await child.wait_for_line("ready as", within=READY_WITHIN)
                    sessions[name] = server.sessions[before:]
                yield TwoBots(server, children["A"], children["B"], sessions, url, pg)
        finally:  # the processes have stopped: their whole logs, for a failure's report
            for name, child in children.items():
                request.node.add_report_section("call", f"process {name} (stderr)", child.stderr)
            unknown = "\n".join(f"{r.method} {r.path}" for r in server.unknown)
            if unknown:
                request.node.add_report_section("call", "routes the server did not know", unknown)
