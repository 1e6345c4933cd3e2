"""Shared helpers for turning rows into typed records."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: From this many rows on, turning them into records or plain data runs in a worker
#: thread: one member's 100,000 earnings entries took 0.8 s of the event loop to become
#: records, and every other member's click waited behind it. The thread still needs the
#: GIL, but the interpreter hands it back to the loop every few milliseconds.
MANY_ROWS = 2_000


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


async def built(build: Callable[[Sequence[R]], T], rows: Sequence[R]) -> T:
    """`build(rows)`, in a worker thread when the rows are many (`MANY_ROWS`).

    Few rows are built where they are, since a thread's hop costs more than they do.
    """
    if len(rows) < MANY_ROWS:
        return build(rows)
    return await asyncio.to_thread(build, rows)
