"""Operations sub-commands (restore, stats) for the CLI, listed in `COMMANDS`.

Kept apart from `bot.cli` so the operations feature can grow without touching the core
entry point; `bot.cli` reads `COMMANDS`, and this module never imports `bot.cli` (no
cycle). Both work offline and print for an operator; on PostgreSQL `restore` points to
pg_restore and `stats` asks the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.clock import SystemClock
from bot.i18n import format_size
from bot.settings import Settings
from db import ops
from db.migrate import discover

#: Adds a sub-command's arguments to its parser.
Configure = Callable[[argparse.ArgumentParser], None]
#: Runs a sub-command; its result is the process's exit code.
Handler = Callable[[Settings, argparse.Namespace], Awaitable[int]]


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _fail(text: str, code: int = 2) -> int:
    sys.stderr.write(text + "\n")
    return code


#: `backup` and `restore` copy a SQLite file; on PostgreSQL the server's own tools do it.
PG_BACKUP_HINT = (
    "DATABASE_URL is PostgreSQL: back up with pg_dump -Fc and restore with pg_restore "
    "(see docs/postgresql.md); Entraide's backup and restore work on SQLite files only."
)


def latest_schema_version() -> int:
    migrations = discover()
    return migrations[-1].version if migrations else 0


# -- restore ------------------------------------------------------------------------------


def _configure_restore(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="an Entraide database file (e.g. a backup)")


def restore(settings: Settings, source: Path, *, now: datetime | None = None) -> int:
    """Replace the community's database with `source`, keeping a copy of the old one.

    Refused while the bot runs (it holds the instance lock, and this holds it too, so the
    bot cannot start half-way through), for anything but an intact Entraide database, and
    for a database from a newer Entraide. Nothing is changed when it refuses.
    """
    if settings.database.dialect == "postgresql":
        return _fail(PG_BACKUP_HINT)
    live = settings.database_path
    if str(live) == ":memory:":
        return _fail("DATABASE_PATH is :memory:; there is no database file to restore into.")
    if live.exists() and source.exists() and source.resolve() == live.resolve():
        return _fail("Not restored: that file is the live database itself.")
    try:
        info = ops.check_restorable(source, latest_schema_version())
    except ops.DatabaseFileError as exc:
        return _fail(f"Not restored: {exc}")
    try:
        with ops.InstanceLock(live):
            saved = None
            if live.exists():
                stamp = (now or SystemClock().now()).strftime("%Y%m%dT%H%M%SZ")
                saved = live.with_name(f"{live.stem}-before-restore-{stamp}{live.suffix or '.db'}")
                ops.copy_database(live, saved)
            ops.restore_database(source, live)
    except ops.DatabaseFileError as exc:  # the bot is running, or the copy failed its check
        return _fail(f"Not restored: {exc}")
    except (sqlite3.Error, OSError) as exc:
        # SQLite's backup runs in a transaction on the live file: a failure leaves it as it was.
        return _fail(f"Not restored: {exc}. The database was left as it was.")
    _say(f"Restored {source} into {live} (schema version {info.schema_version}).")
    if saved is not None:
        _say(f"The database it replaced was saved as {saved}.")
    if info.schema_version < latest_schema_version():
        _say(
            f"It will be upgraded to schema version {latest_schema_version()} "
            "when the bot next starts."
        )
    return 0


async def _restore(settings: Settings, args: argparse.Namespace) -> int:
    return await asyncio.to_thread(restore, settings, args.path)


# -- stats --------------------------------------------------------------------------------


def _configure_stats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def stats(settings: Settings, *, as_json: bool = False) -> int:
    """Row counts per table, the database's size and the newest scheduled backup."""
    path = settings.database_path
    try:
        info = ops.inspect(path)
    except ops.DatabaseFileError as exc:
        return _fail(str(exc))
    backups = ops.list_backups(settings.backup_dir)
    newest = ops.backup_time(backups[-1]) if backups else None
    if as_json:
        _say(
            json.dumps(
                {
                    "database": str(path),
                    "size_bytes": info.size_bytes,
                    "schema_version": info.schema_version,
                    "free_pages": info.freelist_count,
                    "page_size": info.page_size,
                    "tables": dict(info.tables),
                    "backups": len(backups),
                    "newest_backup": newest.isoformat() if newest else None,
                },
                indent=2,
            )
        )
        return 0
    _say(f"Database:        {path.resolve()}")
    _say(f"Size:            {format_size(info.size_bytes)} ({info.size_bytes} bytes)")
    _say(f"Schema version:  {info.schema_version}")
    _say(
        f"Free pages:      {info.freelist_count} of {info.page_count} "
        f"({format_size(info.freelist_count * info.page_size)} reclaimable)"
    )
    _say(f"Backups:         {len(backups)} in {settings.backup_dir}")
    _say(f"Newest backup:   {newest.isoformat() if newest else 'none'}")
    _say("")
    _table_lines(list(info.tables))
    return 0


async def pg_stats(settings: Settings, *, as_json: bool = False) -> int:
    """`stats` on PostgreSQL: the server's size of the database and rows per table."""
    from db.migrate import current_version
    from db.store import open_database, row_counts, server_size_bytes

    db = await open_database(settings.database, pool_min_size=1, pool_max_size=1)
    try:
        version = await current_version(db)
        size = await server_size_bytes(db)
        tables = await row_counts(db)
    finally:
        await db.close()
    if as_json:
        _say(
            json.dumps(
                {
                    "database": settings.database.display,
                    "size_bytes": size,
                    "schema_version": version,
                    "tables": dict(tables),
                },
                indent=2,
            )
        )
        return 0
    _say(f"Database:        {settings.database.display}")
    _say(f"Size:            {format_size(size)} ({size} bytes)")
    _say(f"Schema version:  {version}")
    _say("Backups:         pg_dump's (see docs/postgresql.md)")
    _say("")
    _table_lines(tables)
    return 0


def _table_lines(tables: list[tuple[str, int]]) -> None:
    width = max([len(name) for name, _ in tables] + [5])
    _say(f"{'table'.ljust(width)}  {'rows':>12}")
    for name, rows in tables:
        _say(f"{name.ljust(width)}  {rows:>12,}")
    _say(f"{'total'.ljust(width)}  {sum(rows for _, rows in tables):>12,}")


async def _stats(settings: Settings, args: argparse.Namespace) -> int:
    if settings.database.dialect == "postgresql":
        return await pg_stats(settings, as_json=args.json)
    return await asyncio.to_thread(stats, settings, as_json=args.json)


#: The sub-commands this module adds to `python -m bot` (name → (help, configure the
#: parser, handler)); `bot.cli` reads it, so this module never imports the entry point.
COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "restore": (
        "replace the database with a backup (refused while the bot runs)",
        _configure_restore,
        _restore,
    ),
    "stats": ("row counts per table and database size", _configure_stats, _stats),
}
