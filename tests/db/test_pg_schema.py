"""The PostgreSQL schema's shape against the SQLite schema `db.migrate.migrate` builds.

Every PostgreSQL file applied in order on a fresh database (tests/db/pg_stores.py), then
compared by introspection: tables, columns in order, types, NOT NULL, defaults, keys with
their partial predicates (the ON CONFLICT targets), indexes, foreign keys with their
ON DELETE, and the CHECK constraints that had to be rewritten (GLOB, json_valid).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from db.connection import Database
from db.migrate import MIGRATIONS_DIR
from tests.db import pg_stores
from tests.db.pg_stores import FTS, PG_DIR, Both, asyncpg, pg_sql

pytestmark = pytest.mark.sqlite_only(
    reason="`db` is the SQLite side of the comparison (PostgreSQL is the other)"
)

pg_uri, pg, both = pg_stores.pg_uri, pg_stores.pg, pg_stores.both

_DELETE_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL"}


# -- the schema, by introspection ----------------------------------------------------------


def _norm(text: str | None) -> str | None:
    """A default or an index predicate with PostgreSQL's casts and brackets taken out."""
    if text is None:
        return None
    out = re.sub(r"::[a-z ]+(\[\])?", "", text.lower())
    out = re.sub(r"= any \(array\[(.*?)\]\)", r"in (\1)", out)
    return re.sub(r"[()\s]", "", out)


async def _sqlite_tables(db: Database) -> list[str]:
    rows = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE ? ORDER BY name",
        (f"{FTS}%",),
    )
    return [r[0] for r in rows]


async def _pg_tables(pg: Any) -> list[str]:
    rows = await pg.fetch(
        "SELECT relname FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace AND relname <> $1 ORDER BY relname",
        FTS,
    )
    return [r[0] for r in rows]


async def test_every_sqlite_migration_has_its_postgresql_twin() -> None:
    lite = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    assert sorted(p.name for p in PG_DIR.glob("*.sql")) == lite


async def test_same_tables_and_columns(db: Database, pg: Any) -> None:
    tables = await _sqlite_tables(db)
    assert await _pg_tables(pg) == tables
    types = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}
    for table in tables:
        info = await db.fetch_all(f"PRAGMA table_info({table})")
        lite = [
            (r["name"], types[r["type"]], bool(r["notnull"] or r["pk"]), _norm(r["dflt_value"]))
            for r in info
        ]
        post = await pg.fetch(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum",
            table,
        )
        assert [(r[0], r[1], r[2], _norm(r[3])) for r in post] == lite, table


async def test_generated_ids_are_identities(db: Database, pg: Any) -> None:
    """A rowid `id` is generated (an identity); a key the code gives is a plain BIGINT.

    A new table with an INTEGER PRIMARY KEY must land on one side of this test.
    """
    generated, given = set(), set()
    for table in await _sqlite_tables(db):
        pk = [r for r in await db.fetch_all(f"PRAGMA table_info({table})") if r["pk"]]
        if len(pk) == 1 and pk[0]["type"] == "INTEGER" and not await _without_rowid(db, table):
            (generated if pk[0]["name"] == "id" else given).add((table, pk[0]["name"]))
    identities = await pg.fetch(
        "SELECT attrelid::regclass::text, attname FROM pg_attribute "
        "WHERE attidentity = 'd' AND attrelid::regclass::text NOT LIKE 'pg_%'"
    )
    assert {(r[0], r[1]) for r in identities} == generated
    assert given == {
        ("guild_settings", "guild_id"),
        ("members", "user_id"),
        ("earnings_prefs", "user_id"),
        ("digest_settings", "guild_id"),
        ("digest_members", "user_id"),
        ("intake_settings", "guild_id"),
        ("export_messages", "message_id"),
    }
    assert {t for t, _ in generated} >= {"task_alerts", "requesters", "reviews", "reports"}


