"""An order-independent checksum of a table's rows, the same from SQLite and PostgreSQL.

`copy-store` checksums every row it reads from the source and every row it reads back
from the target; equal sums and counts mean the same rows, whatever order either side
returned them in. A row's canonical form is the `repr` of the tuple of its values, each
an `int`, `str`, `None`, `bytes` or `float` (what both drivers return for Entraide's
column types: BIGINT/INTEGER, TEXT, NULL, bytea/BLOB); `repr` tells `1` from `'1'` and
`None` from `'None'`, and JSON is stored as text on both sides, so it is compared as
text. A PostgreSQL boolean counts as SQLite's 0/1; any other type is refused rather than
guessed at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Row digests are added modulo this, so the order of the rows does not matter.
_MODULUS = 1 << 128
_CANONICAL = frozenset({int, str, type(None), bytes, float})


class UnsupportedValueError(TypeError):
    """A value of a type the checksum has no canonical form for (no such column today)."""


def canonical_value(value: object) -> object:
    """`value` as one of the canonical types (a boolean as 0/1, a buffer as bytes)."""
    if type(value) in _CANONICAL:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    msg = f"no canonical form for a {type(value).__name__} value"
    raise UnsupportedValueError(msg)


def row_digest(row: Sequence[object]) -> int:
    """The row's 128-bit digest (its values in the column order both sides were read in)."""
    values = tuple(row)
    if not _CANONICAL.issuperset(map(type, values)):
        values = tuple(canonical_value(value) for value in values)
    encoded = repr(values).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=16).digest(), "big")


@dataclass(slots=True)
class TableSum:
    """Rows seen so far and the sum of their digests."""

    rows: int = 0
    total: int = 0

    def add(self, rows: Iterable[Sequence[object]]) -> None:
        count = 0
        total = self.total
        for row in rows:
            total += row_digest(row)
            count += 1
        self.total = total % _MODULUS
        self.rows += count

    @property
    def hex(self) -> str:
        """The checksum as 32 hex digits (what the summary prints)."""
        return f"{self.total:032x}"

    def matches(self, other: TableSum) -> bool:
        return self.rows == other.rows and self.total == other.total
