"""/shift: time between logged tasks becomes unpaid time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db import earnings as E
from tests.cogs.earnings.helpers import log, stored
from tests.harness.driver import Harness

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends


async def test_a_shift_records_the_time_between_tasks(harness: Harness) -> None:
    h = harness
    started = await h.slash("shift start", user=h.alice, platform="mturk")
    assert started.ephemeral and started.embed["title"] == "Shift started"
    again = await h.slash("shift start", user=h.alice)
    assert "already running" in again.content
    h.clock.advance(minutes=20)
    await log(h, h.alice, amount="3", minutes=15, status="approved")
    h.clock.advance(minutes=40)
    await log(h, h.alice, amount="3", minutes=15, status="approved")
    h.clock.advance(minutes=30)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Worked") == "1 h 30 min"
    assert stopped.field("Logged in entries") == "30 min"
    assert stopped.field("Between tasks") == "1 h"
    assert "entry #3" in stopped.embed["description"]
    gap = (await stored(h, h.alice))[-1]
    assert (gap.kind, gap.reason, gap.minutes, gap.platform, gap.source) == (
        "unpaid",
        "between_tasks",
        60,
        "MTurk",
        "shift",
    )
    summary = await h.slash("earnings summary", user=h.alice, period="today")
    hourly = summary.field("Hourly wage")
    assert "Paid hourly: **$12.00/h**" in hourly and "Effective hourly: **$4.00/h**" in hourly
    assert "Between tasks 1 h" in summary.field("Time")


async def test_a_shift_fully_covered_by_entries_adds_nothing(harness: Harness) -> None:
    h = harness
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=10)
    await log(h, h.alice, minutes=12)
    stopped = await h.slash("shift stop", user=h.alice)
    assert "no unpaid time to add" in stopped.embed["description"]
    assert [e.kind for e in await stored(h, h.alice)] == ["task"]


async def test_stop_and_cancel_without_a_shift(harness: Harness) -> None:
    h = harness
    assert "No shift is running" in (await h.slash("shift stop", user=h.alice)).content
    assert "No shift is running" in (await h.slash("shift cancel", user=h.alice)).content
    await h.slash("shift start", user=h.alice)
    other = await h.slash("shift stop", user=h.bob)  # shifts are per member
    assert "No shift is running" in other.content
    cancelled = await h.slash("shift cancel", user=h.alice)
    assert "discarded" in cancelled.content
    assert await stored(h, h.alice) == []


async def test_a_forgotten_shift_asks_for_the_real_time(harness: Harness) -> None:
    h = harness
    await h.slash("shift start", user=h.alice)
    h.clock.advance(hours=30)
    forgot = await h.slash("shift stop", user=h.alice)
    assert "did you forget to stop it" in forgot.content and "1 d" not in forgot.content
    too_much = await h.slash("shift stop", user=h.alice, minutes=1441)
    assert "at most 1440" in too_much.content
    fixed = await h.slash("shift stop", user=h.alice, minutes=120)
    assert fixed.field("Worked") == "2 h" and fixed.field("Between tasks") == "2 h"
    # the gap is dated on the day the shift started
    assert (await stored(h, h.alice))[0].work_date == "2026-11-26"


async def test_worked_minutes_cannot_exceed_the_shift(harness: Harness) -> None:
    h = harness
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=30)
    sent = await h.slash("shift stop", user=h.alice, minutes=45)
    assert "only been running for 30 min" in sent.content


async def test_a_shift_across_the_dst_change_counts_real_time(harness: Harness) -> None:
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="Europe/Paris")
    h.clock.set(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 in Paris, before 02:00 → 03:00
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=60)  # the wall clock now reads 03:30
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Worked") == "1 h"
    assert (await stored(h, h.alice))[0].work_date == "2026-03-29"


async def test_a_clock_behind_the_shift_start_stops_it_at_zero_length(harness: Harness) -> None:
    """Another process's clock, a few seconds behind, stops a shift before it started."""
    h = harness
    await h.slash("shift start", user=h.alice)
    h.clock.advance(seconds=-5)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.embed["title"] == "Shift ended"
    assert stopped.field("Worked") == "0 min" and stopped.field("Between tasks") == "0 min"
    assert "no unpaid time to add" in stopped.embed["description"]
    assert await stored(h, h.alice) == []
    (shift,) = await h.db.fetch_all("SELECT started_at, ended_at, worked_minutes FROM shifts")
    assert shift["ended_at"] == shift["started_at"] and shift["worked_minutes"] == 0
    assert "No shift is running" in (await h.slash("shift stop", user=h.alice)).content


