"""Amounts of money written for a reader, exactly as Babel writes them, without Babel's cost.

Every alert shows two amounts (the reward and the hourly rate), and every DM, digest and
earnings summary more. Babel's `format_currency` works through the locale's currency
pattern again on every call (number symbols, currency name, quantisation, plural
operands): about a tenth of drawing an alert, and the largest piece of it.

For an amount in whole minor units (cents) nothing needs rounding, so the text is the
locale's prefix, the digits grouped in threes with the locale's separators, and its
suffix. The shape of one (locale, currency) pair is read from Babel's own output once,
then checked against Babel on a range of amounts of both signs; a pair whose text does
not follow that shape (another grouping, a currency Babel rounds) is written by Babel
every time, as before. So the text members see is Babel's, character for character.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel import numbers as babel_numbers

from bot.money import from_minor, minor_digits

#: Amounts (in minor units) a shape must reproduce before it replaces Babel for a pair:
#: every grouping length up to thirteen digits, zero, and the edges of each group.
_CHECKED: tuple[int, ...] = (
    0, 1, 5, 9, 10, 42, 99, 100, 101, 999, 1_000, 1_001, 1_234, 9_999, 10_000, 12_345,
    99_999, 100_000, 123_456, 999_999, 1_000_000, 1_234_567, 12_345_678, 123_456_789,
    1_000_000_000, 1_234_567_890_123,
)  # fmt: skip
_PROBE = 123_456_789


@dataclass(frozen=True, slots=True)
class _Shape:
    """How one locale writes one currency: affixes by sign, separators, minor digits."""

    digits: int
    group: str
    decimal: str
    prefix: str = ""
    suffix: str = ""
    negative_prefix: str = ""
    negative_suffix: str = ""

    def number(self, cents: int) -> str:
        """The amount's digits, unsigned, grouped and with the locale's decimal sign."""
        whole, minor = divmod(abs(cents), 10**self.digits)
        text = f"{whole:,}"
        if self.group != ",":
            text = text.replace(",", self.group)
        if self.digits:
            text += f"{self.decimal}{minor:0{self.digits}d}"
        return text

    def write(self, cents: int) -> str:
        if cents < 0:
            return f"{self.negative_prefix}{self.number(cents)}{self.negative_suffix}"
        return f"{self.prefix}{self.number(cents)}{self.suffix}"


def babel_money(cents: int, currency: str, babel_name: str) -> str:
    """Babel's own text for an amount in minor units (the reference, and the fallback)."""
    return babel_numbers.format_currency(
        from_minor(cents, currency), currency, locale=parsed_locale(babel_name)
    )


@cache
def parsed_locale(babel_name: str) -> Locale:
    """Babel's `Locale`, parsed once: given a name, Babel parses it again at every step."""
    return Locale.parse(babel_name)


def _affixes(written: str, number: str) -> tuple[str, str] | None:
    at = written.find(number)
    if at < 0 or written.find(number, at + 1) >= 0:
        return None
    return written[:at], written[at + len(number) :]


@cache
def _shape(currency: str, babel_name: str) -> _Shape | None:
    """The pair's shape, or None when it does not reproduce Babel exactly."""
    try:
        symbols = parsed_locale(babel_name).number_symbols["latn"]
        bare = _Shape(minor_digits(currency), symbols["group"], symbols["decimal"])
        positive = _affixes(babel_money(_PROBE, currency, babel_name), bare.number(_PROBE))
        negative = _affixes(babel_money(-_PROBE, currency, babel_name), bare.number(_PROBE))
    except (KeyError, ValueError, ArithmeticError):
        return None
    if positive is None or negative is None:
        return None
    shape = _Shape(bare.digits, bare.group, bare.decimal, *positive, *negative)
    for cents in _CHECKED:
        for signed in (cents, -cents):
            if shape.write(signed) != babel_money(signed, currency, babel_name):
                return None
    return shape


def format_minor(cents: int, currency: str, babel_name: str) -> str:
    """`cents` minor units of `currency` as a reader of Babel locale `babel_name` reads them."""
    shape = _shape(currency, babel_name) if type(cents) is int else None
    if shape is None:
        return babel_money(cents, currency, babel_name)
    return shape.write(cents)
