"""The PostgreSQL server's CPU time, read from /proc, grows with the work it does."""

from __future__ import annotations

import sys

import asyncpg
import pytest

from bench.pgcpu import server_cpu_seconds
from tests.postgres import PgTestServer


def test_unknown_server_is_none() -> None:
    assert server_cpu_seconds(None) is None
    assert server_cpu_seconds(2**22 + 12345) is None  # past Linux's largest pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_the_servers_cpu_counts_its_backends(pg_server: PgTestServer) -> None:
    postmaster = pg_server.server.get_pid()
    before = server_cpu_seconds(postmaster)
    assert before is not None
    conn = await asyncpg.connect(pg_server.admin.dsn())
    try:
        await conn.fetchval("SELECT count(*) FROM generate_series(1, 3000000)")
        live = server_cpu_seconds(postmaster)  # the backend is still connected
    finally:
        await conn.close()
    assert live is not None
    assert live > before
