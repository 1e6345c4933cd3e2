"""Reading amounts (`$1.50`, `1,50 €`) and durations (`1h30`, `01:30:00`) from text.

Shared by the MTurk Suite exports and free text, which both write them as people do.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_SYMBOLS = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "¥": "JPY"}
_SYMBOLS.update({"CA$": "CAD", "C$": "CAD", "A$": "AUD", "AU$": "AUD", "R$": "BRL"})
_CODES = r"USD|EUR|GBP|CAD|AUD|INR|PHP|BRL|MXN|JPY|CHF"
#: A whole number as written, separators and all (checked by `read_money`): never the
#: tail of a bigger one ("1,500.00" is not "500.00"), nor a group spaced by thousands.
_NUM = r"(?<![\d.,])(?<!\d )\d(?:[\d.,]{0,14}\d)?"
#: What `_NUM` may hold to be an amount: units, then cents (1 or 2 digits, or 4).
_PLAIN_AMOUNT = re.compile(r"\d{1,9}(?:[.,](?:\d{1,2}|\d{4}))?")
#: A group of three digits after a space: "$10 000" is ten thousand, not ten.
_SPACED_GROUP = re.compile(r" \d{3}(?![\d.,])")
_SYM = r"US\$|CA\$|AU\$|C\$|A\$|R\$|[$£€₹¥]"
MONEY = re.compile(
    rf"(?:(?P<neg>-)\s*)?(?:(?P<pre>{_SYM})\s?(?P<a>{_NUM})|(?P<b>{_NUM})\s?(?P<post>{_SYM})"
    rf"|(?P<c>{_NUM})\s?(?P<code>{_CODES})\b|\b(?P<code2>{_CODES})\s?(?P<d>{_NUM}))",
    re.IGNORECASE,
)


def read_money(text: str) -> tuple[Decimal, str | None] | None:
    """The first amount in `text`: `$1.50`, `1,50 €`, `£2`, `1.50 USD` → (amount, code).

    None when there is none, or when the first one is written with thousands separators
    (`$1,500.00`, `1.234,56 €`, `$10 000`) or three decimals (`$1,500`: fifteen hundred
    or one and a half?): refused, never read as another amount.
    """
    match = MONEY.search(text or "")
    if match is None:
        return None
    number = match.group("a") or match.group("b") or match.group("c") or match.group("d")
    if not _PLAIN_AMOUNT.fullmatch(number):
        return None
    if _SPACED_GROUP.match(text, match.end()) and not re.search(r"[.,]", number):
        return None
    symbol = match.group("pre") or match.group("post")
    code = _SYMBOLS.get(symbol.upper()) if symbol else None
    code = code or (match.group("code") or match.group("code2") or "").upper() or None
    try:
        amount = Decimal(number.replace(",", "."))
    except InvalidOperation:
        return None
    return (-amount if match.group("neg") else amount), code


_UNITS = {
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "jour": 1440,
    "jours": 1440,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "heure": 60,
    "heures": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "s": 0,
    "sec": 0,
    "secs": 0,
    "second": 0,
    "seconds": 0,
}
_PART = re.compile(r"(\d{1,5}(?:[.,]\d+)?)\s*([a-z]+)", re.IGNORECASE)
_HMS = re.compile(r"\b(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\b")
DURATION_TEXT = re.compile(
    r"(?:(?:~|≈|about|environ)\s*)?\b(\d{1,4}(?:[.,]\d+)?\s*(?:d|days?|jours?|h|hrs?|hours?|heures?"
    r"|m|mins?|minutes?)\b(?:\s*\d{1,3}\s*(?:m|mins?|minutes?)\b)?)",
    re.IGNORECASE,
)


def read_duration(text: str) -> int | None:
    """`1 hour 30 minutes`, `45 min`, `2 days`, `1h30m`, `01:30:00` → minutes (≥ 1)."""
    value = (text or "").strip().lower()
    clock = _HMS.search(value)
    if clock:
        hours, mins, secs = clock.groups()
        total = int(hours) * 60 + int(mins) + (1 if secs and int(secs) >= 30 else 0)
        return total or None
    total = Decimal(0)
    seen = False
    for number, unit in _PART.findall(value):
        factor = _UNITS.get(unit.lower())
        if factor is None:
            continue
        seen = True
        total += Decimal(number.replace(",", ".")) * factor
    if not seen:
        return None
    minutes = int(total.to_integral_value())
    return minutes if minutes >= 1 else None


def positive_int(value: Any, limit: int = 10_000_000) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value == value and 0 < value <= limit:  # noqa: PLR0124
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        number = int(value)
        return number if 0 < number <= limit else None
    return None
