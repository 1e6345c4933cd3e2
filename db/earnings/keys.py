"""The few pure rules the earnings tables themselves apply, so `db/` needs nothing above it.

A requester's grouping key is stored next to each entry, and a finished shift writes its
uncovered time inside the same transaction that closes it: both are decisions the storage
makes, so they live here, and `cogs.earnings.rules` re-exports them for everyone else.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key for grouping and matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def requester_key(name: str | None) -> str | None:
    return fold(name) if name else None


def shift_gap(worked_minutes: int, logged_minutes: int) -> int:
    """Time in a shift not covered by the entries logged during it: unpaid time."""
    return max(0, worked_minutes - max(0, logged_minutes))
