"""A small two-step schema of its own, so the connection layer is tested without
depending on Entraide's PostgreSQL schema (which arrives separately)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl

ITEMS = """
CREATE TABLE items (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0)
);
"""

NOTES = """
-- A function body with semicolons and '?' inside dollar quotes: run as one script.
CREATE TABLE notes (
    id bigserial PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    body text NOT NULL
);
CREATE FUNCTION shout(t text) RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
    RETURN upper(t) || '?';
END;
$body$;
"""


def write_migrations(directory: Path, *scripts: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for number, script in enumerate(scripts, start=1):
        (directory / f"{number:04d}_step{number}.sql").write_text(script, encoding="utf-8")
    return directory


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    return write_migrations(tmp_path / "pg_migrations", ITEMS, NOTES)


@pytest.fixture
async def pg(pg_empty_url: DatabaseUrl, schema_dir: Path) -> AsyncIterator[PgDatabase]:
    """A `PgDatabase` on a fresh database migrated with the small test schema."""
    db = await PgDatabase.open(pg_empty_url, min_size=1, max_size=8)
    await migrate(db, directory=schema_dir)
    yield db
    await db.close()
