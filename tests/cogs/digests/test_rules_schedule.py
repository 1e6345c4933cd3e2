"""When a digest is due, which period it is, and what survives daylight-saving changes."""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from cogs.digests.rules import (
    CATCH_UP_GRACE,
    Cadence,
    Decision,
    Schedule,
    decide,
    due_instant,
    latest_occurrence,
    next_occurrence,
    normalize_timezone,
    parse_cadence_choice,
    parse_section,
    parse_time_of_day,
    period_key,
    timezone_suggestions,
    validate_cadences,
    validate_weekday,
    work_dates,
)
from cogs.digests.runner import cron_trigger

LA = "America/Los_Angeles"
UTCZ = ZoneInfo("UTC")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_rules_do_not_import_discord() -> None:
    import subprocess

    code = "import sys, cogs.digests.rules; sys.exit('discord' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- period keys and windows ------------------------------------------------------------------


def test_period_keys_daily_and_iso_week() -> None:
    assert period_key(Cadence.DAILY, date(2026, 11, 26)) == "2026-11-26"
    assert period_key(Cadence.WEEKLY, date(2026, 11, 26)) == "2026-W48"
    # ISO weeks belong to the year of their Thursday.
    assert period_key(Cadence.WEEKLY, date(2027, 1, 1)) == "2026-W53"


def test_latest_daily_occurrence_is_todays_once_due() -> None:
    schedule = Schedule(Cadence.DAILY, 8, 0, LA)
    # 2026-11-26 17:00 UTC is 09:00 in Los Angeles: today's 08:00 is due.
    occ = latest_occurrence(schedule, utc(2026, 11, 26, 17, 0))
    assert occ.period_key == "2026-11-26"
    assert occ.due_at == utc(2026, 11, 26, 16, 0)
    assert occ.window_start == utc(2026, 11, 25, 16, 0)
    assert occ.window_end == occ.due_at
    # One second before it is due, the latest is still yesterday's.
    earlier = latest_occurrence(schedule, utc(2026, 11, 26, 15, 59, 59))
    assert earlier.period_key == "2026-11-25"
    assert next_occurrence(schedule, utc(2026, 11, 26, 15, 59, 59)).period_key == "2026-11-26"


def test_weekly_occurrence_on_its_weekday() -> None:
    schedule = Schedule(Cadence.WEEKLY, 8, 0, LA, weekday=0)  # Mondays
    occ = latest_occurrence(schedule, utc(2026, 11, 26, 17, 0))  # a Thursday
    assert occ.local_date == date(2026, 11, 23)
    assert occ.period_key == "2026-W48"
    assert occ.window_end - occ.window_start == timedelta(days=7)
    assert next_occurrence(schedule, utc(2026, 11, 26, 17, 0)).local_date == date(2026, 11, 30)
    assert work_dates(occ) == (date(2026, 11, 16), date(2026, 11, 22))


def test_work_dates_of_a_daily_digest_are_the_day_before() -> None:
    occ = latest_occurrence(Schedule(Cadence.DAILY, 8, 0, LA), utc(2026, 11, 26, 17, 0))
    assert work_dates(occ) == (date(2026, 11, 25), date(2026, 11, 25))


# -- daylight saving ---------------------------------------------------------------------------


def assert_consecutive(days: list[str]) -> None:
    parsed = [date.fromisoformat(d) for d in days]
    assert len(parsed) >= 4
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(parsed))


def _keys_over(schedule: Schedule, start: datetime, hours: int) -> list[tuple[str, datetime]]:
    """Every (period, due instant) the rule yields when asked every 10 minutes."""
    seen: dict[str, datetime] = {}
    now = start
    while now < start + timedelta(hours=hours):
        occ = latest_occurrence(schedule, now)
        seen.setdefault(occ.period_key, occ.due_at)
        assert seen[occ.period_key] == occ.due_at  # a period never moves
        now += timedelta(minutes=10)
    return sorted(seen.items())


@pytest.mark.parametrize("hour,minute", [(2, 30), (1, 30)])
def test_spring_forward_neither_skips_nor_doubles(hour: int, minute: int) -> None:
    # 2026-03-08: Los Angeles clocks jump from 02:00 to 03:00.
    schedule = Schedule(Cadence.DAILY, hour, minute, LA)
    keys = _keys_over(schedule, utc(2026, 3, 6, 12), 24 * 4)
    assert_consecutive([k for k, _ in keys])
    due = dict(keys)
    assert "2026-03-08" in due
    if hour == 2:
        # 02:30 does not exist that day: sent at 03:30 PDT (10:30 UTC), once.
        assert due["2026-03-08"] == utc(2026, 3, 8, 10, 30)
    else:
        assert due["2026-03-08"] == utc(2026, 3, 8, 9, 30)  # 01:30 PST
    # The next day is on daylight time (UTC-7).
    assert due["2026-03-09"] == utc(2026, 3, 9, hour + 7, 30)
    occ = latest_occurrence(schedule, due["2026-03-09"])
    assert occ.window_end - occ.window_start == timedelta(hours=23)


