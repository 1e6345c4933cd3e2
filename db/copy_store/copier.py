"""The copy itself: every table, in one transaction on the target, verified, or nothing.

Tables go in foreign-key order, streamed in batches, and are checked against the source
before the transaction is committed.

All-or-nothing: anything that goes wrong (an error, a verification difference, Ctrl-C)
rolls the target's transaction back, so the target is left as it was (empty, migrated).
Tables that triggers fill from others (`DERIVED`) are not copied: the target's own
triggers rebuild them from the copied rows, and the result is verified all the same.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import aiosqlite
import asyncpg

from db.copy_store.checksum import TableSum, UnsupportedValueError
from db.copy_store.preflight import (
    CopyStoreError,
    held_against_the_bot,
    open_side,
    open_source,
    prepare_target,
    refuse_unless_new,
    same_store,
)
from db.copy_store.sides import Batches, PgSide, Side, SqliteSide
from db.migrate import PG_MIGRATION_LOCK
from db.url import DatabaseUrl

#: Tables an insert trigger fills from another one (the table it is built from).
DERIVED: dict[str, str] = {"earnings_daily": "earnings", "task_alerts_fts": "task_alerts"}
#: Derived tables that are full-text indexes: an FTS5 table on SQLite, tsvectors on
#: PostgreSQL, so not comparable row for row; each backend's own check is run instead.
FULL_TEXT = frozenset({"task_alerts_fts"})

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TableResult:
    name: str
    rows: int
    #: 32 hex digits, equal on both sides; "-" for a full-text index.
    checksum: str
    #: "copied", "rebuilt by triggers" or "index checked".
    how: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    schema_version: int
    tables: tuple[TableResult, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables if t.how == "copied")


async def copy_store(
    source_url: DatabaseUrl, target_url: DatabaseUrl, *, progress: Progress | None = None
) -> CopyReport:
    """Copy every row of the source store into the (new or empty) target, or nothing."""
    if same_store(source_url, target_url):
        msg = f"the source and the target are the same store ({source_url.display})."
        raise CopyStoreError(msg)
    say = progress or (lambda _line: None)
    started = time.perf_counter()
    with held_against_the_bot(source_url, "source"):
        source = await open_source(source_url)  # checked before the target is touched
        try:
            with held_against_the_bot(target_url, "target"):
                await prepare_target(target_url)
                target = await open_side(target_url, read_only=False)
                say(
                    f"Copying {source_url.display} to {target_url.display} "
                    "(all or nothing: one transaction on the target)"
                )
                try:
                    tables, version = await _copy(source, target, say)
                finally:
                    await target.close()
        finally:
            await source.close()
    return CopyReport(
        source=source_url.display,
        target=target_url.display,
        schema_version=version,
        tables=tuple(tables),
        seconds=time.perf_counter() - started,
    )


async def _copy(source: Side, target: Side, say: Progress) -> tuple[list[TableResult], int]:
    version = await source.schema_version()
    await source.begin_snapshot()
    await target.begin_write()
    try:
        if isinstance(target, PgSide) and not await target.try_lock(PG_MIGRATION_LOCK):
            msg = f"the target ({target.url.display}) is being migrated by an Entraide process."
            raise CopyStoreError(msg)
        if (theirs := await target.schema_version()) != version:
            msg = (
                f"the target ({target.url.display}) is at schema version {theirs} and the "
                f"source at {version}: this code has no schema {version} for the target's "
                "backend."
            )
            raise CopyStoreError(msg)
        fresh = await refuse_unless_new(target, version)
        order, columns = await _plan(source, target)
        for table in reversed(order):  # a new store's own rows: the source's replace them
            if table in fresh and fresh[table].rows:
                await target.delete_all(table)
        sums = {}
        for table in order:
            sums[table] = await _copy_table(source, target, table, columns[table], say)
        if isinstance(target, PgSide):
            for table, column in await target.identity_columns():
                await target.set_sequence_past(table, column)
        say("verifying the target against the source…")
        results = await _verify(source, target, order, columns, sums)
        await target.commit()
    except BaseException:
        await _abandon(target)
        raise
    finally:
        with contextlib.suppress(Exception):
            await source.rollback()
    return results, version


async def _abandon(target: Side) -> None:
    """Roll the target's transaction back, or drop an unusable connection.

    The server (or SQLite) then discards the transaction all the same.
    """
    try:
        await target.rollback()
    except Exception:
        if isinstance(target, PgSide):
            target.conn.terminate()


def foreign_key_order(parents: dict[str, set[str]], tables: Iterable[str]) -> list[str]:
    """`tables` with every table after the ones it references (self-references allowed)."""
    wanted = set(tables)
    needs = {t: (parents.get(t, set()) & wanted) - {t} for t in wanted}
    order: list[str] = []
    while needs:
        ready = sorted(t for t, n in needs.items() if not n)
        if not ready:
            msg = f"the tables {', '.join(sorted(needs))} reference each other in a cycle."
            raise CopyStoreError(msg)
        for table in ready:
            del needs[table]
            order.append(table)
        for pending in needs.values():
            pending.difference_update(ready)
    return order


async def _plan(source: Side, target: Side) -> tuple[list[str], dict[str, list[str]]]:
    """The tables to copy (in foreign-key order) and their columns; both schemas must match."""
    mine = set(await source.tables()) - set(DERIVED)
    theirs = set(await target.tables()) - set(DERIVED)
    if mine != theirs:
        msg = (
            f"the schemas differ: only in the source: {', '.join(sorted(mine - theirs)) or '-'}; "
            f"only in the target: {', '.join(sorted(theirs - mine)) or '-'}."
        )
        raise CopyStoreError(msg)
    columns: dict[str, list[str]] = {}
    for table in sorted(mine):
        own, other = await source.columns(table), await target.columns(table)
        if set(own) != set(other):
            msg = (
                f"the schemas differ: {table} has columns {', '.join(own)} in the source "
                f"and {', '.join(other)} in the target."
            )
            raise CopyStoreError(msg)
        columns[table] = own
    return foreign_key_order(await target.parents(), mine), columns


_ROW_ERRORS = (
    aiosqlite.Error,
    asyncpg.PostgresError,
    asyncpg.DataError,
    UnsupportedValueError,
    ValueError,
)


async def _copy_table(
    source: Side, target: Side, table: str, columns: list[str], say: Progress
) -> TableSum:
    began = time.perf_counter()
    total = TableSum()

    async def counted() -> Batches:
        async with contextlib.aclosing(source.batches(table, columns)) as batches:
            async for batch in batches:
                total.add(batch)
                yield batch

    try:
        async with contextlib.aclosing(counted()) as rows:  # closed even when writing fails
            await target.write(table, columns, rows)
    except _ROW_ERRORS as exc:
        msg = f"copying {table} failed after {total.rows:,} rows: {exc}"
        raise CopyStoreError(msg) from exc
    say(f"  {table:<26} {total.rows:>12,} rows  {time.perf_counter() - began:7.1f} s")
    return total


async def _sum(side: Side, table: str, columns: list[str]) -> TableSum:
    total = TableSum()
    async with contextlib.aclosing(side.batches(table, columns)) as batches:
        async for batch in batches:
            total.add(batch)
    return total


def _mismatch(table: str, source: TableSum, target: TableSum) -> CopyStoreError:
    return CopyStoreError(
        f"verification failed for {table}: the source has {source.rows:,} rows "
        f"(checksum {source.hex}), the target {target.rows:,} ({target.hex})."
    )


async def _verify(
    source: Side,
    target: Side,
    order: list[str],
    columns: dict[str, list[str]],
    sums: dict[str, TableSum],
) -> list[TableResult]:
    """Read every copied table back from the target; compare counts and checksums."""
    results = []
    for table in order:
        back = await _sum(target, table, columns[table])
        if not back.matches(sums[table]):
            raise _mismatch(table, sums[table], back)
        results.append(TableResult(table, back.rows, back.hex, "copied"))
    for table in sorted(set(DERIVED) - FULL_TEXT):
        wanted = await _sum(source, table, await source.columns(table))
        back = await _sum(target, table, await target.columns(table))
        if not back.matches(wanted):
            raise _mismatch(table, wanted, back)
        results.append(TableResult(table, back.rows, back.hex, "rebuilt by triggers"))
    for table in sorted(FULL_TEXT):
        problem = await target.full_text_problem(table)  # type: ignore[attr-defined]
        if problem:
            msg = f"verification failed for {table}: {problem}"
            raise CopyStoreError(msg)
        results.append(TableResult(table, sums[DERIVED[table]].rows, "-", "index checked"))
    if isinstance(target, SqliteSide):
        broken = await target.foreign_key_problems()
        if broken:
            msg = f"verification failed: rows of {', '.join(broken)} name a missing parent."
            raise CopyStoreError(msg)
    return results
