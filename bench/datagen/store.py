"""Building the file: schema from the bot's migrations, tables filled in order with their
indexes dropped and rebuilt, the cache of built stores, and the child-process entry point.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.datagen.community import (
    fill_guilds,
    fill_members,
    fill_reports,
    fill_requesters,
    fill_reviews,
    fill_subscriptions,
)
from bench.datagen.generator import Generator
from bench.datagen.money import fill_digest_settings, fill_earnings, fill_earnings_sharing
from bench.datagen.tasks import (
    fill_task_alerts,
    fill_task_reports,
    fill_task_sightings,
    fill_task_votes,
)
from bench.sizes import FULL, QUICK, Sizes
from db.connection import Database
from db.migrate import MIGRATIONS_DIR, migrate

FILLERS: list[tuple[str, Callable[[Generator], None]]] = [
    ("guild_settings", fill_guilds),
    ("members", fill_members),
    ("requesters", fill_requesters),
    ("reviews", fill_reviews),
    ("reports", fill_reports),
    ("task_alerts", fill_task_alerts),
    ("task_votes", fill_task_votes),
    ("task_reports", fill_task_reports),
    ("task_sightings", fill_task_sightings),
    ("alert_subscriptions", fill_subscriptions),
    ("earnings", fill_earnings),
    ("earnings_sharing", fill_earnings_sharing),
    ("digest_settings", fill_digest_settings),
]


# -- building the file ----------------------------------------------------------------------


async def _create_schema(path: Path) -> None:
    database = await Database.open(path)
    try:
        await migrate(database)
    finally:
        await database.close()


def generate(path: Path, sizes: Sizes, seed: int) -> dict[str, int]:
    """Write a fresh store at `path`; return the row count of each table filled."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA foreign_keys = OFF")
    g = Generator(conn, random.Random(seed), sizes)
    for table, filler in FILLERS:
        if not g.has_table(table):
            continue
        started = time.perf_counter()
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        # Full-text indexes kept by triggers are rebuilt in one pass instead of per row.
        fts = _fts_tables_of(conn, table)
        triggers = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                (table,),
            ).fetchall()
            if any(f in sql for f in fts)
        ]
        conn.execute("BEGIN")
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        filler(g)
        for _, sql in indexes:
            conn.execute(sql)
        for _, sql in triggers:
            conn.execute(sql)
        for name in fts:
            conn.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
        conn.execute("COMMIT")
        took = time.perf_counter() - started
        print(f"  {table:<28} {g.counts.get(table, 0):>10,} rows  {took:6.1f} s", flush=True)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        msg = f"generated data breaks {len(problems)} foreign keys, e.g. {problems[:3]}"
        raise RuntimeError(msg)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return g.counts


def _fts_tables_of(conn: sqlite3.Connection, table: str) -> list[str]:
    """External-content FTS5 tables whose content is `table`."""
    found = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    ).fetchall():
        compact = "".join(sql.split()).lower()
        if "usingfts5" in compact and (
            f"content='{table}'" in compact or f'content="{table}"' in compact
        ):
            found.append(name)
    return found


def cache_key(sizes: Sizes, seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(repr((sizes, seed)).encode())
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.read_bytes())
    here = Path(__file__).parent
    for source in [*sorted(here.glob("*.py")), here.parent / "world.py"]:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "entraide-bench"


def ensure_store(sizes: Sizes, seed: int, *, fresh: bool = False) -> tuple[Path, bool]:
    """The generated store for these sizes, built (in a child process) if not cached."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"store-{sizes.name}-{cache_key(sizes, seed)}.db"
    done = path.with_suffix(".done")
    if done.exists() and path.exists() and not fresh:
        return path, True
    done.unlink(missing_ok=True)
    for stale in folder.glob(f"store-{sizes.name}-*"):
        stale.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.datagen",
            "--sizes",
            sizes.name,
            "--seed",
            str(seed),
            "--out",
            str(path),
        ],
        check=True,
    )
    done.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))
    return path, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark's community store.")
    parser.add_argument("--sizes", choices=("full", "quick"), default="quick")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    sizes = FULL if args.sizes == "full" else QUICK
    started = time.perf_counter()
    counts = generate(args.out, sizes, args.seed)
    size_mb = args.out.stat().st_size / 1024 / 1024
    print(
        f"  generated {sum(counts.values()):,} rows, {size_mb:,.1f} MiB "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
