"""Shared helpers for turning rows into typed records."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any, TypeVar

T = TypeVar("T")


def from_row(cls: type[T], row: sqlite3.Row) -> T:
    """Build dataclass `cls` from a row, taking only the columns it declares."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    data: dict[str, Any] = {k: row[k] for k in row.keys() if k in names}  # noqa: SIM118
    return cls(**data)
