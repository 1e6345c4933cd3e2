"""Scheduling that can be trusted: jobs from rows, once-only sends, catch-up, DST.

Jobs are fired by calling them after moving the clock, never by sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cogs.digests.rules import CATCH_UP_GRACE, Cadence
from cogs.digests.runner import PLANS_PER_TURN, RESYNC_JOB_ID, Outcome, job_id
from db import digests, guilds
from tests.cogs.digests.conftest import cog_of, configure, runs
from tests.harness.driver import Harness
from tests.loop_turns import LoopTurns

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends

LA = ZoneInfo("America/Los_Angeles")


def at_la(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA).astimezone(UTC)


def server_job(h: Harness, cadence: str = "daily") -> str:
    return job_id("guild", h.world.guild_id, cadence)


async def test_a_set_up_server_gets_the_default_digest_at_the_next_resync(
    configured: Harness,
) -> None:
    h = configured
    runner = cog_of(h).runner
    assert server_job(h) not in runner.planned  # set up after start-up
    await runner.resync()  # what the periodic job does
    schedule = runner.planned[server_job(h)]
    assert (schedule.hour, schedule.minute, schedule.timezone) == (8, 0, "America/Los_Angeles")
    job = h.bot.scheduler.get_job(server_job(h))
    assert job is not None
    assert h.bot.scheduler.get_job(RESYNC_JOB_ID) is not None
    # The first run is tomorrow 08:00 in Los Angeles: today's was before the server asked.
    nxt = job.trigger.get_next_fire_time(None, h.clock.now())
    assert nxt.astimezone(UTC) == at_la(2026, 11, 27, 8)
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.NOT_DUE
    assert h.in_channel(h.world.digest) == []


async def test_jobs_are_rebuilt_from_rows_at_start_up(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await configure(configured, time="06:45", timezone="Europe/Paris", weekly=True, weekday=4)
    await configured.slash("digest me", user=configured.bob, cadence="daily", time="21:00")
    h = await configured.restart(monkeypatch=monkeypatch)
    planned = cog_of(h).runner.planned
    daily, weekly = planned[server_job(h)], planned[server_job(h, "weekly")]
    assert (daily.hour, daily.minute, daily.timezone) == (6, 45, "Europe/Paris")
    assert (weekly.cadence, weekly.weekday) == (Cadence.WEEKLY, 4)
    member = planned[job_id("member", h.bob.id, "daily")]
    assert (member.hour, member.minute) == (21, 0)
    for name in planned:
        assert h.bot.scheduler.get_job(name) is not None
    trigger = h.bot.scheduler.get_job(server_job(h, "weekly")).trigger
    nxt = trigger.get_next_fire_time(None, h.clock.now())
    assert nxt == datetime(2026, 11, 27, 6, 45, tzinfo=ZoneInfo("Europe/Paris"))  # a Friday
    await h.stop()


async def test_changing_time_or_zone_reschedules_at_once(configured: Harness) -> None:
    h = configured
    await configure(h)
    job = h.bot.scheduler.get_job(server_job(h))
    assert job.trigger.get_next_fire_time(None, h.clock.now()).astimezone(UTC) == at_la(
        2026, 11, 27, 8
    )
    await configure(h, time="7:30pm", timezone="America/New_York")
    job = h.bot.scheduler.get_job(server_job(h))
    nxt = job.trigger.get_next_fire_time(None, h.clock.now())
    assert nxt == datetime(2026, 11, 26, 19, 30, tzinfo=ZoneInfo("America/New_York"))
    await configure(h, daily=False, weekly=True, weekday=0)
    assert h.bot.scheduler.get_job(server_job(h)) is None
    assert h.bot.scheduler.get_job(server_job(h, "weekly")) is not None
    await configure(h, enabled=False)
    assert h.bot.scheduler.get_job(server_job(h, "weekly")) is None
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.WEEKLY) == Outcome.INACTIVE


async def test_the_job_posts_once_and_a_double_fire_sends_nothing(configured: Harness) -> None:
    h = configured
    await configure(h)
    runner = cog_of(h).runner
    h.clock.set(at_la(2026, 11, 27, 8))
    first, second = await asyncio.gather(
        runner.run_server(h.world.guild_id, Cadence.DAILY),
        runner.run_server(h.world.guild_id, Cadence.DAILY),
    )
    assert sorted([first, second]) == sorted([Outcome.SENT, Outcome.ALREADY])
    h.clock.advance(seconds=30)
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.ALREADY
    posted = h.in_channel(h.world.digest)
    assert len(posted) == 1
    assert posted[0].embed["title"].startswith("Daily digest — Friday, November 27, 2026")
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "sent", None)]
    record = (await digests.runs_for(h.db, "guild", h.world.guild_id))[0]
    assert record.message_id == posted[0].message_id
    h.api.assert_never_pinged()


async def test_the_scheduled_callable_runs_the_same_path(configured: Harness) -> None:
    """What APScheduler calls (`_fire`) claims and sends like a direct run."""
    h = configured
    await configure(h)
    h.clock.set(at_la(2026, 11, 27, 8))
    job = h.bot.scheduler.get_job(server_job(h))
    await job.func(*job.args)
    await job.func(*job.args)  # fired twice
    assert len(h.in_channel(h.world.digest)) == 1


async def test_a_restart_at_the_scheduled_minute_never_sends_twice(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await configure(configured)
    configured.clock.set(at_la(2026, 11, 27, 8))
    assert (
        await cog_of(configured).runner.run_server(configured.world.guild_id, Cadence.DAILY)
        == Outcome.SENT
    )
    configured.clock.advance(seconds=20)
    h = await configured.restart(monkeypatch=monkeypatch)  # catch-up runs on GUILD_CREATE
    assert h.in_channel(h.world.digest) == []
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.ALREADY
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "sent", None)]
    await h.stop()


async def test_a_missed_digest_is_sent_once_at_start_up_when_not_too_late(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await configure(configured)
    # The bot is down from before 08:00 until 10:30: two and a half hours late.
    configured.clock.set(at_la(2026, 11, 27, 10, 30))
    h = await configured.restart(monkeypatch=monkeypatch)
    posted = h.in_channel(h.world.digest)
    assert len(posted) == 1 and "November 27" in posted[0].embed["title"]
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "sent", None)]
    h2 = await h.restart(monkeypatch=monkeypatch)  # and never again
    assert h2.in_channel(h2.world.digest) == []
    await h2.stop()


async def test_a_digest_missed_by_more_than_the_grace_is_recorded_skipped(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await configure(configured)
    late = at_la(2026, 11, 27, 8) + CATCH_UP_GRACE + timedelta(minutes=1)
    configured.clock.set(late)
    h = await configured.restart(monkeypatch=monkeypatch)
    assert h.in_channel(h.world.digest) == []
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "skipped", "late:10860")]
    # The next day goes out as usual.
    h.clock.set(at_la(2026, 11, 28, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT
    await h.stop()


async def test_a_schedule_change_never_sends_an_old_period_late_or_twice(
    configured: Harness,
) -> None:
    h = configured
    runner = cog_of(h).runner
    await configure(h)
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT
    # Later that morning the moderators move the digest to 10:00: today's is already out.
    h.clock.set(at_la(2026, 11, 27, 9))
    await configure(h, time="10:00")
    h.clock.set(at_la(2026, 11, 27, 10))
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.ALREADY
    # Moved earlier than now (07:00 tomorrow → set at 07:30): not sent late as "missed".
    h.clock.set(at_la(2026, 11, 28, 7, 30))
    await configure(h, time="07:00")
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.NOT_DUE
    await runner.catch_up_guild(h.world.guild_id)
    assert len(h.in_channel(h.world.digest)) == 1


@pytest.mark.parametrize(
    ("time", "fires", "expected"),
    [
        # Fall back (2026-11-01): 01:30 happens twice; APScheduler fires at both.
        (
            "01:30",
            ["2026-11-01T08:30", "2026-11-01T09:30", "2026-11-02T09:30"],
            [Outcome.SENT, Outcome.ALREADY, Outcome.SENT],
        ),
        # Fall back at 02:30: after the change, once.
        ("02:30", ["2026-11-01T10:30", "2026-11-02T10:30"], [Outcome.SENT, Outcome.SENT]),
        # Spring forward (2026-03-08): 02:30 does not exist; sent at 03:30 PDT, once.
        (
            "02:30",
            ["2026-03-07T10:30", "2026-03-08T10:30", "2026-03-09T09:30"],
            [Outcome.SENT, Outcome.SENT, Outcome.SENT],
        ),
        ("01:30", ["2026-03-08T09:30", "2026-03-09T08:30"], [Outcome.SENT, Outcome.SENT]),
    ],
)
async def test_daylight_saving_neither_skips_nor_doubles_a_day(
    configured: Harness, time: str, fires: list[str], expected: list[Outcome]
) -> None:
    h = configured
    h.clock.set(datetime.fromisoformat(fires[0]).replace(tzinfo=UTC) - timedelta(days=2))
    await configure(h, time=time)
    runner = cog_of(h).runner
    outcomes = []
    for fire in fires:
        h.clock.set(datetime.fromisoformat(fire).replace(tzinfo=UTC))
        outcomes.append(await runner.run_server(h.world.guild_id, Cadence.DAILY))
    assert outcomes == expected
    sent = [p for p, status, _ in await runs(h, "guild", h.world.guild_id) if status == "sent"]
    days = [datetime.fromisoformat(p) for p in sent]
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(days))
    assert len(h.in_channel(h.world.digest)) == expected.count(Outcome.SENT)


async def test_weekly_digest_goes_out_on_its_day_once_per_iso_week(configured: Harness) -> None:
    h = configured
    await configure(h, daily=False, weekly=True, weekday=0)
    runner = cog_of(h).runner
    h.clock.set(at_la(2026, 11, 30, 8))  # Monday
    assert await runner.run_server(h.world.guild_id, Cadence.WEEKLY) == Outcome.SENT
    h.clock.set(at_la(2026, 12, 2, 8))  # Wednesday: still that week's
    assert await runner.run_server(h.world.guild_id, Cadence.WEEKLY) == Outcome.ALREADY
    posted = h.in_channel(h.world.digest)
    assert len(posted) == 1 and posted[0].embed["title"].startswith("Weekly digest")
    assert await runs(h, "guild", h.world.guild_id) == [("2026-W49", "sent", None)]


async def test_a_forum_digest_channel_gets_one_post_per_digest(configured: Harness) -> None:
    h = configured
    await configure(h, digest_channel=h.world.forum)
    runner = cog_of(h).runner
    for day in (27, 28):
        h.clock.set(at_la(2026, 11, day, 8))
        assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT
    posts = [s for s in h.api.sent if s.kind == "forum_post"]
    assert len(posts) == 2
    threads = h.api.calls_to("POST", "/channels/{channel_id}/threads")
    assert [c.json["name"] for c in threads] == [
        "Daily digest — Friday, November 27, 2026",
        "Daily digest — Saturday, November 28, 2026",
    ]
    assert all(int(c.params["channel_id"]) == h.world.forum for c in threads)


async def test_a_deleted_digest_channel_is_recorded_and_reported(configured: Harness) -> None:
    h = configured
    await configure(h)
    problems: list[tuple[int, str, str]] = []

    async def on_channel_problem(guild_id: int, kind: str, detail: str) -> None:
        problems.append((guild_id, kind, detail))

    h.bot.add_listener(on_channel_problem)
    await h.gateway(
        "CHANNEL_DELETE",
        {"id": str(h.world.digest), "type": 0, "guild_id": str(h.world.guild_id)},
    )
    h.clock.set(at_la(2026, 11, 27, 8))
    runner = cog_of(h).runner
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.FAILED
    await h.settle()
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "failed", "deleted")]
    assert problems == [(h.world.guild_id, "digest", "deleted")]
    assert (await guilds.get(h.db, h.world.guild_id)).digest_channel_id is None
    await runner.resync()
    assert h.bot.scheduler.get_job(server_job(h)) is None


async def test_a_channel_gone_at_send_time_is_forgotten(configured: Harness) -> None:
    h = configured
    await configure(h)
    h.api.fail("POST", "/channels/{channel_id}/messages", 404, code=10003)
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.FAILED
    assert await runs(h, "guild", h.world.guild_id) == [("2026-11-27", "failed", "deleted")]
    assert (await guilds.get(h.db, h.world.guild_id)).digest_channel_id is None


async def test_missing_permissions_fail_cleanly(configured: Harness) -> None:
    h = configured
    await configure(h)
    h.api.fail("POST", "/channels/{channel_id}/messages", 403, code=50013)
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.FAILED
    assert await runs(h, "guild", h.world.guild_id) == [
        ("2026-11-27", "failed", "missing_permissions")
    ]


async def test_leaving_a_server_drops_its_jobs(configured: Harness) -> None:
    h = configured
    await configure(h)
    assert h.bot.scheduler.get_job(server_job(h)) is not None
    await h.gateway("GUILD_DELETE", {"id": str(h.world.guild_id)})
    assert h.bot.scheduler.get_job(server_job(h)) is None


async def test_cog_unload_removes_every_job(configured: Harness) -> None:
    h = configured
    await configure(h)
    await h.bot.remove_cog("DigestsCog")
    assert h.bot.scheduler.get_job(server_job(h)) is None
    assert h.bot.scheduler.get_job(RESYNC_JOB_ID) is None


async def test_old_ledger_rows_are_pruned_recent_ones_kept(configured: Harness) -> None:
    h = configured
    await configure(h)
    runner = cog_of(h).runner
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT
    h.clock.set(at_la(2027, 1, 20, 8))
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT
    assert await runner.prune() == 0  # 54 days: kept
    h.clock.set(at_la(2027, 3, 1, 12))
    assert await runner.prune() == 1
    assert [p for p, _, _ in await runs(h, "guild", h.world.guild_id)] == ["2027-01-20"]


async def test_a_stored_zone_that_no_longer_loads_falls_back_to_the_default(
    configured: Harness,
) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, timezone="Atlantis/Capital")
    runner = cog_of(h).runner
    await runner.resync()
    assert runner.planned[server_job(h)].timezone == "America/Los_Angeles"
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await runner.run_server(h.world.guild_id, Cadence.DAILY) == Outcome.SENT


async def test_resyncing_thousands_of_members_digests_gives_the_loop_turns(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The five-minute resync schedules every member's digest; on a big community that
    is thousands, worked out in turns so members' interactions are not held behind it.
    """
    h = configured
    count = PLANS_PER_TURN * 2 + 1
    now = int(h.clock.now().timestamp())
    for n in range(count):
        await digests.save_member(
            h.db,
            10**17 + n,
            now,
            cadence="daily",
            weekday=0,
            send_hour=n % 24,
            send_minute=0,
            timezone=None,
            locale="en",
            thanks_opt_out=False,
            reschedule=False,
        )
    turns = LoopTurns()
    runner = cog_of(h).runner
    # The module the loaded extension uses (each harness loads the extensions afresh).
    runner_module = sys.modules[type(runner).__module__]
    seen: set[int] = set()
    schedule_of = runner_module.member_schedule

    def watched(member: Any) -> Any:
        seen.add(turns.count)
        return schedule_of(member)

    monkeypatch.setattr(runner_module, "member_schedule", watched)
    async with turns:
        await runner.resync()
    planned = [name for name in runner.planned if name.startswith(f"digest:{digests.MEMBER}")]
    assert len(planned) == count
    assert len(seen) > count // PLANS_PER_TURN  # the schedules were worked out in turns
