"""Two bot processes on one PostgreSQL database, over the wire (issue 16).

Each test starts two unmodified `python -m bot run` processes (`SHARD_COUNT=2`, A with
`SHARD_IDS=0`, B with `SHARD_IDS=1`, or B holding both shards where a test needs both
processes to see one server, as during a rolling restart) against the loopback Discord
and the session's PostgreSQL. What they prove is in docs/postgresql.md, "Two processes,
tested". Skipped, with one line, when PostgreSQL cannot start here.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from db import digests
from db.earnings import entries
from db.earnings.records import NewEntry
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl
from tests.postgres import PgTestServer
from tests.wire.community import Asked, CommunityWire
from tests.wire.two_bots import TwoBots, two_bots

pytestmark = [
    pytest.mark.two_processes,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, /proc"),
]

#: Seconds: bounds on waits, never timing assertions.
ANSWERED_WITHIN = 120
REDRAWN_WITHIN = 60
TASK = {"link": "https://www.example.com/tasks/42", "reward": 1.5, "minutes": 6}
POSTED = "Alert posted"
MERGED = ("This task is already live", "Someone shared this task a moment ago")
TRY_AGAIN = "try again"

#: Run in each process before the bot: the scheduler's own "Job … executed successfully"
#: lines (the bot keeps APScheduler at WARNING) tell when a process's digest run ended,
#: the one that lost the claim included. Observation only: no behaviour changes.
JOB_LOGS = 'import logging\nlogging.getLogger("apscheduler.executors").setLevel(logging.INFO)'

Launch = Callable[..., contextlib.AbstractAsyncContextManager[TwoBots]]


@pytest.fixture
def launch(
    request: pytest.FixtureRequest, pg_server: PgTestServer, pg_url: DatabaseUrl, tmp_path: Path
) -> Launch:
    """`async with launch(shard_ids=…, prepare=…, crowd=…) as bots:` (see two_bots)."""

    def start(**options: Any) -> contextlib.AbstractAsyncContextManager[TwoBots]:
        return two_bots(request, pg_server, pg_url, tmp_path, **options)

    return start


async def answers(server: CommunityWire, asked: list[Asked]) -> list[str]:
    """Every interaction's answer text, once all have one (bounded)."""
    await server.until(
        lambda: all(a.answer is not None for a in asked),
        ANSWERED_WITHIN,
        f"answers to all {len(asked)} interactions",
    )
    return [a.answer.content for a in asked if a.answer is not None]


async def test_a_hundred_shares_split_across_two_processes_make_one_alert(
    launch: Launch,
) -> None:
    """Both processes see the server (B holds both shards, as while a deployment rolls
    over); the shares arrive half on each one's connection. Only the store can keep them
    to one alert: one row, one message, every sharer answered (one posted, 99 merged)."""
    async with launch(shard_ids=("0", "0,1"), crowd=100) as bots:
        server = bots.server
        world = server.worlds[0]
        connections = [bots.session("A", 0), bots.session("B", 0)]
        asked = await asyncio.gather(
            *(
                server.command(
                    "task share", world=world, user=member, session=connections[i % 2], **TASK
                )
                for i, member in enumerate(server.crowds[world.guild_id])
            )
        )
        texts = await answers(server, asked)

        assert sorted(a.by or "?" for a in asked) == ["A"] * 50 + ["B"] * 50
        assert sum(POSTED in text for text in texts) == 1, texts
        assert all(POSTED in text or text.startswith(MERGED) for text in texts), texts
        (alert,) = server.posted_in(world.alerts)
        rows = await bots.rows(
            "SELECT message_id, seen_count FROM task_alerts WHERE guild_id = $1", world.guild_id
        )
        assert [(r["message_id"], r["seen_count"]) for r in rows] == [(int(alert["id"]), 100)]
        bots.assert_clean_logs()


async def test_a_status_confirmed_in_one_process_redraws_the_others_alert(
    launch: Launch,
) -> None:
    """A moderator on A's server marks a requester a scam; the live alert naming it on
    B's server is edited by B, which heard it through PostgreSQL's LISTEN/NOTIFY."""
    async with launch() as bots:
        server = bots.server
        ours, theirs = server.worlds  # A holds shard 0's community, B shard 1's
        shared = await server.command(
            "task share", world=theirs, user=theirs.alice, requester="Acme", **TASK
        )
        assert POSTED in (await server.answered(shared, ANSWERED_WITHIN)).content
        (alert,) = server.posted_in(theirs.alerts)
        alert_id = int(alert["id"])
        assert server.posted_by[alert_id] == "B"

        confirmed = await server.command(
            "requester status",
            world=ours,
            user=ours.mod,
            requester="Acme",
            status="scam",
            reason="Bank logins asked in the survey",
        )
        answer = await server.answered(confirmed, ANSWERED_WITHIN)
        assert answer.content.startswith("Acme is now:"), answer

        def warned() -> bool:
            return any(
                "flagged this requester as a scam" in _description(sent)
                for sent in server.edits_of(alert_id)
            )

        await server.until(warned, REDRAWN_WITHIN, "B redrawing its alert as a scam")
        editors = {who for message_id, who in server.edited_by if message_id == alert_id}
        assert editors == {"B"}, editors
        bots.assert_clean_logs()


