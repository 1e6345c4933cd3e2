"""Before a copy: open each end, hold it against a running bot, refuse what cannot be.

Each refusal is one line: the same store twice, a source at another schema version, a
target that is not empty or not Entraide's.

The target is migrated here when it is new (or an empty older store), so the copy itself
starts from a store at the newest schema, and a failed copy leaves it empty and migrated.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator

import aiosqlite

from db.connection import Database
from db.copy_store.checksum import TableSum
from db.copy_store.sides import PgSide, Side, SqliteSide
from db.errors import DatabaseBusyError, DatabaseConfigError
from db.migrate import discover, migrate, migrations_dir
from db.ops import InstanceLock, InstanceLockedError
from db.store import open_database
from db.url import DatabaseUrl


class CopyStoreError(Exception):
    """Why the copy was refused or undone; one line meant for the operator."""


def latest_version(dialect: str) -> int:
    migrations = discover(migrations_dir(dialect))
    return migrations[-1].version if migrations else 0


def same_store(a: DatabaseUrl, b: DatabaseUrl) -> bool:
    if a.dialect != b.dialect:
        return False
    if a.dialect == "sqlite":
        assert a.path is not None and b.path is not None
        return a.path.resolve() == b.path.resolve()
    where_a = (a.socket_dir or a.host or "localhost", a.port or 5432, a.database or a.user)
    where_b = (b.socket_dir or b.host or "localhost", b.port or 5432, b.database or b.user)
    return where_a == where_b


@contextlib.contextmanager
def held_against_the_bot(url: DatabaseUrl, role: str) -> Iterator[None]:
    """A SQLite end: hold its instance lock (a running bot holds it too)."""
    if url.dialect != "sqlite":
        yield
        return
    assert url.path is not None
    try:
        lock = InstanceLock(url.path).acquire()
    except InstanceLockedError as exc:
        msg = f"the {role} ({url.display}) is in use: {exc}"
        raise CopyStoreError(msg) from None
    try:
        yield
    finally:
        lock.release()


async def open_side(url: DatabaseUrl, *, read_only: bool) -> Side:
    role = "source" if read_only else "target"
    if url.dialect == "postgresql":
        try:
            side: Side = await PgSide.open(url)
        except DatabaseBusyError as exc:
            msg = f"the {role} ({url.display}) did not answer: {exc}."
            raise CopyStoreError(msg) from None
        except DatabaseConfigError as exc:
            msg = f"the {role} ({url.display}) refused the connection: {exc.__cause__}."
            raise CopyStoreError(msg) from None
        if await side.other_sessions():  # type: ignore[attr-defined]
            await side.close()
            msg = (
                f"the {role} ({url.display}) is in use: Entraide is connected to it. "
                "Stop every bot process on it first."
            )
            raise CopyStoreError(msg)
        return side
    try:
        return await SqliteSide.open(url, read_only=read_only)
    except (sqlite3.Error, aiosqlite.Error) as exc:
        msg = f"cannot open the {role} ({url.display}): {exc}."
        raise CopyStoreError(msg) from None


async def open_source(url: DatabaseUrl) -> Side:
    """The source, read-only, checked to be an Entraide store at the newest schema."""
    if url.dialect == "sqlite":
        assert url.path is not None
        if not url.path.is_file():
            msg = f"the source ({url.display}) does not exist."
            raise CopyStoreError(msg)
    side = await open_side(url, read_only=True)
    try:
        version = await _version(side, "source")
        latest = latest_version(url.dialect)
        if version == 0:
            msg = f"the source ({url.display}) has no Entraide schema; is it the right database?"
            raise CopyStoreError(msg)
        if version < latest:
            msg = (
                f"the source ({url.display}) is at schema version {version}, older than this "
                f"code's {latest}: start the bot (or python -m bot check) on it once to "
                "upgrade it, then copy."
            )
            raise CopyStoreError(msg)
        if version > latest:
            msg = (
                f"the source ({url.display}) is at schema version {version}, newer than this "
                f"code knows ({latest}): copy it with the Entraide version that wrote it."
            )
            raise CopyStoreError(msg)
    except BaseException:
        await side.close()
        raise
    return side


async def _version(side: Side, role: str) -> int:
    try:
        return await side.schema_version()
    except (sqlite3.DatabaseError, aiosqlite.Error) as exc:
        msg = f"the {role} ({side.url.display}) is not a SQLite database Entraide can read: {exc}"
        raise CopyStoreError(msg) from None


async def prepare_target(url: DatabaseUrl) -> None:
    """Migrate a new or empty target to the newest schema; refuse anything else."""
    side = await open_side(url, read_only=False)
    try:
        version = await _version(side, "target")
        await side.begin_snapshot()
        latest = latest_version(url.dialect)
        if version > latest:
            msg = (
                f"the target ({url.display}) is at schema version {version}, newer than this "
                f"code knows ({latest})."
            )
            raise CopyStoreError(msg)
        if version == 0 and await side.tables():
            msg = (
                f"the target ({url.display}) holds tables but no Entraide schema; "
                "copy into a new, empty database."
            )
            raise CopyStoreError(msg)
        if version > 0:
            await refuse_unless_new(side, version)
    finally:
        with contextlib.suppress(Exception):
            await side.rollback()
        await side.close()
    if version == latest:
        return
    store = await open_database(url, pool_min_size=1, pool_max_size=1)
    try:
        await migrate(store)
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def new_store_sums(version: int) -> AsyncIterator[dict[str, TableSum]]:
    """Each table's rows in a store just migrated to `version` (the built-in platforms)."""
    reference = await Database.open(":memory:")
    try:
        await migrate(reference, target=version)
        side = SqliteSide(reference.conn, reference.url)
        sums: dict[str, TableSum] = {}
        for table in await side.tables():
            total = TableSum()
            async for batch in side.batches(table, await side.columns(table)):
                total.add(batch)
            sums[table] = total
        yield sums
    finally:
        await reference.close()


async def refuse_unless_new(target: Side, version: int) -> dict[str, TableSum]:
    """Refuse a target holding rows a new store would not; return what a new one holds."""
    async with new_store_sums(version) as fresh:
        extra: list[tuple[str, int]] = []
        for table in await target.tables():
            rows = await target.count(table)
            seeded = fresh.get(table)
            if seeded is None or seeded.rows == 0:
                if rows:
                    extra.append((table, rows))
                continue
            total = TableSum()
            async for batch in target.batches(table, await target.columns(table)):
                total.add(batch)
            if not total.matches(seeded):
                extra.append((table, rows))
    if extra:
        listed = ", ".join(f"{rows:,} rows in {table}" for table, rows in extra[:4])
        more = f" and {len(extra) - 4} more tables" if len(extra) > 4 else ""
        msg = (
            f"the target ({target.url.display}) is not empty: {listed}{more}. "
            "Copy into a new, empty database."
        )
        raise CopyStoreError(msg)
    return fresh
