"""Shares, votes and reports from two processes on one PostgreSQL store (issue #16).

On SQLite one connection writes at a time; on PostgreSQL every process has its own pool
and statements really run together. These tests run many attempts at once, split over
two `PgDatabase` pools on one database, and then read the rows: one alert per task, and
counters equal to the rows they count.
"""

from __future__ import annotations

import random

from db import tasks as tasks_db
from db.tasks import NewAlert
from db.url import DatabaseUrl
from tests.pg_processes import at_once, two_processes

GUILD = 1
SHARERS = 100


def share_of(sharer: int) -> NewAlert:
    return NewAlert(
        guild_id=GUILD,
        platform="mturk",
        task_key="mturk:id:HOT",
        title="Hot survey",
        reward_cents=250,
        currency="USD",
        minutes=10,
        hourly_cents=1500,
        sharer_id=sharer,
    )


async def test_a_hundred_shares_from_two_processes_make_one_alert(pg_url: DatabaseUrl) -> None:
    async with two_processes(pg_url) as (first, second):
        results = await at_once(
            (first, second),
            lambda db, n: tasks_db.share(db, share_of(n), now=100, expires_at=200 + n),
            SHARERS,
        )
        rows = await first.fetch_all("SELECT id, seen_count, expires_at FROM task_alerts")
        sightings = await second.fetch_value("SELECT count(*) FROM task_sightings")

    assert len(rows) == 1, f"expected one alert, got {len(rows)}"
    alert_id = rows[0]["id"]
    assert {r.alert.id for r in results} == {alert_id}  # every sharer sees that alert
    assert sum(r.created for r in results) == 1
    assert rows[0]["seen_count"] == SHARERS
    assert rows[0]["expires_at"] == 200 + SHARERS - 1  # the latest expiry of all
    # Each bump saw the count of the bumps before it: every number once, 2 … 100.
    assert sorted(r.alert.seen_count for r in results) == list(range(1, SHARERS + 1))
    assert sightings == SHARERS - 1  # the trigger recorded every re-share


async def test_members_sharing_again_from_two_processes_are_counted_once(
    pg_url: DatabaseUrl,
) -> None:
    """Each of ten members shares the task six times at once, half on each process."""
    members, times = 10, 6
    async with two_processes(pg_url) as (first, second):
        created = await tasks_db.share(first, share_of(1), now=100, expires_at=200)
        results = await at_once(
            (first, second),
            lambda db, n: tasks_db.share(
                db, share_of(1 + n % members), now=101, expires_at=300 + n
            ),
            members * times,
        )
        alert = await tasks_db.get_alert(second, created.alert.id)
        sightings = await first.fetch_value("SELECT count(*) FROM task_sightings")
    assert alert is not None and alert.seen_count == members  # the first sharer counts too
    assert not any(r.created for r in results)
    # Member 1 shared it first: every one of their shares is a repeat; each other member's
    # first share to land is counted, and their five others are repeats.
    assert sum(not r.repeat for r in results) == members - 1
    assert alert.expires_at == 300 + members * times - 1
    assert sightings == members


async def test_votes_from_two_processes_are_each_counted_once(pg_url: DatabaseUrl) -> None:
    voters = 60
    args = {"guild_id": GUILD, "now": 101, "extend_to": 300, "gone_needed": 1000}
    async with two_processes(pg_url) as (first, second):
        alert_id = (await tasks_db.share(first, share_of(1), now=100, expires_at=200)).alert.id
        await at_once(
            (first, second),
            lambda db, n: tasks_db.vote(
                db, alert_id, n, "live" if n % 3 else "gone", moderator=False, **args
            ),
            voters,
        )
        alert = await tasks_db.get_alert(second, alert_id)
        stored = await first.fetch_all(
            "SELECT kind, count(*) AS n FROM task_votes GROUP BY kind ORDER BY kind"
        )
    assert {r["kind"]: r["n"] for r in stored} == {"gone": 20, "live": 40}
    assert alert is not None and (alert.live_votes, alert.gone_votes) == (40, 20)


async def test_gone_votes_from_two_processes_end_the_alert_at_the_threshold(
    pg_url: DatabaseUrl,
) -> None:
    """Without the alert's lock, two processes' votes could each count one too few."""
    args = {"guild_id": GUILD, "now": 101, "extend_to": 300, "gone_needed": 6}
    async with two_processes(pg_url) as (first, second):
        alert_id = (await tasks_db.share(first, share_of(1), now=100, expires_at=200)).alert.id
        results = await at_once(
            (first, second),
            lambda db, n: tasks_db.vote(db, alert_id, 10 + n, "gone", moderator=False, **args),
            6,
        )
        alert = await tasks_db.get_alert(first, alert_id)
    assert alert is not None and alert.state == "gone" and alert.gone_votes == 6
    assert sum(1 for r in results if r is not None and r.state == "gone") == 1


async def test_reports_from_two_processes_give_the_exact_median(pg_url: DatabaseUrl) -> None:
    rng = random.Random(16)
    rates = [rng.randrange(100, 5000) for _ in range(40)]
    async with two_processes(pg_url) as (first, second):
        alert_id = (await tasks_db.share(first, share_of(1), now=100, expires_at=200)).alert.id
        await at_once(
            (first, second),
            lambda db, n: tasks_db.report_done(
                db,
                alert_id,
                n,
                guild_id=GUILD,
                minutes=10,
                hourly_cents=rates[n],
                rating="good" if n % 4 else "bad",
                now=150,
            ),
            len(rates),
        )
        alert = await tasks_db.get_alert(second, alert_id)
    middle = sorted(rates)[19:21]
    assert alert is not None and alert.done_count == 40
    assert (alert.good_count, alert.bad_count) == (30, 10)
    assert alert.crowd_hourly_cents == (sum(middle) + 1) // 2  # rounded half up
