"""Numbered SQL migrations, applied in one transaction, for SQLite and PostgreSQL.

Files are `db/migrations/NNNN_description.sql` (SQLite) and
`db/migrations/postgresql/NNNN_description.sql` (PostgreSQL, same numbering). Each feature
owns its own numbers, so features can evolve their schema without touching each other's
files. SQLite keeps the applied version in `PRAGMA user_version`; PostgreSQL in a
one-row `schema_version` table, and migrates under an advisory lock so that processes
starting together migrate once. A database whose version is newer than the newest file
is refused: running old code on it could corrupt it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.store import Store

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
#: `pg_advisory_xact_lock` key held while migrating ("Entraide" in ASCII).
PG_MIGRATION_LOCK = 0x456E747261696465
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """A migration problem the operator must act on (message is meant for them)."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        return split_statements(self.path.read_text(encoding="utf-8"))


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers included) using SQLite's parser.

    `executescript` would commit any open transaction first, so statements are run one by
    one inside ours instead.
    """
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if _has_code(statement):
                statements.append(statement)
            buffer = ""
    if _has_code(buffer):
        msg = f"incomplete SQL statement at end of script: {buffer.strip()[:80]!r}"
        raise MigrationError(msg)
    return statements


def _has_code(text: str) -> bool:
    lines = [ln.split("--", 1)[0].strip() for ln in text.splitlines()]
    return any(ln and ln != ";" for ln in lines)


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            msg = f"migration file name must look like 0001_name.sql: {path.name}"
            raise MigrationError(msg)
        migrations.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        msg = f"migrations must be numbered 1..n without gaps, found {versions}"
        raise MigrationError(msg)
    return migrations


def migrations_dir(dialect: str) -> Path:
    """Where the migrations of a dialect ("sqlite" or "postgresql") live."""
    return PG_MIGRATIONS_DIR if dialect == "postgresql" else MIGRATIONS_DIR


async def current_version(db: Store) -> int:
    if db.dialect == "postgresql":
        if await db.fetch_value("SELECT to_regclass('schema_version') IS NULL"):
            return 0
        return int(await db.fetch_value("SELECT coalesce(max(version), 0) FROM schema_version"))
    return int(await db.fetch_value("PRAGMA user_version"))


def _too_new(db: Store, version: int, latest: int) -> MigrationError:
    return MigrationError(
        f"The database ({db.url.display}) is at schema version {version}, newer than this "
        f"code knows (latest {latest}). Upgrade Entraide before using this database."
    )


async def migrate(
    db: Store, *, target: int | None = None, directory: Path | None = None
) -> list[int]:
    """Bring the schema up to `target` (default: newest). Returns the versions applied."""
    if directory is None:
        directory = migrations_dir(db.dialect)
    if db.dialect == "postgresql":
        if not directory.is_dir():
            msg = (
                "This version of Entraide has no PostgreSQL schema (no db/migrations/"
                "postgresql/); use a sqlite:/// DATABASE_URL or upgrade Entraide."
            )
            raise MigrationError(msg)
        return await _migrate_postgresql(db, discover(directory), target)
    migrations = discover(directory)
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    version = await current_version(db)
    if version > latest:
        raise _too_new(db, version, latest)
    pending = [m for m in migrations if version < m.version <= target]
    if not pending:
        return []
    async with db.transaction() as conn:
        for migration in pending:
            for statement in migration.statements():
                await conn.execute(statement)
            log.info("applied migration %04d_%s", migration.version, migration.name)
        await conn.execute(f"PRAGMA user_version = {pending[-1].version:d}")
    fk_problems = await db.fetch_all("PRAGMA foreign_key_check")
    if fk_problems:
        msg = f"foreign key check failed after migrating: {len(fk_problems)} rows"
        raise MigrationError(msg)
    return [m.version for m in pending]


async def _migrate_postgresql(
    db: Store, migrations: list[Migration], target: int | None
) -> list[int]:
    """One transaction under an advisory lock: a second process waits, then finds it done."""
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    async with db.transaction() as tx:
        await tx.execute("SELECT pg_advisory_xact_lock(?)", (PG_MIGRATION_LOCK,))
        await tx.execute_script(
            "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"
        )
        async with tx.execute("SELECT max(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        version = 0 if row is None or row[0] is None else int(row[0])
        if version > latest:
            raise _too_new(db, version, latest)
        pending = [m for m in migrations if version < m.version <= target]
        for migration in pending:
            await tx.execute_script(migration.path.read_text(encoding="utf-8"))
            log.info("applied PostgreSQL migration %04d_%s", migration.version, migration.name)
        if pending:
            await tx.execute("DELETE FROM schema_version")
            await tx.execute(
                "INSERT INTO schema_version (version) VALUES (?)", (pending[-1].version,)
            )
    return [m.version for m in pending]
