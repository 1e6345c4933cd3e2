"""Ids that arrive from outside (custom_ids, typed references), bounded before any use.

A custom_id or a typed `#123` is member input: a modified client can put any digits in
it. SQLite integers are signed 64-bit, Discord snowflakes fit in 63 bits, and row ids
are far smaller, so anything above `SQL_INT_MAX` cannot name a record: it becomes
`NO_ID`, which names none, and the member gets the feature's usual "unknown …" answer
instead of an `OverflowError`.
"""

from __future__ import annotations

import re

#: The largest id SQLite can hold (and the largest possible snowflake).
SQL_INT_MAX = 2**63 - 1
#: An id inside a `DynamicItem` template or a parser's regex: ASCII digits, at most 20
#: (a 64-bit number has at most 20 digits; more can never be one of ours).
ID_DIGITS = r"[0-9]{1,20}"
#: Names no record: row ids start at 1 and no snowflake or member is 0.
NO_ID = 0

_DIGITS = re.compile(ID_DIGITS)


def parse_id(text: str | None) -> int | None:
    """`text` as an id (1 … 2**63-1, ASCII digits only), or None."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= SQL_INT_MAX else None


def bounded_id(text: str | None) -> int:
    """`parse_id`, with `NO_ID` for what cannot be an id.

    For `from_custom_id`, which must not raise: discord.py would only log it, and the
    member would see "This interaction failed" instead of a refusal.
    """
    value = parse_id(text)
    return NO_ID if value is None else value
