"""A SQLite store with rows in every table, for the copy-store tests.

The benchmark's generator fills the large tables with realistic rows (full-text index
and `earnings_daily` included); every table it leaves empty then gets rows built from
the schema itself (NOT NULL columns, CHECK choices, a parent row for each foreign key),
so a table added later is filled without anyone listing it here. A few rows carry
values a copy gets wrong first: the largest integers, text with quotes, newlines and
several scripts, a requester merged into one with a larger id.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from bench.datagen import generate
from bench.sizes import QUICK
from tests.db.test_migrations import _plausible

TINY = dataclasses.replace(
    QUICK,
    name="copy-store",
    tasks=300,
    subscriptions=20,
    earnings=300,
    member_entries=60,
    guilds=3,
    members=40,
    requesters=40,
)
BIG = 2**63 - 1
AWKWARD_TEXT = "Études « café » — 日本語 'quoted' \"double\" back\\slash\nnew line\ttab 🙂"


def user_tables(conn: sqlite3.Connection) -> list[str]:
    return sorted(
        row[1]
        for row in conn.execute("PRAGMA table_list")
        if row[0] == "main" and row[2] == "table" and not row[1].startswith("sqlite_")
    )


def _value(table: str, name: str, decl: str, schema: str, n: int) -> object:
    """A value the column's CHECK constraints are likely to accept (row `n` of the table)."""
    if "INT" in decl.upper() and name.endswith("_id"):
        return BIG - n  # snowflakes and ids at the top of the 64-bit range
    if "INT" in decl.upper() and name.endswith("_at"):
        return 1_700_000_000 + n
    if "date" in name or name.endswith("_day"):
        return f"2026-11-{10 + n:02d}"
    if "period" in name:
        return f"2026-W{10 + n:02d}"
    if any(word in name for word in ("scores", "detail", "hidden_sections")):
        return "{}"
    if any(word in name for word in ("evidence", "seen_by", "keywords", "qualifications")):
        return "[]"
    value = _plausible(name, decl, schema)
    return f"{table} {name} {n}" if value == "x" else value


def fill_empty_tables(conn: sqlite3.Connection) -> list[str]:
    """Give each empty table rows from its schema; return the tables still empty."""
    for _ in range(3):
        for table in user_tables(conn):
            if conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]:
                continue
            schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
            sql = schema.fetchone()[0]
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            fks = {
                fk[3]: (fk[2], fk[4]) for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")')
            }
            keys = [column for column in info if column[5]]
            rowid_alias = (
                len(keys) == 1 and keys[0][2].upper() == "INTEGER" and "WITHOUT ROWID" not in sql
            )
            for n in range(2):
                row: dict[str, object] = {}
                for _cid, name, decl, notnull, default, pk in info:
                    pk = pk and rowid_alias
                    if name in fks:
                        parent, key = fks[name]
                        found = (
                            conn.execute(
                                f'SELECT "{key or "rowid"}" FROM "{parent}" LIMIT 1 OFFSET ?', (n,)
                            ).fetchone()
                            or conn.execute(
                                f'SELECT "{key or "rowid"}" FROM "{parent}" LIMIT 1'
                            ).fetchone()
                        )
                        if found is not None:
                            row[name] = found[0]
                    elif notnull and default is None and not pk:
                        row[name] = _value(table, name, decl, sql, n)
                    elif default is None and not pk:
                        row[name] = _value(table, name, decl, sql, n) if n else None
                names = ", ".join(f'"{c}"' for c in row)
                marks = ", ".join("?" * len(row))
                try:
                    conn.execute(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(row.values())
                    )
                except sqlite3.Error:
                    continue
    return [
        t
        for t in user_tables(conn)
        if not conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
    ]


def awkward_rows(conn: sqlite3.Connection) -> None:
    """Values a careless copy would change: many scripts, quotes, a forward self-reference."""
    first, last = conn.execute("SELECT min(id), max(id) FROM task_alerts").fetchone()
    conn.execute(
        "UPDATE task_alerts SET title = ?, requester_name = ? WHERE id = ?",
        (AWKWARD_TEXT, "Café Lab", first),
    )
    conn.execute("UPDATE task_alerts SET requester_name = NULL WHERE id = ?", (last,))
    low, high = conn.execute("SELECT min(id), max(id) FROM requesters").fetchone()
    conn.execute("UPDATE requesters SET merged_into_id = ? WHERE id = ?", (high, low))


def build(path: Path) -> list[str]:
    generate(path, TINY, 7)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        empty = fill_empty_tables(conn)
        awkward_rows(conn)
        conn.execute("COMMIT")
        return empty
    finally:
        conn.close()
