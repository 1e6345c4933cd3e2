"""PostgreSQL's transient failures translated into `DatabaseBusyError`.

The cogs already answer `DatabaseBusyError` with "try again" (it is what SQLite's "database
is locked" becomes), so a member never sees a traceback when the server is restarting,
unreachable, out of connections, or when a lock wait, deadlock or serialization conflict
ends a statement. The pool replaces a lost connection on its next use, so once the server
is back the next call simply works.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from db.errors import DatabaseBusyError, DatabaseConfigError
from db.url import DatabaseUrl

#: Worth trying again in a moment: the server or the network, not the statement.
TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # connection refused or reset, socket gone
    TimeoutError,  # no free pool connection in time, or connecting took too long
    asyncpg.exceptions.ConnectionDoesNotExistError,  # lost in the middle of a call
    asyncpg.exceptions.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.CannotConnectNowError,  # starting up / shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.LockNotAvailableError,  # lock_timeout
    asyncpg.exceptions.QueryCanceledError,  # statement_timeout
)


def describe(exc: BaseException) -> str:
    """A short, password-free description for logs ("the server is unreachable: …")."""
    if isinstance(exc, TimeoutError):
        return "PostgreSQL did not answer in time (no free connection, or a slow connect)"
    if isinstance(exc, OSError | asyncpg.exceptions.ConnectionDoesNotExistError):
        return f"PostgreSQL is unreachable: {type(exc).__name__}: {exc}"
    return f"PostgreSQL is busy: {type(exc).__name__}: {exc}"


@contextmanager
def busy_on_transient() -> Iterator[None]:
    """Run a driver call; a transient failure becomes `DatabaseBusyError`."""
    try:
        yield
    except TRANSIENT as exc:
        raise DatabaseBusyError(describe(exc)) from exc


#: The server answered but refuses this configuration: a wrong user or password, a
#: database that does not exist, no permission to connect.
REFUSED: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,  # 28000, 28P01
    asyncpg.exceptions.InvalidCatalogNameError,  # 3D000
    asyncpg.exceptions.InsufficientPrivilegeError,  # 42501
)


@contextmanager
def refused_as_config_error(url: DatabaseUrl) -> Iterator[None]:
    """Connecting: a refusal becomes `DatabaseConfigError` naming the URL's display form."""
    try:
        yield
    except REFUSED as exc:
        msg = f"{url.display} refused the connection: {exc}. Check DATABASE_URL."
        raise DatabaseConfigError(msg) from exc


#: asyncpg's pool (0.30+) keeps `min_size` connections open; while the server is down
#: it logs this every second or so, each time with a full traceback.
POOL_FLOOR_WARNING = "Failed to restore the pool connection floor"


class OneLinePoolWarnings(logging.Filter):
    """Keeps asyncpg's "pool connection floor" warning, as one line naming the error.

    The pool recovers by itself once the server is back (the member meanwhile reads
    "try again"), so an operator needs to know that, not a traceback each second.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and str(record.msg).startswith(POOL_FLOOR_WARNING):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_pool_warnings() -> None:
    """Install `OneLinePoolWarnings` on asyncpg's pool logger (once)."""
    pool_log = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, OneLinePoolWarnings) for f in pool_log.filters):
        pool_log.addFilter(OneLinePoolWarnings())
