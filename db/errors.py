"""The database's own errors, and the translation of SQLite's into them.

Apart from the connection so that callers (the error handler, the API) can name them
without reaching into how the connection works. Both backends raise these: PostgreSQL's
translation is in `db.postgres.errors`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg

#: A constraint refused a write (unique, foreign key, not null, check), on either backend:
#: `except IntegrityError:` catches SQLite's and PostgreSQL's alike.
IntegrityError: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)


class DatabaseBusyError(Exception):
    """The database could not answer now; the member is told to try again.

    SQLite: locked by another process for longer than busy_timeout. PostgreSQL: the
    server is unreachable or restarting, the pool had no free connection in time, or a
    lock wait, deadlock or serialization conflict ended the statement.
    """


class DatabaseConfigError(Exception):
    """The store cannot be opened as configured (wrong password, no such database).

    Trying again will not help; the message, meant for the operator, says what to fix.
    """


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def translated(exc: BaseException) -> BaseException:
    """SQLite's "database is locked" as a `DatabaseBusyError`; any other error unchanged.

    For errors caught on aiosqlite's thread and handed to their callers as values (a
    group of statements run in one hop, `db.group_commit`).
    """
    if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
        busy = DatabaseBusyError(str(exc))
        busy.__cause__ = exc
        return busy
    return exc


async def busy_as_error(awaitable: Any) -> Any:
    """Await a database call; "database is locked" becomes a `DatabaseBusyError`."""
    try:
        return await awaitable
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise DatabaseBusyError(str(exc)) from exc
        raise
