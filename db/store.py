"""Open the store a `DATABASE_URL` names: SQLite's `Database` or PostgreSQL's `PgDatabase`.

The bot, `python -m bot check` and the operations commands open the database through
`open_database`, so which backend answers is decided in one place. `Store` is the type
callers hold; both classes have `dialect`, `url`, the query helpers and `transaction()`.
"""

from __future__ import annotations

from db.connection import Database
from db.postgres.database import DEFAULT_POOL_MAX, DEFAULT_POOL_MIN, PgDatabase
from db.url import DatabaseUrl

Store = Database | PgDatabase


async def open_database(
    url: DatabaseUrl,
    *,
    busy_timeout_ms: int = 5000,
    pool_min_size: int = DEFAULT_POOL_MIN,
    pool_max_size: int = DEFAULT_POOL_MAX,
) -> Store:
    """Open (not migrate) the store at `url`; see `db.migrate.migrate` for the schema."""
    if url.dialect == "postgresql":
        return await PgDatabase.open(
            url, busy_timeout_ms=busy_timeout_ms, min_size=pool_min_size, max_size=pool_max_size
        )
    assert url.path is not None
    return await Database.open(url.path, busy_timeout_ms=busy_timeout_ms)


async def table_names(db: Store) -> list[str]:
    """The store's own tables (not SQLite's internal ones nor PostgreSQL's catalogs)."""
    if db.dialect == "postgresql":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [row[0] for row in await db.fetch_all(sql)]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def row_counts(db: Store) -> list[tuple[str, int]]:
    """Each table of the store with its number of rows (for `python -m bot stats`)."""
    counts = []
    for name in await table_names(db):
        counts.append((name, int(await db.fetch_value(f"SELECT count(*) FROM {_quoted(name)}"))))
    return counts


async def server_size_bytes(db: Store) -> int:
    """PostgreSQL: the database's size on the server (SQLite: see `db.ops.file_size`)."""
    return int(await db.fetch_value("SELECT pg_database_size(current_database())"))
