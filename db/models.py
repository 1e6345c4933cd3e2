"""Shared helpers for turning rows into typed records."""

from __future__ import annotations

import dataclasses
import functools
import sqlite3
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def from_row(cls: type[T], row: sqlite3.Row, **converted: Any) -> T:
    """Build dataclass `cls` from a row, taking only the columns it declares.

    A field whose stored form differs (a 0/1 column read as a bool, a JSON text read as a
    tuple, a column under another name) is given in `converted`, which wins over the
    row's own column of that name.
    """
    names = _field_names(cls)
    data: dict[str, Any] = {k: row[k] for k in row.keys() if k in names}  # noqa: SIM118
    data.update(converted)
    return cls(**data)