async def _without_rowid(db: Database, table: str) -> bool:
    sql = await db.fetch_value("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
    return bool(re.search(r"WITHOUT\s+ROWID", sql, re.IGNORECASE))


async def _sqlite_indexes(db: Database, table: str) -> dict[str, tuple[Any, ...]]:
    """name → (unique, columns, predicate); a rowid alias key appears as `<table>_pkey`."""
    out: dict[str, tuple[Any, ...]] = {}
    pk = [
        r["name"]
        for r in sorted(await db.fetch_all(f"PRAGMA table_info({table})"), key=lambda r: r["pk"])
        if r["pk"]
    ]
    if pk:
        out[f"{table}_pkey"] = (True, tuple(pk), None)
    for index in await db.fetch_all(f"PRAGMA index_list({table})"):
        if index["origin"] == "pk":
            continue
        columns = tuple(r["name"] for r in await db.fetch_all(f"PRAGMA index_info({index[1]})"))
        sql = await db.fetch_value("SELECT sql FROM sqlite_master WHERE name = ?", (index[1],))
        where = re.search(r"\bWHERE\b(.*)$", sql or "", re.IGNORECASE | re.DOTALL)
        name = index[1] if sql else f"{table}_{'_'.join(columns)}_key"  # UNIQUE column
        out[name] = (bool(index["unique"]), columns, _norm(where.group(1) if where else None))
    return out


async def _pg_indexes(pg: Any, table: str) -> dict[str, tuple[Any, ...]]:
    rows = await pg.fetch(
        "SELECT c.relname, i.indisunique, ARRAY(SELECT a.attname FROM "
        "unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, ord) JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.ord), "
        "pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass",
        table,
    )
    return {r[0]: (r[1], tuple(r[2]), _norm(r[3])) for r in rows}


async def test_same_keys_and_indexes(db: Database, pg: Any) -> None:
    """Unique keys (ON CONFLICT targets) exactly; ordinary indexes may add the id.

    A SQLite index ends with the rowid implicitly; where a query orders by id inside the
    index (task_alerts_guild), the PostgreSQL index spells the id out.
    """
    for table in await _sqlite_tables(db):
        lite, post = await _sqlite_indexes(db, table), await _pg_indexes(pg, table)
        assert set(post) == set(lite), table
        for name, (unique, columns, predicate) in lite.items():
            got = post[name]
            assert (got[0], got[2]) == (unique, predicate), name
            assert got[1] == columns or (not unique and got[1] == (*columns, "id")), name


async def test_same_foreign_keys(db: Database, pg: Any) -> None:
    lite = set()
    for table in await _sqlite_tables(db):
        for r in await db.fetch_all(f"PRAGMA foreign_key_list({table})"):
            lite.add((table, r["from"], r["table"], r["to"], r["on_delete"]))
    rows = await pg.fetch(
        "SELECT conrelid::regclass::text, a.attname, confrelid::regclass::text, f.attname, "
        "confdeltype FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
        "WHERE contype = 'f' AND conrelid::regclass::text <> $1",
        FTS,
    )
    post = {(r[0], r[1], r[2], r[3], _DELETE_RULES[r[4].decode()]) for r in rows}
    assert post == lite
    assert ("task_sightings", "alert_id", "task_alerts", "id", "CASCADE") in post


async def test_same_number_of_checks_per_table(db: Database, pg: Any) -> None:
    """No CHECK was forgotten: rewritten ones are tested by the values they refuse below."""
    for table in await _sqlite_tables(db):
        sql = await db.fetch_value("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
        lite = len(re.findall(r"\bCHECK\s*\(", sql, re.IGNORECASE))
        post = await pg.fetchval(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'",
            table,
        )
        assert post == lite, table


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
            "created_at, updated_at) VALUES (?, 1, 1, 1, ?, 0, 0)",
            ("Requester", '{"pay": 4}'),
        ),
        (
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
            "created_at, updated_at) VALUES (?, 1, 1, 1, ?, 0, 0)",
            ("1kind", '{"pay": 4}'),
        ),
        (
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
            "created_at, updated_at) VALUES (?, 1, 1, 1, ?, 0, 0)",
            ("requester", "[4]"),
        ),
        (
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
            "created_at, updated_at) VALUES (?, 1, 1, 1, ?, 0, 0)",
            ("requester", "{pay"),
        ),
        (
            "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, detail, "
            "created_at) VALUES (1, 1, 'x', 'y', 1, ?, 0)",
            ("[]",),
        ),
        (
            "INSERT INTO earnings (user_id, number, uid, kind, reason, minutes, work_date, "
            "created_at, updated_at) VALUES (1, 1, 'u', 'unpaid', 'other', 5, ?, 0, 0)",
            ("2026-1-01",),
        ),
        ("INSERT INTO platforms (key, name, created_at) VALUES (?, 'X', 0)", ("Upper",)),
        (
            "INSERT INTO guild_settings (guild_id, currency, created_at, updated_at) "
            "VALUES (1, ?, 0, 0)",
            ("EURO",),
        ),
    ],
)
async def test_rewritten_checks_refuse_the_same_values(
    db: Database, pg: Any, sql: str, params: tuple[Any, ...]
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(sql, params)
    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        async with pg.transaction():
            await pg.execute(pg_sql(sql), *params)


async def test_checks_accept_good_values_and_platform_ids_continue(both: Both) -> None:
    await both.run(
        "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
        "created_at, updated_at) VALUES ('requester', 1, 1, 1, '{\"pay\": 4}', 0, 0)"
    )
    await both.run(
        "INSERT INTO earnings (user_id, number, uid, kind, reason, minutes, work_date, "
        "created_at, updated_at) VALUES (1, 1, 'u', 'unpaid', 'other', 5, '2026-11-26', 0, 0)"
    )
    await both.run("INSERT INTO platforms (key, name, created_at) VALUES ('newp', 'New', 0)")
    lite, post = await both.rows("SELECT id FROM platforms WHERE key = 'newp'")
    # After the six built-ins; a sequence may skip a number a refused insert took.
    assert lite == [(7,)] and post[0][0] >= 7
