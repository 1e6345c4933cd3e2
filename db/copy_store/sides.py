"""The two ends of a copy, one class per dialect: tables, columns, rows and bulk writes.

Rows are streamed in batches both ways.

`copy-store` works at the table level, so it needs none of the feature repositories:
each side introspects its own catalog (`PRAGMA table_list` / `pg_catalog`). A side is
one connection of its own (not the bot's `Database` or pool), so the whole copy is one
transaction on the target and one consistent snapshot of the source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal, Protocol
from urllib.parse import quote

import aiosqlite
import asyncpg

from db.postgres.errors import busy_on_transient, refused_as_config_error
from db.url import DatabaseUrl

Row = tuple[Any, ...]
Batches = AsyncIterator[list[Row]]
#: Rows per batch read or written: memory stays bounded whatever the store's size.
BATCH_ROWS = 5_000
#: How this tool's PostgreSQL sessions are named (the bot's are "entraide").
APPLICATION_NAME = "entraide-copy-store"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_sql(table: str, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(quoted(c) for c in columns)} FROM {quoted(table)}"


class Side(Protocol):
    """What the copier needs from either end."""

    dialect: Literal["sqlite", "postgresql"]
    url: DatabaseUrl

    async def begin_snapshot(self) -> None: ...
    async def begin_write(self) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def close(self) -> None: ...
    async def schema_version(self) -> int: ...
    async def tables(self) -> list[str]: ...
    async def columns(self, table: str) -> list[str]: ...
    async def parents(self) -> dict[str, set[str]]: ...
    async def count(self, table: str) -> int: ...
    def batches(self, table: str, columns: Sequence[str]) -> Batches: ...
    async def write(self, table: str, columns: Sequence[str], rows: Batches) -> None: ...
    async def delete_all(self, table: str) -> None: ...


class SqliteSide:
    """A SQLite file through its own aiosqlite connection."""

    dialect: Literal["sqlite"] = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, url: DatabaseUrl) -> None:
        self.conn = conn
        self.url = url

    @classmethod
    async def open(cls, url: DatabaseUrl, *, read_only: bool) -> SqliteSide:
        assert url.path is not None
        if read_only:
            uri = f"file:{quote(str(url.path.resolve()))}?mode=ro"
            conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        else:
            conn = await aiosqlite.connect(url.path, isolation_level=None)
        try:
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, url)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def begin_snapshot(self) -> None:
        # A deferred transaction's first read fixes the snapshot every later read sees.
        await self.conn.execute("BEGIN")
        await self._all("SELECT count(*) FROM sqlite_master")

    async def begin_write(self) -> None:
        await self.conn.execute("BEGIN IMMEDIATE")
        # Foreign keys are checked at COMMIT: a row may name one copied after it.
        await self.conn.execute("PRAGMA defer_foreign_keys = ON")

    async def commit(self) -> None:
        await self.conn.execute("COMMIT")

    async def rollback(self) -> None:
        if self.conn.in_transaction:
            await self.conn.execute("ROLLBACK")

    async def close(self) -> None:
        await self.conn.close()

    async def schema_version(self) -> int:
        return int((await self._all("PRAGMA user_version"))[0][0])

    async def tables(self) -> list[str]:
        """Ordinary tables: not SQLite's own, not a full-text table nor its shadow tables."""
        rows = await self._all("PRAGMA table_list")
        return sorted(
            row[1]
            for row in rows
            if row[0] == "main" and row[2] == "table" and not row[1].startswith("sqlite_")
        )

    async def virtual_tables(self) -> list[str]:
        rows = await self._all("PRAGMA table_list")
        return sorted(row[1] for row in rows if row[0] == "main" and row[2] == "virtual")

    async def columns(self, table: str) -> list[str]:
        rows = await self._all(f"PRAGMA table_xinfo({quoted(table)})")
        return [row[1] for row in rows if row[6] == 0]  # hidden or generated: not stored

    async def parents(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for table in await self.tables():
            rows = await self._all(f"PRAGMA foreign_key_list({quoted(table)})")
            found[table] = {row[2] for row in rows}
        return found

    async def count(self, table: str) -> int:
        return int((await self._all(f"SELECT count(*) FROM {quoted(table)}"))[0][0])

    async def batches(self, table: str, columns: Sequence[str]) -> Batches:
        async with self.conn.execute(select_sql(table, columns)) as cursor:
            while batch := await cursor.fetchmany(BATCH_ROWS):
                yield [tuple(row) for row in batch]

    async def write(self, table: str, columns: Sequence[str], rows: Batches) -> None:
        names = ", ".join(quoted(c) for c in columns)
        sql = f"INSERT INTO {quoted(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
        async for batch in rows:
            await self.conn.executemany(sql, batch)

    async def delete_all(self, table: str) -> None:
        await self.conn.execute(f"DELETE FROM {quoted(table)}")

    async def foreign_key_problems(self) -> list[str]:
        """Tables with a row whose parent is missing (checked before COMMIT)."""
        return sorted({row[0] for row in await self._all("PRAGMA foreign_key_check")})

    async def full_text_problem(self, table: str) -> str | None:
        """FTS5's own check that `table`'s index matches its content table, or None."""
        try:
            await self.conn.execute(
                f"INSERT INTO {quoted(table)} ({quoted(table)}, rank) VALUES ('integrity-check', 1)"
            )
        except aiosqlite.Error as exc:
            return str(exc)
        return None


class PgSide:
    """A PostgreSQL database through one asyncpg connection of its own."""

    dialect: Literal["postgresql"] = "postgresql"

    def __init__(self, conn: asyncpg.Connection, url: DatabaseUrl) -> None:
        self.conn = conn
        self.url = url

    @classmethod
    async def open(cls, url: DatabaseUrl) -> PgSide:
        with busy_on_transient(), refused_as_config_error(url):
            conn = await asyncpg.connect(
                url.dsn(),
                server_settings={"application_name": APPLICATION_NAME, "timezone": "UTC"},
            )
        return cls(conn, url)

    async def begin_snapshot(self) -> None:
        await self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    async def begin_write(self) -> None:
        await self.conn.execute("BEGIN")

    async def commit(self) -> None:
        with busy_on_transient():
            await self.conn.execute("COMMIT")

    async def rollback(self) -> None:
        if not self.conn.is_closed() and self.conn.is_in_transaction():
            await self.conn.execute("ROLLBACK")

    async def close(self) -> None:
        await self.conn.close()

    async def schema_version(self) -> int:
        if await self.conn.fetchval("SELECT to_regclass('schema_version') IS NULL"):
            return 0
        return int(await self.conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))

    async def tables(self) -> list[str]:
        """The schema's tables, but `schema_version` (the version is compared on its own)."""
        rows = await self.conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'schema_version' ORDER BY 1"
        )
        return [row[0] for row in rows]

    async def columns(self, table: str) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT a.attname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid "
            "WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace "
            "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
            "ORDER BY a.attnum",
            table,
        )
        return [row[0] for row in rows]

    async def parents(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {table: set() for table in await self.tables()}
        rows = await self.conn.fetch(
            "SELECT child.relname, parent.relname FROM pg_constraint AS k "
            "JOIN pg_class AS child ON child.oid = k.conrelid "
            "JOIN pg_class AS parent ON parent.oid = k.confrelid "
            "WHERE k.contype = 'f' AND child.relnamespace = current_schema()::regnamespace"
        )
        for child, parent in rows:
            found.setdefault(child, set()).add(parent)
        return found

    async def count(self, table: str) -> int:
        return int(await self.conn.fetchval(f"SELECT count(*) FROM {quoted(table)}"))

    async def batches(self, table: str, columns: Sequence[str]) -> Batches:
        batch: list[Row] = []
        async for record in self.conn.cursor(select_sql(table, columns), prefetch=BATCH_ROWS):
            batch.append(tuple(record))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    async def write(self, table: str, columns: Sequence[str], rows: Batches) -> None:
        async def records() -> AsyncIterator[Row]:
            async for batch in rows:
                for row in batch:
                    yield row

        # One COPY per table: the foreign keys are checked at its end, so a row may name
        # another of the same table copied after it (a requester merged into a later one).
        await self.conn.copy_records_to_table(table, records=records(), columns=list(columns))

    async def delete_all(self, table: str) -> None:
        await self.conn.execute(f"DELETE FROM {quoted(table)}")

    async def other_sessions(self) -> int:
        """Sessions of the bot (application name "entraide") on this database."""
        return int(
            await self.conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'entraide' AND pid <> pg_backend_pid()"
            )
        )

    async def try_lock(self, key: int) -> bool:
        return bool(await self.conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", key))

    async def identity_columns(self) -> list[tuple[str, str]]:
        rows = await self.conn.fetch(
            "SELECT c.relname, a.attname FROM pg_attribute AS a "
            "JOIN pg_class AS c ON c.oid = a.attrelid "
            "WHERE a.attidentity <> '' AND NOT a.attisdropped "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY 1"
        )
        return [(row[0], row[1]) for row in rows]

    async def set_sequence_past(self, table: str, column: str) -> None:
        """The identity sequence after the largest copied id (docs/postgresql.md)."""
        await self.conn.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2), max({quoted(column)})) "
            f"FROM {quoted(table)} HAVING max({quoted(column)}) IS NOT NULL",
            quoted(table),
            column,
        )

    async def full_text_problem(self, table: str) -> str | None:
        """The full-text rows must be exactly one per alert, built from its title and name."""
        missing = await self.conn.fetchval(
            f"SELECT count(*) FROM task_alerts AS a LEFT JOIN {quoted(table)} AS f "
            "ON f.alert_id = a.id WHERE f.document IS DISTINCT FROM "
            "entraide_fts_document(a.title, a.requester_name)"
        )
        extra = await self.conn.fetchval(
            f"SELECT count(*) FROM {quoted(table)} AS f "
            "WHERE NOT EXISTS (SELECT 1 FROM task_alerts AS a WHERE a.id = f.alert_id)"
        )
        if missing or extra:
            return f"{missing} alerts without their full-text row, {extra} rows without an alert"
        return None
