"""Numbered SQL migrations, applied in one transaction, version kept in `user_version`.

Files are `db/migrations/NNNN_description.sql`. Each feature owns its own numbers, so
features can evolve their schema without touching each other's files. A database whose
version is newer than the newest file is refused: running old code on it could corrupt it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db.connection import Database

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
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


async def current_version(db: Database) -> int:
    return int(await db.fetch_value("PRAGMA user_version"))


async def migrate(
    db: Database, *, target: int | None = None, directory: Path = MIGRATIONS_DIR
) -> list[int]:
    """Bring the schema up to `target` (default: newest). Returns the versions applied."""
    migrations = discover(directory)
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    version = await current_version(db)
    if version > latest:
        msg = (
            f"The database {db.path} is at schema version {version}, newer than this "
            f"code knows (latest {latest}). Upgrade Entraide before using this database."
        )
        raise MigrationError(msg)
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
