"""copy-store puts the bench's generated store into PostgreSQL whole: every table both
schemas have holds the same rows, the full-text documents exist, new ids come after the
copied ones."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

import asyncpg

from bench.datagen import generate
from bench.pgload import load_store
from bench.phases.processes import TwoProcesses
from bench.servers import server_world
from bench.sizes import QUICK
from db.url import DatabaseUrl

TINY = dataclasses.replace(
    QUICK,
    name="tiny",
    tasks=300,
    subscriptions=50,
    earnings=300,
    member_entries=100,
    guilds=3,
    members=100,
    requesters=100,
)


def _sqlite_rows(path: Path, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        quoted = ", ".join(f'"{c}"' for c in columns)
        return sorted(conn.execute(f'SELECT {quoted} FROM "{table}"').fetchall(), key=repr)
    finally:
        conn.close()


async def test_the_generated_store_arrives_whole(tmp_path: Path, pg_empty_url: DatabaseUrl) -> None:
    store = tmp_path / "store.db"
    await asyncio.to_thread(generate, store, TINY, 7)
    assert "copy-store" in await load_store(store, pg_empty_url)
    conn = await asyncpg.connect(pg_empty_url.dsn())
    try:
        for table in ("task_alerts", "requesters", "earnings", "guild_settings", "platforms"):
            columns = [
                r[0]
                for r in await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
                    "ORDER BY ordinal_position",
                    table,
                )
            ]
            quoted = ", ".join(f'"{c}"' for c in columns)
            copied = sorted(
                (tuple(r) for r in await conn.fetch(f'SELECT {quoted} FROM "{table}"')), key=repr
            )
            assert copied == _sqlite_rows(store, table, columns), table
        # A worker serving server 2 (bench.servers) finds it set up where it looks.
        shard = server_world(2)
        alerts = await conn.fetchval(
            "SELECT alerts_channel_id FROM guild_settings WHERE guild_id = $1", shard.guild_id
        )
        assert alerts == shard.alerts
        documents = await conn.fetchval("SELECT count(*) FROM task_alerts_fts")
        assert documents == TINY.tasks
        top = await conn.fetchval("SELECT max(id) FROM requesters")
        new_id = await conn.fetchval(
            "INSERT INTO requesters (name, name_key, platform, created_at, updated_at) "
            "VALUES ('After the copy', 'after the copy', 'mturk', 0, 0) RETURNING id"
        )
        assert new_id > top
    finally:
        await conn.close()


async def test_a_worker_process_bursts_on_its_server_and_reports(
    tmp_path: Path, pg_empty_url: DatabaseUrl
) -> None:
    """The two-process phase's plumbing: a real `python -m bench.worker` on the copied
    store gets ready, bursts on `go` and reports every share (answered or failed)."""
    store = tmp_path / "store.db"
    await asyncio.to_thread(generate, store, TINY, 7)
    await load_store(store, pg_empty_url)
    run = TwoProcesses(dataclasses.replace(TINY, burst=5), 7, tmp_path)
    burst = await run._burst(pg_empty_url, (1,))
    (report,) = burst.reports
    assert report["count"] == 5
    assert report["started"] <= report["answered"]
    assert report["cpu_s"] > 0
    assert 0 <= burst.failed <= 5
