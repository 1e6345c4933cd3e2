"""The database's own errors, and the translation of SQLite's into them.

Apart from the connection so that callers (the error handler, the API) can name them
without reaching into how the connection works.
"""

from __future__ import annotations

import sqlite3
from typing import Any


class DatabaseBusyError(Exception):
    """The database stayed locked by another process for longer than busy_timeout."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


async def busy_as_error(awaitable: Any) -> Any:
    """Await a database call; "database is locked" becomes a `DatabaseBusyError`."""
    try:
        return await awaitable
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise DatabaseBusyError(str(exc)) from exc
        raise
