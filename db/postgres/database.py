"""`PgDatabase`: a PostgreSQL store behind the same calls as `db.connection.Database`.

Repositories call `fetch_all`, `fetch_one`, `fetch_value`, `execute` (→ affected rows),
`execute_many` and `transaction()` and never learn which backend answers. Rows are
asyncpg `Record`s, read like `sqlite3.Row`: `row[0]`, `row["name"]`, `row.keys()`,
`dict(row)`, `tuple(row)`.

Where SQLite shares one connection behind a lock, PostgreSQL takes many writers at once:
each one-statement call borrows a pooled connection for that statement (autocommit), and
`transaction()` holds one connection for its block. One-statement calls made by the task
that holds a transaction run inside it, as on SQLite, so a repository function may be
called inside or outside a caller's `transaction()` alike. A lost connection is replaced
by the pool on its next use, so the bot recovers by itself when the server comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import asyncpg

from db.postgres.cursor import Params, PgTransaction, rowcount_of, run_statement
from db.postgres.errors import busy_on_transient, quiet_pool_warnings, refused_as_config_error
from db.postgres.sql import translate
from db.queries import QueryHelpers
from db.url import DatabaseUrl

#: Pool sizes and waits when the settings do not say (see `bot.settings`).
DEFAULT_POOL_MIN = 1
DEFAULT_POOL_MAX = 10
DEFAULT_ACQUIRE_TIMEOUT_S = 10.0


async def _end_stray_transaction(conn: asyncpg.Connection) -> None:
    """What a connection needs on its way back to the pool: no open transaction.

    asyncpg's default reset also runs `RESET ALL; UNLISTEN *; …` on every release, a
    round trip per statement that costs about a third of the throughput of short
    statements (measured on a shared 2-core machine, 50 concurrent callers of short
    statements: ~3,100 → ~4,500-7,800 statements/s).
    The store never leaves session state behind (`SET LOCAL`, transaction-scoped advisory
    locks); whatever needs session state (LISTEN) keeps a connection of its own.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class PgDatabase(QueryHelpers):
    """A pool of asyncpg connections to one PostgreSQL database."""

    dialect: Literal["postgresql"] = "postgresql"
    #: No file: `path` is None so code that sizes or backs up a file can tell.
    path = None

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl, *, acquire_timeout: float) -> None:
        self.pool = pool
        self.url = url
        self.acquire_timeout = acquire_timeout
        self._transactions: dict[asyncio.Task[Any], PgTransaction] = {}

    @classmethod
    async def open(
        cls,
        url: DatabaseUrl,
        *,
        busy_timeout_ms: int = 5000,
        min_size: int = DEFAULT_POOL_MIN,
        max_size: int = DEFAULT_POOL_MAX,
        acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT_S,
    ) -> PgDatabase:
        """Connect the pool; an unreachable server raises `DatabaseBusyError`."""
        settings = {"application_name": "entraide", "timezone": "UTC"}
        if busy_timeout_ms:
            settings["lock_timeout"] = str(int(busy_timeout_ms))  # as SQLite's busy_timeout
        quiet_pool_warnings()
        with busy_on_transient(), refused_as_config_error(url):
            pool = await asyncpg.create_pool(
                url.dsn(),
                min_size=min(min_size, max_size),
                max_size=max_size,
                timeout=acquire_timeout,
                server_settings=settings,
                reset=_end_stray_transaction,
            )
        return cls(pool, url, acquire_timeout=acquire_timeout)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.pool.close(), timeout=self.acquire_timeout)
        except TimeoutError:
            self.pool.terminate()

    @property
    def in_transaction(self) -> bool:
        """True inside this task's `transaction()` block."""
        return asyncio.current_task() in self._transactions

    def _current(self) -> PgTransaction | None:
        return self._transactions.get(asyncio.current_task())  # type: ignore[arg-type]

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """The connection of this task's transaction, or one borrowed from the pool."""
        tx = self._current()
        if tx is not None:
            yield tx.conn
            return
        with busy_on_transient():
            conn = await self.pool.acquire(timeout=self.acquire_timeout)
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    # -- one-statement helpers -------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        translated = translate(sql)
        args = translated.bind(params)
        async with self._connection() as conn:
            with busy_on_transient():
                return await conn.fetch(translated.sql, *args)  # type: ignore[no-any-return]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (committed on return) and return the affected row count."""
        translated = translate(sql)
        args = translated.bind(params)
        async with self._connection() as conn:
            if not args:
                # Without parameters asyncpg would use the simple protocol, which runs
                # several statements: keep to exactly one, as sqlite3 does.
                cursor = await run_statement(conn, sql, ())
                return cursor.rowcount
            with busy_on_transient():
                status = await conn.execute(translated.sql, *args)
        return rowcount_of(status)

    # -- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTransaction]:  # type: ignore[override]
        """Run the block as one transaction on one connection (nested: a savepoint)."""
        task = asyncio.current_task()
        assert task is not None, "transaction() must run inside a task"
        current = self._transactions.get(task)
        if current is not None:
            async with current.conn.transaction():
                yield current
            return
        async with self._connection() as conn:
            tx = PgTransaction(conn)
            driver = conn.transaction()
            with busy_on_transient():
                await driver.start()
            self._transactions[task] = tx
            try:
                yield tx
            except BaseException:
                with contextlib.suppress(Exception):
                    await driver.rollback()
                raise
            else:
                try:
                    with busy_on_transient():
                        await driver.commit()
                except BaseException:
                    with contextlib.suppress(Exception):
                        await driver.rollback()
                    raise
            finally:
                del self._transactions[task]
