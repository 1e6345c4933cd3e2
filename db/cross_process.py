"""Keeping a "check, then write" exact when several processes share one PostgreSQL store.

SQLite runs one writer at a time on its one connection, so a single statement such as
`INSERT … SELECT … WHERE (SELECT count(*) …) < :limit` or `UPDATE … SET n = (SELECT
count(*) …)` is atomic there. Under PostgreSQL's READ COMMITTED it is not: a statement
reads the rows committed when it started, so two processes can both count 9 of 10 and
both insert, and an UPDATE that waited for a row lock keeps the counts it read before
waiting. The fix is the same everywhere (docs/postgresql.md, checklist A18): take a
transaction-scoped advisory lock on the limit's key first, then run the statement, which
starts after the lock is held and so sees everything the previous holder committed.

This is the one place where the algorithm differs by backend: SQLite needs no lock and
no extra transaction (both would only slow its hot paths: a vote, a fan-out), PostgreSQL
needs both. Callers name their keys ("dm_cap:<guild>:<user>") and never branch themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from db.connection import Database
from db.dialect import POSTGRESQL

# The keys are hashed to the lock's bigint space (a collision only makes two unrelated
# keys wait for each other) and taken in ascending order, so two processes locking
# overlapping sets can never deadlock.
_LOCK_KEYS = (
    "SELECT count(pg_advisory_xact_lock(k)) FROM "
    "(SELECT DISTINCT hashtext(key)::bigint AS k FROM unnest(?::text[]) AS t(key) "
    "ORDER BY k) AS keys"
)


async def hold(db: Database, keys: Iterable[str]) -> None:
    """Inside the caller's transaction, lock `keys` until it ends (PostgreSQL only).

    On SQLite the transaction itself already excludes every other writer.
    """
    wanted = sorted(set(keys))
    if db.dialect != POSTGRESQL or not wanted:
        return
    if not db.in_transaction:
        msg = "hold() needs the caller's transaction: the locks end with it"
        raise RuntimeError(msg)
    await db.execute(_LOCK_KEYS, (wanted,))


@asynccontextmanager
async def serialised(db: Database, keys: Iterable[str]) -> AsyncIterator[None]:
    """Run the block's statements while holding `keys`, on PostgreSQL in one transaction.

    On SQLite the block runs as it is (one statement there is atomic already); on
    PostgreSQL the block's statements run in a transaction (the caller's, if one is open)
    that first locks the keys.
    """
    if db.dialect != POSTGRESQL:
        yield
        return
    if db.in_transaction:  # the caller's transaction: the locks end with it
        await hold(db, keys)
        yield
        return
    async with db.transaction():
        await hold(db, keys)
        yield
