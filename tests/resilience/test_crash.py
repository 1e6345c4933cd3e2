"""SIGKILL in the middle of a burst of writes: nothing acknowledged is lost, nothing torn.

A real child process on a real database file does the writing through the bot's own
`Database` and repository code (requester upserts, task shares, earnings entries); it
prints "ack" only after a write returned, which is when a member would have been told
it was saved. The test kills it without warning mid-burst, then opens the file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.clock import ManualClock
from cogs.tasks import rules as task_rules
from db import tasks as tasks_db
from db.connection import Database
from db.migrate import migrate
from tests.cogs.tasks.conftest import new_alert
from tests.harness.driver import Harness, configure_server
from tests.harness.driver import test_settings as make_settings
from tests.resilience.helpers import Child

TOTAL = 50_000
KILL_AFTER = 600


def _acks(lines: list[str]) -> int:
    return sum(line.startswith("ack") for line in lines)


async def _reopen(path: Path) -> int:
    database = await Database.open(path)
    try:
        await migrate(database)
        return int(await database.fetch_value("SELECT count(*) FROM task_alerts"))
    finally:
        await database.close()


def test_sigkill_mid_burst_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "entraide.db"
    with Child("tests.resilience.child_writer", str(path), str(TOTAL)) as child:
        child.wait_for(lambda lines: _acks(lines) >= KILL_AFTER)
        os.kill(child.pid, signal.SIGKILL)
        code = child.finish()
    assert code == -signal.SIGKILL
    assert "finished" not in child.lines, "the burst ended before the kill; raise TOTAL"
    acked: dict[str, dict[int, str]] = {"requester": {}, "share": {}, "earning": {}}
    for line in child.lines:
        if line.startswith("ack"):
            _, n, kind, key = line.split()
            acked[kind][int(n)] = key
    assert all(len(v) >= KILL_AFTER // 4 for v in acked.values()), {
        k: len(v) for k, v in acked.items()
    }

    conn = sqlite3.connect(path)
    try:
        # The file opens cleanly: WAL recovered, structure sound.
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored_requesters = {
            row[0]: row[1:]
            for row in conn.execute("SELECT id, platform_requester_id, name FROM requesters")
        }
        stored_alerts = {
            row[0]: row[1:]
            for row in conn.execute("SELECT id, task_key, message_id, seen_count FROM task_alerts")
        }
        stored_earnings = {
            row[0]: row[1]
            for row in conn.execute("SELECT uid, amount_cents FROM earnings WHERE user_id = 7")
        }
        rollup = conn.execute(
            "SELECT COALESCE(SUM(entries), 0), COALESCE(SUM(amount_cents), 0) "
            "FROM earnings_daily WHERE user_id = 7"
        ).fetchone()
        detail = conn.execute(
            "SELECT count(*), COALESCE(SUM(amount_cents), 0) FROM earnings WHERE user_id = 7"
        ).fetchone()
    finally:
        conn.close()

    for n, key in acked["requester"].items():
        assert stored_requesters.get(int(key)) == (f"A{n:013d}", f"Requester {n}"), (
            f"requester {n} lost"
        )
    for n, key in acked["share"].items():
        assert stored_alerts.get(int(key)) == (f"mturk:crash{n}", 10_000 + n, 1), f"share {n} lost"
    for n, key in acked["earning"].items():
        assert stored_earnings.get(key) == 100 + n, f"earnings entry {n} lost"
    # Writes not yet acknowledged may or may not have landed, but never half of one:
    # every stored requester is complete, and the trigger-kept roll-up matches the entries.
    assert all(pid and name for pid, name in stored_requesters.values())
    assert tuple(rollup) == tuple(detail)
    # And the bot itself opens and migrates it as usual.
    assert asyncio.run(_reopen(path)) == len(stored_alerts)


async def test_a_share_cut_short_by_a_crash_does_not_swallow_the_task(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    # The state a SIGKILL leaves between `db.tasks.share` and posting the alert.
    database = await Database.open(settings.database_path)
    await migrate(database)
    link = "https://worker.mturk.com/projects/3CRASHTEST000000000001/tasks"
    draft = task_rules.build_share(
        task_rules.ShareInput(link=link, reward=2.0, minutes=10), default_currency="USD"
    )
    now = int(clock.now().timestamp())
    await tasks_db.share(
        database,
        new_alert(draft, guild_id=0, sharer_id=1),  # the guild is set once the harness has one
        now=now,
        expires_at=now + 7200,
    )
    await database.close()

    h = await Harness.start(settings, clock, monkeypatch)
    try:
        await h.db.execute("UPDATE task_alerts SET guild_id = ?", (h.world.guild_id,))
        await configure_server(h, mod_channel_id=None, digest_channel_id=None)
        sent = await h.slash("task share", user=h.bob, link=link, reward=2.0, minutes=10)
        assert h.in_channel(h.world.alerts), f"the task was never posted; Bob read: {sent.content}"
    finally:
        await h.stop()
