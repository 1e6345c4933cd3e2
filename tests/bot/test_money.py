from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import format_money
from bot.money import (
    MoneyError,
    decimal_to_minor,
    from_minor,
    hourly_cents,
    minor_digits,
    normalize_currency,
    parse_amount,
    to_minor,
)


def test_currency_precision() -> None:
    assert minor_digits("USD") == 2
    assert minor_digits("JPY") == 0
    assert normalize_currency(" eur ") == "EUR"
    with pytest.raises(MoneyError):
        normalize_currency("XYZ1")
    with pytest.raises(MoneyError):
        normalize_currency("ABC")


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.50", 150),
        ("1,50", 150),
        ("0.8", 80),
        ("$2", 200),
        ("12", 1200),
        (" 0.05 ", 5),
        ("3€", 300),
    ],
)
def test_parse_amount(text: str, cents: int) -> None:
    assert parse_amount(text, "USD") == cents


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1.005", "--1", "1e5", "١٢"])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_amount(text, "USD")


@given(st.integers(min_value=0, max_value=10**12))
def test_minor_round_trip(cents: int) -> None:
    assert to_minor(from_minor(cents, "USD"), "USD") == cents
    assert parse_amount(str(from_minor(cents, "USD")), "USD") == cents


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_to_minor_exact_for_two_places(value: Decimal) -> None:
    assert decimal_to_minor(str(value), "USD") == int(value * 100)


def test_float_options_do_not_lose_cents() -> None:
    assert (
        decimal_to_minor(0.1 + 0.2 - 0.0000000000000000555, "USD") == 30
    )  # str(float) is repr-exact
    assert decimal_to_minor(1.15, "USD") == 115
    with pytest.raises(MoneyError):
        decimal_to_minor(float("nan"), "USD")


def test_hourly() -> None:
    assert hourly_cents(100, 6) == 1000  # $1 for 6 minutes = $10/h
    assert hourly_cents(5, 1) == 300
    assert hourly_cents(1, 7) == 9  # 8.57 → 9 (half up)
    with pytest.raises(ValueError):
        hourly_cents(100, 0)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=24 * 60))
def test_hourly_is_monotonic_and_bounded(cents: int, minutes: int) -> None:
    rate = hourly_cents(cents, minutes)
    assert rate >= 0
    assert abs(rate * minutes - cents * 60) <= minutes  # within rounding of one cent/hour
    assert hourly_cents(cents + 1, minutes) >= rate


def test_format_money_by_locale() -> None:
    assert format_money(150, "USD", "en") == "$1.50"
    assert format_money(150, "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "1,50 €"
    assert format_money(500, "JPY", "en") == "¥500"
