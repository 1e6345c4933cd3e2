"""`format_minor` writes every amount exactly as Babel does, for every currency we know."""

from __future__ import annotations

import random

import pytest
from babel import numbers as babel_numbers

from bot.money_text import babel_money, format_minor

LOCALES = ("en_US", "fr_FR")


@pytest.mark.parametrize("babel_name", LOCALES)
def test_same_text_as_babel_for_every_currency(babel_name: str) -> None:
    rng = random.Random(14)
    amounts = [0, 1, -1, 7, 50, 999, 1_000, -1_000, 100_000, 10**15]
    amounts += [rng.randint(-(10**10), 10**10) for _ in range(40)]
    amounts += [rng.randint(0, 100_000) for _ in range(40)]
    for currency in sorted(babel_numbers.list_currencies()):
        for cents in amounts:
            assert format_minor(cents, currency, babel_name) == babel_money(
                cents, currency, babel_name
            ), (currency, cents)


def test_values_that_are_not_plain_integers_go_to_babel() -> None:
    assert format_minor(True, "USD", "en_US") == babel_money(True, "USD", "en_US")
