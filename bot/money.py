"""Money as integer minor units with an ISO-4217 code; no floats anywhere.

Pure functions, no discord import: the features' rules use them and they are
property-tested.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel import numbers as babel_numbers


class MoneyError(ValueError):
    """Raised with a translation key describing what is wrong with an amount."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today.

    Babel also lists withdrawn currencies (FRF, DEM), precious metals (XAU) and ISO's
    placeholders (XXX "no currency", XTS "for testing"): none of them is money a member
    is paid in, so none is accepted.
    """
    today = datetime.now(UTC).date()
    territories = babel_numbers.get_global("territory_currencies")
    codes: set[str] = set()
    for territory in territories:
        codes.update(babel_numbers.get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def normalize_currency(code: str) -> str:
    """Upper-case and validate a currency code (raises `MoneyError`)."""
    value = (code or "").strip().upper()
    if len(value) != 3 or value not in known_currencies():
        raise MoneyError("common.errors.unknown_currency", currency=(code or "")[:10])
    return value


@cache
def _every_currency() -> frozenset[str]:
    return frozenset(babel_numbers.list_currencies())


def stored_currency(code: str) -> str:
    """A default read from settings, validated when it was saved.

    A currency withdrawn since (a server set up in HRK before 2023) still reads rather
    than refusing every amount; anything Babel has never heard of is still refused.
    """
    value = (code or "").strip().upper()
    if value in known_currencies() or value in _every_currency():
        return value
    return normalize_currency(code)


@cache
def minor_digits(currency: str) -> int:
    """How many digits after the decimal point the currency uses (USD 2, JPY 0)."""
    return babel_numbers.get_currency_precision(currency)


def _codes(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


#: Currencies whose major unit is worth far less than a dollar, by roughly how many of
#: them make one US dollar, as a power of ten (rounded down, so a limit built on it errs
#: towards allowing). Limits meant as "no task pays this much" are in dollar-sized units;
#: 10,000 of them is $0.60 in rupiah and $0.40 in dong. Powers of ten do not drift with
#: the exchange rate the way a rate would.
_DOLLAR_MAGNITUDE: dict[int, frozenset[str]] = {
    4: _codes("IDR IRR LAK LBP SYP UZS VND"),
    3: _codes("ARS BIF CDF COP GNF IQD KHR KRW MGA MMK MNT MWK NGN PYG RWF SSP TZS UGX"),
    2: _codes(
        "AMD AOA BDT CLP CRC DJF DZD ETB GYD HTG HUF ISK JMD JPY KES KMF KPW KZT LKR LRD",
        "NPR PKR RSD SDG SOS VUV XAF XOF XPF YER",
    ),
    1: _codes(
        "AFN ALL BTN BWP CUP CVE CZK DKK DOP EGP ERN GHS GMD HNL INR KGS MAD MDL MKD MRU",
        "MUR MVR MXN MZN NAD NIO NOK PHP RUB SCR SEK SLE SRD SZL LSL THB TJS TRY TWD UAH",
        "UYU VES ZAR ZMW ZWG",
    ),
}


@cache
def dollar_scale(currency: str) -> int:
    """About how many units of `currency` one US dollar buys, as a power of ten.

    1 for the dollar, the euro, the pound and every currency worth about as much or more;
    10,000 for the rupiah and the dong. Multiply a limit written in dollars by it.
    """
    code = (currency or "").upper()
    for power, codes in _DOLLAR_MAGNITUDE.items():
        if code in codes:
            return 10**power
    return 1


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion; refuses amounts with more precision than the currency has."""
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError("common.errors.too_precise", currency=currency)
    return int(scaled)


def from_minor(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-minor_digits(currency))


_AMOUNT = re.compile(r"^\s*([+-]?)\s*(\d{1,12})(?:[.,](\d{1,4}))?\s*$", re.ASCII)