@pytest.mark.parametrize("hour,minute", [(1, 30), (2, 30)])
def test_fall_back_neither_skips_nor_doubles(hour: int, minute: int) -> None:
    # 2026-11-01: Los Angeles clocks fall back from 02:00 PDT to 01:00 PST.
    schedule = Schedule(Cadence.DAILY, hour, minute, LA)
    keys = _keys_over(schedule, utc(2026, 10, 30, 12), 24 * 4)
    assert_consecutive([k for k, _ in keys])
    due = dict(keys)
    assert "2026-11-01" in due
    if hour == 1:
        # 01:30 happens twice: the digest goes out the first time (PDT, 08:30 UTC).
        assert due["2026-11-01"] == utc(2026, 11, 1, 8, 30)
        # The window that follows is 25 hours long: no hour is lost.
        occ = latest_occurrence(schedule, utc(2026, 11, 2, 12))
        assert occ.window_end - occ.window_start == timedelta(hours=25)
    else:
        assert due["2026-11-01"] == utc(2026, 11, 1, 10, 30)  # 02:30 PST


def test_cron_trigger_double_fire_on_fall_back_maps_to_one_period() -> None:
    """APScheduler fires 01:30 twice on the fall-back day; both fires name the same period."""
    schedule = Schedule(Cadence.DAILY, 1, 30, LA)
    trigger = cron_trigger(schedule)
    fires = []
    previous = None
    now = utc(2026, 10, 31, 0)
    for _ in range(4):
        fire = trigger.get_next_fire_time(previous, now)
        fires.append(fire)
        # APScheduler passes the previous fire time and a UTC "now"; wall-clock arithmetic
        # on the aware local time would move backwards across the fall-back hour.
        previous, now = fire, fire.astimezone(UTC) + timedelta(seconds=1)
    keys = [latest_occurrence(schedule, f.astimezone(UTC)).period_key for f in fires]
    assert keys == ["2026-10-31", "2026-11-01", "2026-11-01", "2026-11-02"]


def test_cron_trigger_fires_spring_forward_gap_time_at_the_instant_we_expect() -> None:
    schedule = Schedule(Cadence.DAILY, 2, 30, LA)
    trigger = cron_trigger(schedule)
    fire = trigger.get_next_fire_time(None, utc(2026, 3, 8, 0))
    assert fire.astimezone(UTC) == due_instant(schedule, date(2026, 3, 8))


def test_weekly_cron_trigger_uses_the_weekday() -> None:
    trigger = cron_trigger(Schedule(Cadence.WEEKLY, 8, 0, LA, weekday=6))
    fire = trigger.get_next_fire_time(None, utc(2026, 11, 26, 17))
    assert fire.astimezone(ZoneInfo(LA)).date() == date(2026, 11, 29)  # a Sunday
    assert isinstance(trigger, CronTrigger)


ZONES = st.sampled_from(
    [
        "America/Los_Angeles",
        "America/New_York",
        "Europe/Paris",
        "Europe/London",
        "Australia/Lord_Howe",  # half-hour DST
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Auckland",
        "UTC",
    ]
)
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(zone=ZONES, hour=st.integers(0, 23), minute=st.integers(0, 59), now=INSTANTS)
def test_latest_and_next_bracket_now_and_follow_each_other(
    zone: str, hour: int, minute: int, now: datetime
) -> None:
    schedule = Schedule(Cadence.DAILY, hour, minute, zone)
    latest = latest_occurrence(schedule, now)
    upcoming = next_occurrence(schedule, now)
    assert latest.due_at <= now < upcoming.due_at
    # consecutive local days: no day skipped or doubled, whatever the clocks did
    assert upcoming.local_date - latest.local_date == timedelta(days=1)
    assert upcoming.window_start == latest.due_at
    assert timedelta(hours=22) <= upcoming.due_at - latest.due_at <= timedelta(hours=26)
    # the key names the local date in the configured zone
    assert latest.period_key == latest.local_date.isoformat()