def _description(sent: dict[str, Any]) -> str:
    return " ".join(str(e.get("description") or "") for e in sent.get("embeds") or [])


def digest_minute(now: datetime) -> datetime:
    """A whole minute 60 to 120 s ahead: both processes are up and have scheduled it
    by then (they start in seconds; READY_WITHIN is only a bound)."""
    return (now + timedelta(seconds=120)).replace(second=0, microsecond=0)


async def test_a_digest_due_in_both_processes_is_sent_once(launch: Launch) -> None:
    """A server digest and a personal digest due at the same minute in both processes
    (both hold shard 0, so both schedule them): each is posted exactly once, because a
    period is claimed with one INSERT before anything is sent."""
    due = digest_minute(datetime.now(UTC))
    member: dict[str, Any] = {}

    async def prepare(db: PgDatabase, server: CommunityWire) -> None:
        world = server.worlds[0]
        member["user"] = world.alice
        now = int(datetime.now(UTC).timestamp())
        schedule = {"send_hour": due.hour, "send_minute": due.minute, "timezone": "UTC"}
        await digests.save_settings(
            db,
            world.guild_id,
            now,
            enabled=True,
            daily=True,
            weekly=False,
            weekday=0,
            hidden_sections=frozenset(),
            reschedule=True,
            **schedule,
        )
        await digests.save_member(
            db,
            world.alice.id,
            now,
            cadence="daily",
            weekday=0,
            locale="en",
            thanks_opt_out=False,
            reschedule=True,
            **schedule,
        )
        for day in (due.date() - timedelta(days=1), due.date()):  # in the digest's window
            work = NewEntry(
                kind="task",
                work_date=day.isoformat(),
                status="approved",
                amount_cents=150,
                currency="USD",
                minutes=10,
                platform="MTurk",
            )
            await entries.add_entry(db, world.alice.id, work, now)

    async with launch(shard_ids=("0", "0,1"), prepare=prepare, prelude=JOB_LOGS) as bots:
        server = bots.server
        world = server.worlds[0]
        jobs = [f"digest:guild:{world.guild_id}:daily", f"digest:member:{member['user'].id}:daily"]
        wait = (due - datetime.now(UTC)).total_seconds() + ANSWERED_WITHIN
        await server.until(
            lambda: bool(server.posted_in(world.digest) and server.dms_to(member["user"])),
            max(wait, ANSWERED_WITHIN),
            "the server digest and the personal digest",
        )
        # Both processes ran both jobs (the scheduler logs each run's end): the one that
        # lost the claim has finished too, so a second message would be here by now.
        await _jobs_finished(bots, jobs)
        assert len(server.posted_in(world.digest)) == 1
        assert len(server.dms_to(member["user"])) == 1
        runs = await bots.rows(
            "SELECT scope, status FROM digest_runs WHERE owner_id = ANY($1::bigint[])",
            [world.guild_id, member["user"].id],
        )
        assert sorted((r["scope"], r["status"]) for r in runs) == [
            ("guild", "sent"),
            ("member", "sent"),
        ]
        bots.assert_clean_logs()


async def _jobs_finished(bots: TwoBots, jobs: list[str]) -> None:
    """Wait (bounded) until every process logged the end of every job's run."""
    for child in bots.children.values():
        for job in jobs:
            done = re.compile(rf'Job "{re.escape(job)}.*" executed successfully')
            await child.wait_until(
                lambda done=done, child=child: bool(done.search(child.stderr)),
                f"{job} finished",
                ANSWERED_WITHIN,
            )


@contextlib.asynccontextmanager
async def database_stopped(pg: PgTestServer) -> AsyncIterator[None]:
    """PostgreSQL stopped for the block (as a crash or a restart would), started again
    after it whatever happens; pg_ctl runs in a thread, off the test's event loop."""
    await asyncio.to_thread(pg.stop_postgres)
    try:
        yield
    finally:
        await asyncio.to_thread(pg.start_postgres)


async def test_the_database_going_away_is_try_again_then_works_again(launch: Launch) -> None:
    """With PostgreSQL stopped, a member's command in either process is answered with
    the friendly, private "try again" and no traceback; once it is back, the next
    command works in both, without restarting them."""
    async with launch() as bots:
        server = bots.server
        async with database_stopped(bots.pg):
            refused = [
                await server.command("task share", world=w, user=w.alice, **TASK)
                for w in server.worlds
            ]
            for asked in refused:
                answer = await server.answered(asked, ANSWERED_WITHIN)
                assert TRY_AGAIN in answer.content and asked.ephemeral, answer
        shared = [
            await server.command("task share", world=w, user=w.bob, **TASK) for w in server.worlds
        ]
        for asked in shared:
            assert POSTED in (await server.answered(asked, ANSWERED_WITHIN)).content
        bots.assert_clean_logs()