#: Symbols that name one currency.
SYMBOLS: dict[str, str] = {
    "£": "GBP",
    "€": "EUR",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₱": "PHP",
    "₦": "NGN",
    "₴": "UAH",
    "₪": "ILS",
    "₫": "VND",
    "฿": "THB",
    "円": "JPY",
    "US$": "USD",
    "U$S": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "NT$": "TWD",
    "R$": "BRL",
    "MX$": "MXN",
}
#: Symbols several currencies use: they only confirm a currency given otherwise.
AMBIGUOUS_SYMBOLS: dict[str, frozenset[str]] = {
    "¥": frozenset({"JPY", "CNY"}),
    "元": frozenset({"CNY", "TWD", "HKD"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
}
#: What the refusal of an ambiguous symbol suggests writing instead.
_EXAMPLES: dict[str, list[str]] = {"$": ["USD", "CAD", "AUD", "US$", "C$", "A$"]}
_PESO_DOLLARS = frozenset({"MXN", "ARS", "CLP", "COP", "CUP", "DOP", "UYU"})


@cache
def dollar_currencies() -> frozenset[str]:
    """Currencies written with a bare `$` (dollars, and the pesos that use the sign)."""
    return frozenset(
        code
        for code in known_currencies()
        if "dollar" in babel_numbers.get_currency_name(code, locale="en").lower()
    ) | (_PESO_DOLLARS & known_currencies())


def _ambiguous(symbol: str) -> frozenset[str]:
    if symbol == "$":
        return dollar_currencies()
    return AMBIGUOUS_SYMBOLS[symbol]


_MARKERS = sorted([*SYMBOLS, *AMBIGUOUS_SYMBOLS, "$"], key=lambda marker: (-len(marker), marker))
_MARKER = "|".join(re.escape(m) for m in _MARKERS) + "|[A-Za-z]{3}"
_MONEY = re.compile(
    rf"^(?P<sign1>[+-]?)\s*(?P<pre>{_MARKER})?\s*(?P<sign2>[+-]?)\s*"
    rf"(?P<num>[0-9][0-9.,]*)\s*(?P<post>{_MARKER})?$",
    re.IGNORECASE,
)


def _normalise_text(text: str) -> str:
    """Full-width digits and signs (`４．５０`, `＄`, `￥`) read as their plain forms."""
    value = unicodedata.normalize("NFKC", text or "").replace("\u2212", "-")
    return " ".join(value.split())


def _marker_currency(marker: str, context: str | None, typed: str) -> str:
    """The currency a symbol or code names, given the currency known from elsewhere."""
    upper = marker.upper()
    if upper in SYMBOLS:
        return SYMBOLS[upper]
    lowered = marker.lower()
    if lowered in AMBIGUOUS_SYMBOLS or marker == "$":
        options = _ambiguous(lowered if lowered in AMBIGUOUS_SYMBOLS else "$")
        if context in options:
            return context
        raise MoneyError(
            "common.errors.ambiguous_symbol",
            symbol=marker,
            text=typed[:20],
            choices=", ".join(_EXAMPLES.get(lowered, sorted(options))),
        )
    if len(marker) == 3 and marker.isascii() and marker.isalpha():
        return normalize_currency(marker)
    raise MoneyError("common.errors.bad_amount", text=typed[:20])


def parse_money(text: str, default: str, *, explicit: str | None = None) -> tuple[int, str]:
    """An amount as a member types it → (minor units, currency).

    `4.50`, `4,50`, `£4.50`, `4.50 GBP`, `4,50 €`, `EUR 5`, `US$3`, `C$ 2.10`. A symbol
    or code names the currency; `explicit` is a currency the member chose separately
    (an option) and must agree with it; `default` is the member's or server's currency,
    used when nothing else names one. Symbols several currencies share (`$`, `¥`, `kr`)
    are read as the explicit or default currency when it is one of them, and refused
    otherwise: a member's £4.50 is never stored as $4.50.
    """
    typed = (text or "").strip()
    cleaned = _normalise_text(typed)
    match = _MONEY.match(cleaned)
    if match is None or (match["sign1"] and match["sign2"]):
        raise MoneyError("common.errors.bad_amount", text=typed[:20])
    pre, post = match["pre"], match["post"]
    if pre and post:
        raise MoneyError("common.errors.bad_amount", text=typed[:20])
    wanted = normalize_currency(explicit) if explicit else None
    context = wanted or stored_currency(default)
    marker = pre or post
    currency = _marker_currency(marker, context, typed) if marker else context
    if wanted is not None and currency != wanted:
        raise MoneyError(
            "common.errors.currency_conflict", text=typed[:20], typed=currency, chosen=wanted
        )
    number = f"{match['sign1'] or match['sign2'] or ''}{match['num']}"
    return _parse_number(number, currency, typed), currency


def _parse_number(number: str, currency: str, typed: str) -> int:
    found = _AMOUNT.match(number)
    if not found:
        raise MoneyError("common.errors.bad_amount", text=typed[:20])
    sign, whole, frac = found.groups()
    if frac and len(frac) == 3 and minor_digits(currency) < 3 and not whole.startswith("0"):
        # `1,500` or `1.000` is fifteen hundred (a thousand) to many members: read as
        # decimals it would be stored as 1.50 (1) without a word, so it is refused with a
        # way to write either meaning. (`1500.00` yen is not ambiguous, and is read.)
        raise MoneyError(
            "common.errors.thousands_separator",
            text=typed[:20],
            whole=f"{whole}{frac}",
            currency=currency,
        )
    value = Decimal(f"{sign}{whole}.{frac or '0'}")
    return to_minor(value, currency)


def parse_amount(text: str, currency: str) -> int:
    """Parse what a member types (`1.50`, `1,50`, `0.8`) into minor units of `currency`.

    Thousands separators are not accepted: `1,500` is ambiguous between English and
    French readers, so it is refused with a hint rather than read either way. A symbol
    or code typed with the amount must name `currency` (`£1.50` is refused when the
    currency is USD).
    """
    cents, _ = parse_money(text, currency, explicit=currency)
    return cents


def decimal_to_minor(value: float | Decimal | str, currency: str) -> int:
    """Convert a number given as an option (float) without float rounding surprises."""
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        raise MoneyError("common.errors.bad_amount", text=str(value)[:20]) from None
    if not dec.is_finite():
        raise MoneyError("common.errors.bad_amount", text=str(value)[:20])
    return to_minor(dec, currency)


def hourly_cents(amount_cents: int, minutes: float) -> int:
    """Pay per hour, in minor units, rounded half up; `minutes` must be positive."""
    if minutes <= 0:
        msg = "minutes must be positive"
        raise ValueError(msg)
    rate = Decimal(amount_cents) * 60 / Decimal(str(minutes))
    return int(rate.quantize(Decimal(1), rounding=ROUND_HALF_UP))
