"""`Sql` carries two texts; each connection reads its own, and plain strings are shared."""

from __future__ import annotations

from db.connection import Database
from db.dialect import POSTGRESQL, SQLITE, Sql, text_for


def test_a_plain_statement_is_the_same_on_both() -> None:
    assert text_for("SELECT 1", SQLITE) == "SELECT 1"
    assert text_for("SELECT 1", POSTGRESQL) == "SELECT 1"


def test_each_dialect_reads_its_own_text() -> None:
    stmt = Sql("SELECT max(?, 1)", postgresql="SELECT greatest($1, 1)")
    assert text_for(stmt, SQLITE) == "SELECT max(?, 1)"
    assert text_for(stmt, POSTGRESQL) == "SELECT greatest($1, 1)"


def test_appending_a_clause_appends_to_both_texts() -> None:
    stmt = Sql("SELECT a FROM t", postgresql="SELECT b FROM t") + " WHERE x = ?"
    assert isinstance(stmt, Sql)
    assert text_for(stmt, SQLITE) == "SELECT a FROM t WHERE x = ?"
    assert text_for(stmt, POSTGRESQL) == "SELECT b FROM t WHERE x = ?"
    both = stmt + Sql(" LIMIT 1", postgresql=" FETCH FIRST 1 ROW ONLY")
    assert text_for(both, POSTGRESQL).endswith("WHERE x = ? FETCH FIRST 1 ROW ONLY")
    assert text_for(both, SQLITE).endswith("WHERE x = ? LIMIT 1")
    prefixed = "WITH c AS (SELECT 1) " + stmt
    assert isinstance(prefixed, Sql)
    assert text_for(prefixed, POSTGRESQL) == "WITH c AS (SELECT 1) SELECT b FROM t WHERE x = ?"


async def test_sqlite_runs_the_sqlite_text(db: Database) -> None:
    stmt = Sql("SELECT max(?, 1)", postgresql="SELECT greatest(?, 1)")
    assert await db.fetch_value(stmt, (5,)) == 5
    async with db.transaction() as tx, tx.execute(stmt, (0,)) as cursor:
        assert (await cursor.fetchone())[0] == 1


def test_postgresql_translation_reads_the_twin_not_the_equal_sqlite_text() -> None:
    from db.postgres.sql import translate

    plain = "SELECT max(?, 1)"
    twin = Sql(plain, postgresql="SELECT greatest(?::bigint, 1)")
    assert translate(plain).sql == "SELECT max($1, 1)"
    assert translate(twin).sql == "SELECT greatest($1::bigint, 1)"
    assert translate(plain).sql == "SELECT max($1, 1)"  # the cache did not mix them up