@settings(max_examples=150, deadline=None)
@given(
    zone=ZONES,
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    weekday=st.integers(0, 6),
    now=INSTANTS,
)
def test_weekly_occurrences_one_per_iso_week(
    zone: str, hour: int, minute: int, weekday: int, now: datetime
) -> None:
    schedule = Schedule(Cadence.WEEKLY, hour, minute, zone, weekday)
    latest = latest_occurrence(schedule, now)
    upcoming = next_occurrence(schedule, now)
    assert latest.due_at <= now < upcoming.due_at
    assert latest.local_date.weekday() == weekday
    assert upcoming.local_date - latest.local_date == timedelta(days=7)
    assert latest.period_key != upcoming.period_key


# -- the catch-up rule --------------------------------------------------------------------------


def test_decide_sends_on_time_and_within_grace_skips_beyond() -> None:
    schedule = Schedule(Cadence.DAILY, 8, 0, LA)
    due = utc(2026, 11, 26, 16, 0)
    since = utc(2026, 1, 1)
    occ = latest_occurrence(schedule, due)
    assert decide(occ, due, since) is Decision.SEND
    assert decide(occ, due + CATCH_UP_GRACE, since) is Decision.SEND
    late = due + CATCH_UP_GRACE + timedelta(seconds=1)
    assert decide(latest_occurrence(schedule, late), late, since) is Decision.SKIP


def test_decide_never_catches_up_an_occurrence_older_than_the_schedule() -> None:
    schedule = Schedule(Cadence.DAILY, 8, 0, LA)
    now = utc(2026, 11, 26, 17, 0)  # 09:00 local: 08:00 was an hour ago
    occ = latest_occurrence(schedule, now)
    assert decide(occ, now, since=now - timedelta(minutes=5)) is Decision.NOT_DUE


# -- input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("08:00", (8, 0)),
        ("8", (8, 0)),
        ("8:30", (8, 30)),
        ("8h30", (8, 30)),
        ("20h", (20, 0)),
        ("20 h 15", (20, 15)),
        ("8pm", (20, 0)),
        ("12am", (0, 0)),
        ("12 p.m.", (12, 0)),
        (" 07.45 ", (7, 45)),
        ("23:59", (23, 59)),
    ],
)
def test_parse_time_of_day(text: str, expected: tuple[int, int]) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24:00", "8:60", "-1", "13pm", "0am", "noon", "8:5", "1e3", "８:00", "9" * 10_000]
)
def test_parse_time_of_day_refuses(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_time_of_day(text)
    assert info.value.key == "digests.errors.bad_time"
    assert len(str(info.value.params["text"])) <= 20


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_parse_time_round_trips(hour: int, minute: int) -> None:
    assert parse_time_of_day(f"{hour:02d}:{minute:02d}") == (hour, minute)
    assert parse_time_of_day(f"{hour}h{minute:02d}") == (hour, minute)


@given(st.text(max_size=40))
def test_parse_time_never_crashes(text: str) -> None:
    try:
        hour, minute = parse_time_of_day(text)
    except UserError:
        return
    assert 0 <= hour <= 23 and 0 <= minute <= 59


def test_timezones_are_validated_and_forgiven() -> None:
    assert normalize_timezone("europe/paris") == "Europe/Paris"
    assert normalize_timezone(" America/New York ") == "America/New_York"
    assert normalize_timezone("Los_Angeles") == "America/Los_Angeles"
    for bad in ["Mars/Olympus", "", "../../etc/passwd", "@everyone", "x" * 5000]:
        with pytest.raises(UserError):
            normalize_timezone(bad)
    suggestions = timezone_suggestions("paris")
    assert suggestions[0] == "Europe/Paris"
    assert len(timezone_suggestions("")) == 25


def test_other_choices_are_checked_again() -> None:
    assert validate_weekday(6) == 6
    for bad in (-1, 7, 99):
        with pytest.raises(UserError):
            validate_weekday(bad)
    with pytest.raises(UserError):
        validate_cadences(False, False)
    validate_cadences(True, False)
    assert parse_cadence_choice("off") is None
    assert parse_cadence_choice("weekly") is Cadence.WEEKLY
    with pytest.raises(UserError):
        parse_cadence_choice("hourly")
    with pytest.raises(UserError):
        parse_section("secrets")


def test_schedule_refuses_impossible_values() -> None:
    with pytest.raises(ValueError):
        Schedule(Cadence.DAILY, 24, 0)
    with pytest.raises(ValueError):
        Schedule(Cadence.WEEKLY, 8, 0, weekday=7)
