"""The setup rules: pure validation, with property tests for money and time zones."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.money import from_minor, known_currencies, minor_digits
from cogs.setup import rules
from db.guilds import GuildSettings

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


def test_rules_do_not_import_discord_even_indirectly() -> None:
    code = "import sys, cogs.setup.rules, cogs.admin.rules; print('discord' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(rules.__file__).parents[2],
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Paris", "Europe/Paris"),
        (" europe/paris ", "Europe/Paris"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
        ("Mars/Olympus", None),
        ("", None),
        ("../../etc/passwd", None),
        ("Europe/Paris\x00", None),
        ("x" * 10_000, None),
    ],
)
def test_find_timezone(text: str, zone: str | None) -> None:
    assert rules.find_timezone(text) == zone


def test_check_timezone_explains_and_truncates() -> None:
    with pytest.raises(UserError) as info:
        rules.check_timezone("Nowhere/" + "x" * 500)
    assert info.value.key == "setup.errors.unknown_timezone"
    assert len(str(info.value.params["zone"])) <= 64


def test_utc_offset_follows_daylight_saving() -> None:
    assert rules.utc_offset("Europe/Paris", WINTER) == "UTC+01:00"
    assert rules.utc_offset("Europe/Paris", SUMMER) == "UTC+02:00"
    assert rules.utc_offset("America/St_Johns", WINTER) == "UTC-03:30"
    assert rules.utc_offset("Asia/Kathmandu", WINTER) == "UTC+05:45"


def test_every_wizard_zone_exists_and_menus_fit_discord() -> None:
    for region, zones in rules.TIMEZONE_REGIONS.items():
        assert 1 <= len(zones) <= 25, region
        assert len(set(zones)) == len(zones), region
        for zone in zones:
            assert rules.find_timezone(zone) == zone, zone
    assert len(rules.COMMON_CURRENCIES) <= 24  # room for the current one if it is rarer
    assert set(rules.COMMON_CURRENCIES) <= known_currencies()


def test_timezone_suggestions() -> None:
    assert rules.timezone_suggestions("paris")[0] == "Europe/Paris"
    assert rules.timezone_suggestions("new york") == ["America/New_York"]
    assert len(rules.timezone_suggestions("")) == 25
    assert rules.timezone_suggestions("zzzz") == []


@given(st.text(max_size=200))
def test_timezone_suggestions_are_always_real_zones(query: str) -> None:
    found = rules.timezone_suggestions(query)
    assert len(found) <= 25
    assert all(rules.find_timezone(z) == z for z in found)


def test_currency_suggestions_search_codes_and_localised_names() -> None:
    assert rules.currency_suggestions("", "en")[:3] == ["USD", "EUR", "GBP"]
    assert "JPY" in rules.currency_suggestions("yen", "en")
    assert "CHF" in rules.currency_suggestions("franc suisse", "fr")
    assert rules.currency_suggestions("no such money", "en") == []


@pytest.mark.parametrize(
    ("text", "cents"),
    [("7.25", 725), ("7,25", 725), (" 15 ", 1500), ("0", 0), ("$9.5", 950), ("12 USD", 1200)],
)
def test_parse_wage(text: str, cents: int) -> None:
    assert rules.parse_wage(text, "USD") == cents


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("-1", "setup.errors.negative_wage"),
        ("- 3", "setup.errors.negative_wage"),
        ("abc", "common.errors.bad_amount"),
        ("7.2555", "common.errors.too_precise"),
        ("7.255", "common.errors.thousands_separator"),  # 7255 to a German reader
        ("1,500.00", "common.errors.bad_amount"),
        ("999999999999", "setup.errors.wage_too_high"),
        ("", "common.errors.bad_amount"),
        ("<@&123>", "common.errors.bad_amount"),
        ("12€", "common.errors.currency_conflict"),  # not stored as 12 dollars
        ("£7", "common.errors.currency_conflict"),
    ],
)
def test_parse_wage_refusals(text: str, key: str) -> None:
    with pytest.raises(UserError) as info:
        rules.parse_wage(text, "USD")
    assert info.value.key == key


def test_wage_from_option_refuses_what_discord_does_not_check() -> None:
    assert rules.wage_from_option(7.25, "USD") == 725
    for value, key in [
        (0.1 + 0.2, "common.errors.too_precise"),  # float noise is refused, not rounded
        (-0.01, "setup.errors.negative_wage"),
        (float("inf"), "common.errors.bad_amount"),
        (float("nan"), "common.errors.bad_amount"),
        (1e300, "setup.errors.wage_too_high"),
        (7.001, "common.errors.too_precise"),
    ]:
        with pytest.raises(UserError) as info:
            rules.wage_from_option(value, "USD")
        assert info.value.key == key


def test_fair_below_minimum_names_both_amounts_in_the_readers_format() -> None:
    with pytest.raises(rules.WageError) as info:
        rules.check_wages(1200, 1000, "EUR")
    assert info.value.message("en") == (
        "The fair pay threshold (€10.00) cannot be under the minimum wage (€12.00)."
    )
    assert "10,00\u00a0€" in info.value.message("fr")
    rules.check_wages(1000, 1000, "EUR")  # equal is fine
    with pytest.raises(UserError):
        rules.check_wages(-1, 10, "EUR")


@given(
    cents=st.integers(min_value=0, max_value=10**8),
    old=st.sampled_from(sorted(known_currencies())),
    new=st.sampled_from(sorted(known_currencies())),
)
def test_rescale_keeps_the_written_value_within_half_a_minor_unit(
    cents: int, old: str, new: str
) -> None:
    scaled = rules.rescale(cents, old, new)
    assert scaled >= 0
    written = from_minor(cents, old)
    difference = abs(from_minor(scaled, new) - written)
    assert difference <= Decimal(1).scaleb(-minor_digits(new)) / 2
    if minor_digits(new) >= minor_digits(old):
        assert from_minor(scaled, new) == written


@given(
    cents=st.integers(min_value=0, max_value=10**6), currency=st.sampled_from(["USD", "JPY", "BHD"])
)
def test_plain_amount_round_trips_through_parse_wage(cents: int, currency: str) -> None:
    assert rules.parse_wage(rules.plain_amount(cents, currency), currency) == cents


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_check_range_accepts_exactly_the_bounds(value: int) -> None:
    low, high = rules.EXPIRY_MINUTES
    if low <= value <= high:
        assert rules.check_range(value, rules.EXPIRY_MINUTES, "alert_expiry_minutes") == value
    else:
        with pytest.raises(rules.SettingError):
            rules.check_range(value, rules.EXPIRY_MINUTES, "alert_expiry_minutes")


def test_setting_errors_name_the_setting_in_the_readers_language() -> None:
    with pytest.raises(rules.SettingError) as info:
        rules.parse_whole("lots", rules.REPORTS_PER_DAY, "reports_per_day")
    assert info.value.message("en") == "Reports: write a whole number from 1 to 100."
    assert info.value.message("fr") == "Signalements : écrivez un nombre entier entre 1 et 100."
    with pytest.raises(rules.SettingError):
        rules.check_range(True, rules.REPORTS_PER_DAY, "reports_per_day")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["12", " 12 ", "+12", "1\u202f2"])
def test_parse_whole_accepts_plain_integers(text: str) -> None:
    assert rules.parse_whole(text, (0, 100), "reports_per_day") == 12


def test_changes_between_only_lists_what_differs() -> None:
    before = GuildSettings(guild_id=1)
    after = dataclasses.replace(before, timezone="UTC", locale="fr", setup_completed_at=5)
    assert rules.changes_between(before, after) == {"locale": "fr", "timezone": "UTC"}


def test_with_currency_rescales_and_validates() -> None:
    settings = GuildSettings(guild_id=1, currency="USD", min_wage_cents=725, fair_wage_cents=1000)
    assert rules.with_currency(settings, "usd") is settings
    yen = rules.with_currency(settings, "JPY")
    assert (yen.currency, yen.min_wage_cents, yen.fair_wage_cents) == ("JPY", 7, 10)
    with pytest.raises(UserError):
        rules.with_currency(settings, "XXXX")


def test_validate_catches_every_kind_of_bad_value() -> None:
    good = GuildSettings(guild_id=1)
    assert rules.validate(good) is good
    for change in [
        {"fair_wage_cents": 100},
        {"timezone": "Nowhere"},
        {"currency": "ZZZ"},
        {"locale": "de"},
        {"scam_policy": "ignore"},
        {"alert_expiry_minutes": 1},
        {"reports_per_day": 101},
        {"new_member_days": 366},
        {"alert_dms_per_hour": -1},
    ]:
        with pytest.raises(UserError):
            rules.validate(dataclasses.replace(good, **change))


def test_missing_required() -> None:
    assert rules.missing_required(GuildSettings(guild_id=1)) == ["alerts", "mod"]
    assert rules.missing_required(GuildSettings(guild_id=1, alerts_channel_id=2)) == ["mod"]
    assert rules.missing_required(GuildSettings(1, alerts_channel_id=2, mod_channel_id=3)) == []
