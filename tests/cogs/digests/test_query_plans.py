"""Every statement a digest runs is an indexed lookup on the big tables, never a scan.

The statements are captured from the real repository functions (run against a migrated
database), then each is asked for its query plan.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from cogs.digests.compose import compose_member_digest, compose_server_digest
from cogs.digests.rules import Cadence, Schedule, latest_occurrence
from db import digests, tasks
from db.connection import Database
from db.tasks import NewAlert

#: The plans read are SQLite's (EXPLAIN QUERY PLAN); PostgreSQL's planner chooses by itself.
pytestmark = pytest.mark.sqlite_only(reason="reads SQLite's query plans (EXPLAIN QUERY PLAN)")

#: Tables that grow with the community (tasks, earnings, reports…): never scanned.
LARGE = (
    "task_alerts",
    "earnings",
    "earnings_daily",
    "reports",
    "requesters",
    "alert_subscriptions",
    "alert_dm_log",
    "task_votes",
    "task_reports",
    "task_sightings",
    "digest_runs",
    "digest_members",
    "members",
)


class Recorder:
    """Passes every call to the real database and keeps the statements."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.statements: list[tuple[str, Any]] = []

    async def fetch_all(self, sql: str, params: Any = ()) -> Any:
        self.statements.append((sql, params))
        return await self._db.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Any = ()) -> Any:
        self.statements.append((sql, params))
        return await self._db.fetch_one(sql, params)

    async def fetch_value(self, sql: str, params: Any = ()) -> Any:
        self.statements.append((sql, params))
        return await self._db.fetch_value(sql, params)

    async def execute(self, sql: str, params: Any = ()) -> int:
        self.statements.append((sql, params))
        return await self._db.execute(sql, params)


async def plans(db: Database, statements: list[tuple[str, Any]]) -> dict[str, list[str]]:
    found = {}
    for sql, params in statements:
        rows = await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params)
        found[sql] = [row["detail"] for row in rows]
    return found


#: Scanning a partial index of opted-in members is bounded by who asked for a digest.
BOUNDED = re.compile(r"USING (COVERING )?INDEX digest_members_(active|no_thanks|notes)")


def scans_of_large_tables(details: list[str]) -> list[str]:
    bad = []
    for detail in details:
        match = re.match(r"SCAN (\w+)", detail)
        if match and match.group(1) in LARGE and not BOUNDED.search(detail):
            bad.append(detail)
    return bad


async def test_composition_and_scheduling_statements_use_indexes(db: Database) -> None:
    now = datetime(2026, 11, 27, 16, tzinfo=UTC)
    await db.execute(
        "INSERT INTO guild_settings (guild_id, digest_channel_id, setup_completed_at, "
        "created_at, updated_at) VALUES (1, 2, 0, 0, 0)"
    )
    at = int(now.timestamp()) - 3600
    await tasks.share(
        db,
        NewAlert(1, "mturk", "k", "A task", 100, "USD", 5, 1200, sharer_id=42),
        now=at,
        expires_at=at + 60,
    )
    recorder = Recorder(db)
    occurrence = latest_occurrence(Schedule(Cadence.WEEKLY, 8, 0), now)
    await compose_server_digest(recorder, 1, occurrence)
    await compose_member_digest(recorder, 42, occurrence)
    # Composed from the database alone, a digest lists no task (only the bot can tell who
    # sees which channel): the statements that find them are run here.
    await digests.best_alerts(recorder, 1, 0, 10, offset=10)
    await digests.member_subscriptions(recorder, 42)
    await digests.unseen_alerts(recorder, 42, [1, 2], 0, 10)
    await digests.claim(recorder, digests.RunKey("guild", 1, "weekly", "2026-W48", 0), 0)
    await digests.get_settings(recorder, 1)
    await digests.get_member(recorder, 42)
    await digests.active_members(recorder)
    await digests.runs_for(recorder, "guild", 1)
    await digests.last_sent(recorder, "guild", 1)
    await digests.take_note(recorder, 42)
    await digests.pending_notes(recorder)
    found = await plans(db, recorder.statements)
    assert len(found) >= 15
    problems = {sql[:80]: scans_of_large_tables(details) for sql, details in found.items()}
    assert not any(problems.values()), problems
    # The period's tasks are read through the digest's covering index.
    task_plans = [d for sql, d in found.items() if "FROM task_alerts" in sql]
    assert task_plans
    for details in task_plans:
        assert any("digest_task_alerts_window" in line for line in details), details


async def test_status_changes_and_report_counts_use_their_indexes(db: Database) -> None:
    recorder = Recorder(db)
    await digests.status_changes(recorder, 0, 10)
    await digests.report_counts(recorder, 1, 0, 10)
    found = await plans(db, recorder.statements)
    joined = "\n".join(line for details in found.values() for line in details)
    assert "digest_requesters_status" in joined
    assert "digest_reports_opened" in joined and "digest_reports_closed" in joined
