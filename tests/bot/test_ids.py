"""Ids from outside (custom_ids, typed references) are bounded before any use."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.ids import ID_DIGITS, NO_ID, SQL_INT_MAX, bounded_id, parse_id


def test_the_bounds() -> None:
    assert parse_id("1") == 1
    assert parse_id(str(SQL_INT_MAX)) == SQL_INT_MAX
    assert parse_id(str(SQL_INT_MAX + 1)) is None
    assert parse_id("0") is None
    assert parse_id("9" * 30) is None
    for text in (None, "", "-1", "+1", " 1", "1 ", "²", "١٢", "1e3", "0x10", "1.0"):
        assert parse_id(text) is None, text
    assert bounded_id("9" * 20) == NO_ID


@given(st.text(max_size=60))
def test_parse_id_never_raises_and_fits_sqlite(text: str) -> None:
    value = parse_id(text)
    assert value is None or 0 < value <= SQL_INT_MAX
    assert bounded_id(text) == (NO_ID if value is None else value)


@given(st.integers(min_value=1, max_value=SQL_INT_MAX))
def test_every_storable_id_round_trips(value: int) -> None:
    assert re.fullmatch(ID_DIGITS, str(value))
    assert parse_id(str(value)) == value
