"""Every query on the hot paths is index-backed: no full scan of a large table.

The SQL is not copied from `db/`: the real code paths run (through the harness, on a
store filled by the benchmark's generator) with a recorder on the bot's connection, and
each statement they sent is then given to `EXPLAIN QUERY PLAN`. A new query, or a changed
one, is checked the day it lands. Plans are checked twice: on the fresh store (no
statistics, as right after an upgrade) and after `ANALYZE` (as after months of
`PRAGMA optimize`), because SQLite may choose differently with statistics.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench import world
from bench.datagen import generate
from bench.sizes import QUICK
from bench.sqltrace import SqlRecorder, Statement, plan_problems, query_plan
from bot.clock import ManualClock
from tests.harness.driver import Harness
from tests.harness.driver import test_settings as make_settings
from tests.resilience.helpers import table_names

#: Enough rows that "large" means something; small enough to build in a moment.
PLANS = dataclasses.replace(
    QUICK,
    name="plans",
    tasks=4_000,
    subscriptions=1_000,
    earnings=4_000,
    member_entries=1_500,
    guilds=4,
    members=1_000,
    requesters=1_000,
)
#: A table with at least this many generated rows is "large".
LARGE = 1_000


@pytest.fixture
async def populated(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path)
    await asyncio.to_thread(generate, settings.database_path, PLANS, 7)
    h = await Harness.start(
        settings,
        clock,
        monkeypatch,
        world=world.bench_world(),
        extra_members=[world.member(n) for n in range(PLANS.members)],
    )
    yield h
    await h.stop()


def _large_tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {
            n
            for n in table_names(conn, virtual=False)
            if conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] >= LARGE
        }
    finally:
        conn.close()


async def _trace_hot_paths(h: Harness) -> dict[str, list[Statement]]:
    from cogs.digests.compose import compose_server_digest

    recorder = SqlRecorder.attach(h.db)
    paths: dict[str, list[Statement]] = {}
    sharer, other = world.member(3), world.member(4)
    share = {
        "reward": 4.0,
        "minutes": 12,
        "link": "https://worker.mturk.com/projects/3PLANTEST000000000000001/tasks",
        "title": "Psychology survey",
        "requester": "Plan Lab",
    }
    try:
        with recorder.labelled("share, with subscription matching") as statements:
            first = await h.slash("task share", user=sharer, **share)
            assert "posted" in first.content.lower(), first.content
            await h.slash("task share", user=other, **share)  # the duplicate bump
        paths["share"] = statements
        alert = h.in_channel(world.ALERTS)[-1]
        with recorder.labelled("click") as statements:
            await h.click(alert, "Still live", user=world.member(5))
            await h.click(alert, "Gone", user=world.member(6))
        paths["click"] = statements
        with recorder.labelled("digest") as statements:
            end = h.clock.now()
            for days in (1, 7):
                await compose_server_digest(
                    h.bot, world.GUILD_ID, (end - timedelta(days=days), end)
                )
        paths["digest composition"] = statements
        with recorder.labelled("summary") as statements:
            sent = await h.slash("earnings summary", user=world.summary_member(), period="month")
            assert sent.embeds, sent.content
        paths["monthly summary"] = statements
        with recorder.labelled("expiry") as statements:
            h.clock.advance(hours=3)
            cog = h.bot.get_cog("Tasks")
            assert cog is not None
            await cog.expire_due()  # type: ignore[attr-defined]
            await h.settle()
        paths["expiry sweep"] = statements
    finally:
        recorder.detach()
    return paths


async def test_hot_path_queries_never_scan_a_large_table(populated: Harness) -> None:
    h = populated
    path = h.bot.settings.database_path
    large = _large_tables(path)
    assert {"task_alerts", "earnings", "alert_subscriptions"} <= large
    paths = await _trace_hot_paths(h)

    conn = sqlite3.connect(path)
    try:
        report: list[str] = []
        for stats in ("without statistics", "after ANALYZE"):
            if stats == "after ANALYZE":
                conn.execute("ANALYZE")
            for name, statements in paths.items():
                queries = [s for s in statements if s.kind in ("execute", "executemany")]
                assert queries, f"{name}: no SQL recorded; the path did not run"
                for problem in plan_problems(conn, queries, large):
                    report.append(f"{name} ({stats}): {problem}")
        assert not report, "full scans of large tables:\n" + "\n".join(report)
    finally:
        conn.close()


def test_the_check_catches_a_full_scan(tmp_path: Path) -> None:
    """The detector itself: a scan of a large table is reported, a keyed lookup is not."""
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, owner INTEGER, at INTEGER)")
    conn.execute("CREATE INDEX big_owner ON big (owner)")
    scan = Statement("execute", "SELECT * FROM big WHERE at > ?", (5,), "")
    seek = Statement("execute", "SELECT * FROM big WHERE owner = ?", (5,), "")
    walk = Statement("execute", "SELECT * FROM big ORDER BY owner", (), "")
    newest = Statement("execute", "SELECT * FROM big ORDER BY owner LIMIT 10", (), "")
    assert [p.detail for p in plan_problems(conn, [scan], {"big"})] == ["SCAN big"]
    assert plan_problems(conn, [seek], {"big"}) == []
    assert plan_problems(conn, [walk], {"big"}), query_plan(conn, walk.sql)
    assert plan_problems(conn, [newest], {"big"}) == []
    assert plan_problems(conn, [scan], {"other"}) == []
    conn.close()
