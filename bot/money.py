"""Money as integer minor units with an ISO-4217 code; no floats anywhere.

Pure functions, no discord import: the features' rules use them and they are
property-tested.
"""

from __future__ import annotations

import re
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
    return frozenset(babel_numbers.list_currencies())


def normalize_currency(code: str) -> str:
    """Upper-case and validate a currency code (raises `MoneyError`)."""
    value = (code or "").strip().upper()
    if len(value) != 3 or value not in known_currencies():
        raise MoneyError("common.errors.unknown_currency", currency=(code or "")[:10])
    return value


@cache
def minor_digits(currency: str) -> int:
    """How many digits after the decimal point the currency uses (USD 2, JPY 0)."""
    return babel_numbers.get_currency_precision(currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion; refuses amounts with more precision than the currency has."""
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError("common.errors.too_precise", currency=currency)
    return int(scaled)


def from_minor(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-minor_digits(currency))


_AMOUNT = re.compile(r"^\s*([+-]?)\s*(\d{1,12})(?:[.,](\d{1,4}))?\s*$", re.ASCII)


def parse_amount(text: str, currency: str) -> int:
    """Parse what a member types (`1.50`, `1,50`, `0.8`) into minor units.

    Thousands separators are not accepted: `1,500` is ambiguous between English and
    French readers, so it is read as one and a half.
    """
    cleaned = (text or "").strip().lstrip("$€£¥").rstrip("$€£¥")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise MoneyError("common.errors.bad_amount", text=(text or "")[:20])
    sign, whole, frac = match.groups()
    value = Decimal(f"{sign}{whole}.{frac or '0'}")
    return to_minor(value, currency)


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
