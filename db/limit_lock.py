"""Serialise a "count, then insert" limit per key, so it stays exact across processes.

A limit checked by the statement that writes (`INSERT … SELECT … WHERE (SELECT count(*)
…) < :limit`) is exact on SQLite, where one connection writes at a time. On PostgreSQL,
several processes share the store and READ COMMITTED gives each statement its own
snapshot: two processes can both count `limit - 1` and both insert. `limited()` takes a
transaction-scoped advisory lock on the limit's key first, in the same transaction, so the
second writer waits for the first to commit and its statement then counts the first's row.
Keys are hashed (`hashtext`); a collision only makes two unrelated writers wait for each
other, never lets a limit through.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from db.connection import Database
from db.dialect import Sql

#: SQLite: nothing to lock (the shared connection already runs one writer at a time); the
#: statement only names its parameters so both texts bind the same mapping.
_LOCK = Sql(
    "SELECT :scope, :key",
    postgresql="SELECT pg_advisory_xact_lock(hashtext(:scope), hashtext(:key))",
)


@asynccontextmanager
async def limited(db: Database, scope: str, key: object) -> AsyncIterator[None]:
    """Run the block in a transaction (the caller's, if one is open) holding `scope`/`key`.

    `scope` names the limit (e.g. "reviews per day"), `key` its owner (a member or server
    id). The lock is released when the transaction ends.

    On SQLite `in_transaction` is the shared connection's (another task's transaction or
    a group commit counts), so the block may run outside a transaction of its own there:
    harmless, as the limited statement is atomic on SQLite by itself.
    """
    if db.in_transaction:
        await db.execute(_LOCK, {"scope": scope, "key": str(key)})
        yield
        return
    async with db.transaction():
        await db.execute(_LOCK, {"scope": scope, "key": str(key)})
        yield
