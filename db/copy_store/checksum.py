"""An order-independent checksum of a table's rows, the same from SQLite and PostgreSQL.

`copy-store` checksums every row it reads from the source and every row it reads back
from the target; equal sums and counts mean the same rows, whatever order either side
returned them in. Each value has one canonical form, so the two drivers agree: an
integer is its decimal digits, text its UTF-8 bytes, NULL a marker, bytes themselves
(JSON is stored as text on both sides and is compared as text, byte for byte).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Row digests are added modulo this, so the order of the rows does not matter.
_MODULUS = 1 << 128


class UnsupportedValueError(TypeError):
    """A value of a type the checksum has no canonical form for (no such column today)."""


def encode_value(value: object) -> bytes:
    """The canonical bytes of one value; each form is self-delimiting."""
    if value is None:
        return b"n;"
    if isinstance(value, bool):  # a PostgreSQL boolean is SQLite's 0/1
        value = int(value)
    if isinstance(value, int):
        return b"i%d;" % value
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        return b"t%d:%s" % (len(data), data)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return b"b%d:%s" % (len(data), data)
    if isinstance(value, float):
        return b"f" + value.hex().encode() + b";"
    msg = f"no canonical form for a {type(value).__name__} value"
    raise UnsupportedValueError(msg)


def row_digest(row: Sequence[object]) -> int:
    """The row's 128-bit digest (its values in the column order both sides were read in)."""
    encoded = b"".join([encode_value(value) for value in row])
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
