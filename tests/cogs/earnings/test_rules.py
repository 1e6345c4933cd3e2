"""Validation and time rules of the earnings log (pure, no Discord)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.money import MoneyError
from cogs.earnings import rules
from db.earnings.keys import shift_gap

ZONES = [
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/Paris",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Manila",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
]

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
days = st.dates(min_value=date(2000, 1, 2), max_value=date(2039, 12, 30))


# -- text -------------------------------------------------------------------------------------


def test_clean_text_collapses_whitespace_and_strips_controls() -> None:
    assert rules.clean_text("  Acme\n\tResearch\x00 ", 100, "requester") == "Acme Research"
    assert rules.clean_text("   ", 100, "requester") is None
    assert rules.clean_text(None, 100, "requester") is None
    assert rules.clean_text("a\u200bb", 100, "title") == "a b"


def test_clean_text_refuses_rather_than_cuts() -> None:
    with pytest.raises(UserError) as err:
        rules.clean_text("x" * 10_000, rules.MAX_TITLE, "title")
    assert err.value.key == "earnings.errors.too_long_title"
    assert err.value.params == {"limit": rules.MAX_TITLE}


def test_clean_text_keeps_mentions_verbatim_for_display_to_neutralise() -> None:
    assert rules.clean_text("@everyone **hi**", 100, "title") == "@everyone **hi**"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("mturk", "MTurk"),
        ("  Amazon   Mechanical Turk ", "MTurk"),
        ("PROLIFIC", "Prolific"),
        ("connect", "CloudResearch Connect"),
        ("Some New Site", "Some New Site"),
    ],
)
def test_platforms_get_one_spelling(typed: str, stored: str) -> None:
    assert rules.normalize_platform(typed) == stored


def test_platform_required_for_paid_work() -> None:
    with pytest.raises(UserError, match=r"platform_required"):
        rules.normalize_platform("   ")
    assert rules.normalize_platform(None, required=False) is None


def test_platform_suggestions_put_own_first_without_duplicates() -> None:
    found = rules.platform_suggestions("", ["Hitapps", "MTurk"])
    assert found[:2] == ["Hitapps", "MTurk"]
    assert found.count("MTurk") == 1
    assert rules.platform_suggestions("prol", []) == ["Prolific"]


# -- money and minutes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("1.50", "USD", (150, "USD")),
        ("1,50", "EUR", (150, "EUR")),
        ("1,50 EUR", "USD", (150, "EUR")),
        ("GBP 2", "USD", (200, "GBP")),
        ("$0.80", "USD", (80, "USD")),
        ("0", "USD", (0, "USD")),
        ("500", "JPY", (500, "JPY")),
        ("100000", "USD", (10_000_000, "USD")),
    ],
)
def test_parse_money(text: str, default: str, expected: tuple[int, str]) -> None:
    assert rules.parse_money(text, default) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("-1", "earnings.errors.negative_amount"),
        ("-0.01", "earnings.errors.negative_amount"),
        ("100000.01", "earnings.errors.amount_too_large"),
        ("999999999", "earnings.errors.amount_too_large"),
        ("abc", "common.errors.bad_amount"),
        ("1.5055", "common.errors.too_precise"),
        ("0.505", "common.errors.too_precise"),
        ("1.505", "common.errors.thousands_separator"),
        ("1,500", "common.errors.thousands_separator"),  # never stored as 1.50
        ("1.000", "common.errors.thousands_separator"),
        ("1.5 XYZ", "common.errors.unknown_currency"),
        ("USD 1 EUR", "common.errors.bad_amount"),
        ("", "common.errors.bad_amount"),
    ],
)
def test_parse_money_refuses(text: str, key: str) -> None:
    with pytest.raises((UserError, MoneyError)) as err:
        rules.parse_money(text, "USD")
    assert err.value.key == key


def test_zero_refused_where_it_makes_no_sense() -> None:
    with pytest.raises(UserError, match="zero_amount"):
        rules.parse_money("0", "USD", allow_zero=False)


@given(st.integers(min_value=0, max_value=10_000_000))
def test_parse_money_round_trips_every_valid_amount(cents: int) -> None:
    text = f"{cents // 100}.{cents % 100:02d}"
    assert rules.parse_money(text, "USD") == (cents, "USD")
    assert rules.parse_money(text.replace(".", ",") + " usd", "EUR") == (cents, "USD")


@pytest.mark.parametrize(
    ("minutes", "key"),
    [
        (0, "earnings.errors.minutes_zero"),
        (-5, "earnings.errors.minutes_zero"),
        (1441, "earnings.errors.minutes_too_many"),
        (None, "earnings.errors.minutes_required"),
    ],
)
def test_minutes_bounds(minutes: int | None, key: str) -> None:
    with pytest.raises(UserError) as err:
        rules.check_minutes(minutes)
    assert err.value.key == key


def test_bonus_minutes_may_be_zero() -> None:
    assert rules.check_minutes(0, allow_zero=True) == 0
    assert rules.check_minutes(1440) == 1440


def test_status_and_reason() -> None:
    assert rules.normalize_status(" Approved ") == "approved"
    assert rules.normalize_status(None) == "pending"
    with pytest.raises(UserError, match="bad_status"):
        rules.normalize_status("paid-ish")
    assert rules.normalize_reason(None) == "searching"
    with pytest.raises(UserError, match="bad_reason"):
        rules.normalize_reason("napping")


# -- dates and zones ------------------------------------------------------------------------


def test_parse_work_date() -> None:
    today = date(2026, 11, 26)
    assert rules.parse_work_date(None, today) == today
    assert rules.parse_work_date("hier", today) == date(2026, 11, 25)
    assert rules.parse_work_date("Yesterday", today) == date(2026, 11, 25)
    assert rules.parse_work_date("2026-11-01", today) == date(2026, 11, 1)
    for bad, key in [
        ("2026-11-27", "future_date"),
        ("1990-01-01", "date_too_old"),
        ("26/11/2026", "bad_date"),
        ("2026-02-30", "bad_date"),
        ("javascript:alert(1)", "bad_date"),
    ]:
        with pytest.raises(UserError, match=key):
            rules.parse_work_date(bad, today)


def test_timezones_are_validated_and_canonical() -> None:
    assert rules.normalize_timezone("europe/paris") == "Europe/Paris"
    assert rules.normalize_timezone("America/New York") == "America/New_York"
    assert rules.normalize_timezone("UTC") == "UTC"
    for bad in ("Mars/Olympus", "../../etc/passwd", "localtime", ""):
        with pytest.raises(UserError, match="bad_timezone"):
            rules.normalize_timezone(bad)


def test_timezone_suggestions() -> None:
    assert rules.timezone_suggestions("paris")[0] == "Europe/Paris"
    assert "America/Los_Angeles" in rules.timezone_suggestions("los")
    assert len(rules.timezone_suggestions("")) == 25
    assert all("/" in z or z == "UTC" for z in rules.timezone_suggestions("a"))


def test_named_periods() -> None:
    today = date(2026, 11, 26)  # a Thursday
    assert rules.period_range("today", today) == rules.Period("today", today, today)
    assert rules.period_range("week", today) == rules.Period("week", date(2026, 11, 23), today)
    assert rules.period_range("last_week", today) == rules.Period(
        "last_week", date(2026, 11, 16), date(2026, 11, 22)
    )
    assert rules.period_range("month", today).start == date(2026, 11, 1)
    assert rules.period_range("last_month", today) == rules.Period(
        "last_month", date(2026, 10, 1), date(2026, 10, 31)
    )
    assert rules.period_range("year", today).start == date(2026, 1, 1)
    assert rules.period_range("last_month", date(2026, 1, 15)).start == date(2025, 12, 1)


def test_custom_periods() -> None:
    today = date(2026, 11, 26)
    span = rules.period_range("week", today, "2026-10-01", "2026-12-31")
    assert (span.name, span.start, span.end) == ("custom", date(2026, 10, 1), today)
    for start, end, key in [
        ("2026-11-20", "2026-11-01", "range_reversed"),
        ("2024-01-01", "2026-01-01", "range_too_long"),
        ("2026-12-01", None, "future_date"),
        ("nope", None, "bad_date"),
        ("2026-11-01", "soon", "bad_date"),
    ]:
        with pytest.raises(UserError, match=key):
            rules.period_range("custom", today, start, end)
    with pytest.raises(UserError, match="bad_period"):
        rules.period_range("fortnight", today)


def test_day_bounds_around_dst_in_los_angeles() -> None:
    spring = rules.day_bounds(date(2026, 3, 8), "America/Los_Angeles")
    autumn = rules.day_bounds(date(2026, 11, 1), "America/Los_Angeles")
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert spring[0] == datetime(2026, 3, 8, 8, tzinfo=UTC)


def test_shift_minutes_count_real_time_across_dst() -> None:
    # 01:30 → 03:30 local on the spring-forward night is one hour of work in Paris
    zone = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 29, 1, 30, tzinfo=zone)
    end = datetime(2026, 3, 29, 3, 30, tzinfo=zone)
    assert rules.shift_span_minutes(int(start.timestamp()), int(end.timestamp())) == 60
    assert shift_gap(60, 45) == 15
    assert shift_gap(60, 90) == 0


@settings(max_examples=300)
@given(day=days, zone=st.sampled_from(ZONES))
def test_day_bounds_tile_time(day: date, zone: str) -> None:
    start, end = rules.day_bounds(day, zone)
    following_start, _ = rules.day_bounds(day + timedelta(days=1), zone)
    assert end == following_start  # consecutive days neither overlap nor leave gaps
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert rules.local_today(start, zone) == day
    assert rules.local_today(end - timedelta(seconds=1), zone) == day


@settings(max_examples=300)
@given(instant=instants, zone=st.sampled_from(ZONES))
def test_every_instant_falls_in_its_local_day(instant: datetime, zone: str) -> None:
    day = rules.local_today(instant, zone)
    start, end = rules.day_bounds(day, zone)
    assert start <= instant < end
    assert rules.local_date_of(int(instant.timestamp()), zone) == rules.local_today(
        instant.replace(microsecond=0), zone
    )


@settings(max_examples=300)
@given(instant=instants, zone=st.sampled_from(ZONES))
def test_weeks_start_on_monday_in_the_members_zone(instant: datetime, zone: str) -> None:
    today = rules.local_today(instant, zone)
    monday, sunday = rules.week_of(today)
    assert monday.weekday() == 0 and sunday.weekday() == 6
    assert monday <= today <= sunday and (sunday - monday).days == 6
    week = rules.period_range("week", today)
    assert week.start == monday and week.end == today
    last = rules.period_range("last_week", today)
    assert last.end == monday - timedelta(days=1) and last.days == 7


@given(instant=instants, zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2))
def test_the_same_instant_may_be_different_days_in_different_zones(
    instant: datetime, zones: list[str]
) -> None:
    first, second = (rules.local_today(instant, z) for z in zones)
    # Each date is the one the zone's offset gives the instant, and offsets run from
    # UTC-12 to UTC+14: two zones can be up to 26 hours apart, so at one instant their
    # dates may differ by two days (Kiritimati's 00:30 is Pago Pago's 23:30 two days
    # earlier; Hypothesis found it), never more.
    for zone, local in zip(zones, (first, second), strict=True):
        assert local == instant.astimezone(ZoneInfo(zone)).date()
    assert abs((first - second).days) <= 2


@given(
    start=instants,
    seconds=st.integers(min_value=0, max_value=3 * 24 * 3600),
    zone=st.sampled_from(ZONES),
)
def test_shift_span_minutes_ignore_wall_clock_jumps(
    start: datetime, seconds: int, zone: str
) -> None:
    begin = int(start.timestamp())
    minutes = rules.shift_span_minutes(begin, begin + seconds)
    assert abs(minutes * 60 - seconds) <= 30
    assert minutes == rules.shift_span_minutes(
        int(start.astimezone(ZoneInfo(zone)).timestamp()), begin + seconds
    )


@given(
    start=instants,
    seconds=st.integers(min_value=0, max_value=2 * 24 * 3600),
    inside=st.floats(0, 1),
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2),
)
def test_a_shifts_entry_dates_hold_the_date_of_every_task_logged_in_it(
    start: datetime, seconds: int, inside: float, zones: list[str]
) -> None:
    """Logged in the zone the shift started in, or in the one the member changed to."""
    then, now = zones
    begin = int(start.timestamp())
    first, last = rules.shift_entry_dates(
        begin, begin + seconds, rules.local_date_of(begin, then), now
    )
    logged = begin + int(seconds * inside)
    for zone in zones:
        day = rules.local_date_of(logged, zone)
        # (a clock turned back over midnight, as Sao Paulo's once was, repeats a date)
        assume(day >= rules.local_date_of(begin, zone))
        assert first <= day <= last
    assert (last - first).days <= seconds // 86400 + 3


@given(worked=st.integers(0, 1440), logged=st.integers(-10, 5000))
def test_shift_gap_is_never_negative_nor_more_than_worked(worked: int, logged: int) -> None:
    gap = shift_gap(worked, logged)
    assert 0 <= gap <= worked
