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
    known_currencies,
    minor_digits,
    normalize_currency,
    parse_amount,
    parse_money,
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
        ("US$3", 300),
        ("3 usd", 300),
    ],
)
def test_parse_amount(text: str, cents: int) -> None:
    assert parse_amount(text, "USD") == cents


@pytest.mark.parametrize(
    "text", ["", "abc", "1.2.3", "1.005", "--1", "1e5", "١٢", "3€", "£4.50", "4.50 GBP", "¥5"]
)
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


# -- currency symbols and codes name the currency (issue #12, item 10) -----------------------


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("£4.50", "USD", (450, "GBP")),
        ("€5", "USD", (500, "EUR")),
        ("4,50 €", "USD", (450, "EUR")),
        ("4.50 GBP", "USD", (450, "GBP")),
        ("gbp 4.50", "USD", (450, "GBP")),
        ("EUR 5", "USD", (500, "EUR")),
        ("US$3", "EUR", (300, "USD")),
        ("C$ 2.10", "USD", (210, "CAD")),
        ("A$1", "USD", (100, "AUD")),
        ("$3", "CAD", (300, "CAD")),
        ("$3", "USD", (300, "USD")),
        ("¥500", "JPY", (500, "JPY")),
        ("￥５００", "JPY", (500, "JPY")),  # full-width forms read as plain ones
        ("５．５０", "USD", (550, "USD")),
        ("12", "EUR", (1200, "EUR")),
        ("-2 €", "USD", (-200, "EUR")),
    ],
)
def test_parse_money_reads_the_currency(text: str, default: str, expected: tuple) -> None:
    assert parse_money(text, default) == expected


@pytest.mark.parametrize(
    ("text", "default", "explicit", "key"),
    [
        ("$3", "EUR", None, "common.errors.ambiguous_symbol"),  # $ in a euro server
        ("¥5", "USD", None, "common.errors.ambiguous_symbol"),  # JPY or CNY?
        ("10 kr", "EUR", None, "common.errors.ambiguous_symbol"),
        ("£4.50", "USD", "USD", "common.errors.currency_conflict"),
        ("4.50 EUR", "USD", "GBP", "common.errors.currency_conflict"),
        ("US$2", "CAD", "CAD", "common.errors.currency_conflict"),
        ("4 XXX", "USD", None, "common.errors.unknown_currency"),  # ISO's "no currency"
        ("4 FRF", "USD", None, "common.errors.unknown_currency"),  # withdrawn in 2002
        ("£4 GBP", "USD", None, "common.errors.bad_amount"),
        ("£", "USD", None, "common.errors.bad_amount"),
    ],
)
def test_parse_money_refuses_ambiguous_or_contradicting(
    text: str, default: str, explicit: str | None, key: str
) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_money(text, default, explicit=explicit)
    assert caught.value.key == key


def test_ambiguous_symbol_follows_the_chosen_currency() -> None:
    assert parse_money("$3", "EUR", explicit="CAD") == (300, "CAD")
    assert parse_money("¥300", "USD", explicit="CNY") == (30000, "CNY")


def test_only_tender_currencies_are_known() -> None:
    for code in ("USD", "EUR", "GBP", "JPY", "CAD", "INR"):
        assert normalize_currency(code) == code
    for code in ("XXX", "XTS", "XAU", "FRF", "DEM"):
        with pytest.raises(MoneyError):
            normalize_currency(code)


_SYMBOL_CASES = st.sampled_from(
    [("£", "GBP"), ("€", "EUR"), ("US$", "USD"), ("C$", "CAD"), ("₹", "INR"), ("GBP ", "GBP")]
)


@given(
    st.integers(min_value=0, max_value=10**9),
    _SYMBOL_CASES,
    st.booleans(),
    st.sampled_from(["USD", "EUR", "GBP", "JPY"]),
    st.sampled_from([".", ","]),
)
def test_a_symbol_always_names_its_currency(
    cents: int, case: tuple[str, str], after: bool, default: str, point: str
) -> None:
    symbol, currency = case
    number = str(from_minor(cents, currency)).replace(".", point)
    text = f"{number} {symbol.strip()}" if after else f"{symbol}{number}"
    assert parse_money(text, default) == (cents, currency)


@given(st.text(max_size=20), st.sampled_from(["USD", "EUR", "GBP", "JPY", "CAD"]))
def test_parse_money_never_crashes_and_never_changes_a_named_currency(
    text: str, default: str
) -> None:
    try:
        cents, currency = parse_money(text, default)
    except MoneyError:
        return
    assert isinstance(cents, int)
    assert currency in known_currencies()
    for symbol, named in (("£", "GBP"), ("€", "EUR")):
        if symbol in text:
            assert currency == named


def test_a_stored_default_that_was_withdrawn_since_still_reads() -> None:
    assert parse_money("5", "HRK") == (500, "HRK")  # a server set up in kuna before 2023
    with pytest.raises(MoneyError):
        parse_money("5", "USD", explicit="HRK")  # but nobody can choose it now
    with pytest.raises(MoneyError):
        parse_money("5", "ZZZ")


def test_dollar_scale_knows_only_tender_and_leaves_strong_currencies_alone() -> None:
    from bot.money import _DOLLAR_MAGNITUDE, dollar_scale, known_currencies

    listed = [code for codes in _DOLLAR_MAGNITUDE.values() for code in codes]
    assert len(listed) == len(set(listed)), "a currency is listed at two magnitudes"
    assert set(listed) <= known_currencies()
    assert [dollar_scale(c) for c in ("USD", "EUR", "GBP", "KWD", "CNY", "usd")] == [1] * 6
    assert [dollar_scale(c) for c in ("INR", "JPY", "KRW", "vnd")] == [10, 100, 1000, 10_000]