async def test_a_clock_behind_still_takes_the_minutes_the_member_gives(harness: Harness) -> None:
    h = harness
    await h.slash("shift start", user=h.alice)
    h.clock.advance(seconds=-5)
    too_much = await h.slash("shift stop", user=h.alice, minutes=2)
    assert "only been running for 0 min" in too_much.content
    stopped = await h.slash("shift stop", user=h.alice, minutes=1)
    assert stopped.field("Worked") == "1 min" and stopped.field("Between tasks") == "1 min"
    assert [(e.kind, e.minutes) for e in await stored(h, h.alice)] == [("unpaid", 1)]


async def test_tasks_logged_before_a_time_zone_change_still_count(harness: Harness) -> None:
    """The task keeps the date of the zone it was logged in; the shift still sees it."""
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="America/Los_Angeles")
    h.clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 23:00 on the 26th in Los Angeles
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=30)
    await log(h, h.alice, minutes=20)  # dated the 26th
    await h.slash("earnings settings", user=h.alice, timezone="Asia/Tokyo")  # 16:30 on the 27th
    h.clock.advance(minutes=60)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Worked") == "1 h 30 min"
    assert stopped.field("Logged in entries") == "20 min"
    assert stopped.field("Between tasks") == "1 h 10 min"
    task, gap = await stored(h, h.alice)
    assert (task.work_date, task.minutes) == ("2026-11-26", 20)
    assert (gap.kind, gap.work_date, gap.minutes) == ("unpaid", "2026-11-26", 70)


async def test_tasks_logged_before_a_change_to_a_western_zone_still_count(
    harness: Harness,
) -> None:
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="Asia/Tokyo")
    h.clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))  # 09:00 on the 27th in Tokyo
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=30)
    await log(h, h.alice, minutes=20)  # dated the 27th
    await h.slash("earnings settings", user=h.alice, timezone="America/Los_Angeles")  # the 26th
    h.clock.advance(minutes=60)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Logged in entries") == "20 min"
    assert stopped.field("Between tasks") == "1 h 10 min"
    assert [(e.kind, e.work_date, e.minutes) for e in await stored(h, h.alice)] == [
        ("task", "2026-11-27", 20),
        ("unpaid", "2026-11-27", 70),
    ]


async def test_past_days_logged_during_a_shift_do_not_cover_it(harness: Harness) -> None:
    """Catching up on yesterday's tasks mid-shift is not time the shift spent on tasks."""
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="Europe/Paris")
    h.clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))  # 09:00 in Paris
    await h.slash("shift start", user=h.alice)
    h.clock.advance(minutes=30)
    await log(h, h.alice, minutes=50, date="2026-11-25")
    await log(h, h.alice, minutes=5)
    h.clock.advance(minutes=30)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Logged in entries") == "5 min"
    assert stopped.field("Between tasks") == "55 min"
    assert [(e.work_date, e.minutes) for e in await stored(h, h.alice)][-1] == ("2026-11-26", 55)


async def test_the_gap_is_dated_in_the_zone_the_shift_started_in(harness: Harness) -> None:
    """Changing the time zone mid-shift does not move the shift to another day."""
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="America/Los_Angeles")
    h.clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 23:00 on the 26th in Los Angeles
    await h.slash("shift start", user=h.alice)
    await h.slash("earnings settings", user=h.alice, timezone="Asia/Tokyo")  # 16:00 on the 27th
    h.clock.advance(minutes=45)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Between tasks") == "45 min"
    (gap,) = await stored(h, h.alice)
    assert (gap.work_date, gap.minutes) == ("2026-11-26", 45)
    exported = await E.export_member(h.db, h.alice.id)
    assert [s["start_day"] for s in exported["shifts"]] == ["2026-11-26"]


async def test_a_shift_from_before_the_start_day_was_kept_is_dated_at_the_stop(
    harness: Harness,
) -> None:
    """Shifts left running over the upgrade have no start day: the zone at the stop dates them."""
    h = harness
    await h.slash("earnings settings", user=h.alice, timezone="Asia/Tokyo")
    h.clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 16:00 on the 27th in Tokyo
    await h.slash("shift start", user=h.alice)
    await h.db.execute("UPDATE shifts SET start_day = NULL")
    h.clock.advance(minutes=30)
    stopped = await h.slash("shift stop", user=h.alice)
    assert stopped.field("Between tasks") == "30 min"
    assert [e.work_date for e in await stored(h, h.alice)] == ["2026-11-27"]
