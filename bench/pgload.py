"""Loading the generated SQLite store into the run's PostgreSQL database.

Both backends must be measured on the same data, so the PostgreSQL database is filled from
the very file the SQLite phases copy. `python -m bot copy-store` does that (with its own
checks) when this version has it; until then, `copy_tables` does it table by table: the
schema from the PostgreSQL migrations, every row of each table both schemas have (COPY,
triggers and foreign keys off for the load, as a restore does), then what the triggers
would have built (the full-text documents) and the identity sequences set past the
copied ids (docs/postgresql.md, "Identity sequences after explicit ids").
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg

from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl

#: Kept by the migrations (the version) or rebuilt after the load (the documents).
_NOT_COPIED = frozenset({"schema_version", "task_alerts_fts"})
_BATCH = 20_000


def has_copy_store() -> bool:
    """Whether `python -m bot copy-store` exists in this version."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "copy-store", "--help"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


async def load_store(store: Path, target: DatabaseUrl) -> str:
    """Fill the empty database `target` from `store`; say how, and how long it took."""
    started = time.perf_counter()
    why = "copy-store not in this version"
    if await asyncio.to_thread(has_copy_store):
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "copy-store", f"sqlite:///{store}", target.dsn()],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return f"python -m bot copy-store, {time.perf_counter() - started:.1f} s"
        # All-or-nothing: the target is left empty (migrated at most); measure anyway.
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["?"]
        why = f"copy-store refused: {last[0][:200]}"
    await copy_tables(store, target)
    return f"the bench's table copy ({why}), {time.perf_counter() - started:.1f} s"


async def copy_tables(store: Path, target: DatabaseUrl) -> dict[str, int]:
    """Migrate `target`, then copy every shared table's rows from the SQLite `store`."""
    db = await PgDatabase.open(target, min_size=0, max_size=1)
    try:
        await migrate(db)
    finally:
        await db.close()
    conn = await asyncpg.connect(target.dsn())
    try:
        return await _copy(conn, store)
    finally:
        await conn.close()


async def _copy(conn: asyncpg.Connection, store: Path) -> dict[str, int]:
    columns = await _pg_columns(conn)
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True, check_same_thread=False)
    counts: dict[str, int] = {}
    try:
        present = {
            row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for table, kinds in columns.items():
                if table in _NOT_COPIED or table not in present:
                    continue
                have = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
                names = [name for name in kinds if name in have]
                await conn.execute(f'DELETE FROM "{table}"')  # built-in rows come with the copy
                counts[table] = 0
                rows = _read(source, table, names, [kinds[n] for n in names])
                while batch := await asyncio.to_thread(next, rows, None):
                    await conn.copy_records_to_table(table, records=batch, columns=names)
                    counts[table] += len(batch)
            await conn.execute(
                "INSERT INTO task_alerts_fts (alert_id, document) "
                "SELECT id, entraide_fts_document(title, requester_name) FROM task_alerts"
            )
            for (table,) in await conn.fetch(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'id' "
                "AND is_identity = 'YES'"
            ):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), max(id)) "
                    f'FROM "{table}" HAVING max(id) IS NOT NULL'
                )
        await conn.execute("ANALYZE")
    finally:
        source.close()
    return counts


async def _pg_columns(conn: asyncpg.Connection) -> dict[str, dict[str, str]]:
    """Each table's columns and their types, in the order the schema declares them."""
    found: dict[str, dict[str, str]] = {}
    for table, column, kind in await conn.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    ):
        found.setdefault(table, {})[column] = kind
    return found


def _read(
    source: sqlite3.Connection, table: str, names: list[str], kinds: list[str]
) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in batches, each value as PostgreSQL's column type wants it."""
    quoted = ", ".join(f'"{n}"' for n in names)
    cursor = source.execute(f'SELECT {quoted} FROM "{table}"')
    convert = [_converter(kind) for kind in kinds]
    while batch := cursor.fetchmany(_BATCH):
        yield [tuple(c(v) for c, v in zip(convert, row, strict=True)) for row in batch]


def _converter(kind: str) -> Any:
    def to_int(value: Any) -> Any:
        return None if value is None else int(value)

    def to_text(value: Any) -> Any:
        return None if value is None else str(value)

    if kind in ("bigint", "integer", "smallint"):
        return to_int
    if kind == "text":
        return to_text
    return lambda value: value
