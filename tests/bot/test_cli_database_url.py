"""`python -m bot` with a DATABASE_URL: the backend shown, PostgreSQL's own tools named for
backups, and an unreachable server explained in one line without its password."""

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path

import asyncpg

from db.migrate import PG_MIGRATIONS_DIR
from db.url import DatabaseUrl
from tests.bot.test_cli import run_cli

UNREACHABLE = "postgresql://bot:hunter22@127.0.0.1:1/entraide"


def test_check_shows_the_sqlite_file_of_a_sqlite_url(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_URL": "sqlite:///data/c.db"})
    assert result.returncode == 0, result.stderr
    assert f"database:        SQLite {tmp_path.resolve() / 'data' / 'c.db'}" in result.stdout
    assert (tmp_path / "data" / "c.db").exists()


def test_an_unreachable_postgresql_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_URL": UNREACHABLE})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "the database did not answer" in lines[0]
    assert "PostgreSQL 127.0.0.1:1, database entraide" in lines[0]
    assert "hunter22" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_backup_and_restore_point_to_pg_dump(tmp_path: Path) -> None:
    for args in (("backup", str(tmp_path / "b.db")), ("restore", str(tmp_path / "b.db"))):
        result = run_cli(*args, cwd=tmp_path, env={"DATABASE_URL": UNREACHABLE})
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0
        assert "pg_dump" in result.stderr and "pg_restore" in result.stderr
        assert "hunter22" not in result.stderr


def test_check_on_postgresql(tmp_path: Path, pg_empty_url: DatabaseUrl) -> None:
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_URL": pg_empty_url.dsn()})
    if PG_MIGRATIONS_DIR.is_dir():  # the schema has landed: check migrates and summarises
        assert result.returncode == 0, result.stderr
        assert f"database:        {pg_empty_url.display}" in result.stdout
    else:
        assert result.returncode == 2
        assert "no PostgreSQL schema" in result.stderr
    assert "Traceback" not in result.stderr


def test_stats_on_postgresql_asks_the_server(tmp_path: Path, pg_empty_url: DatabaseUrl) -> None:
    async def fill() -> None:
        conn = await asyncpg.connect(pg_empty_url.dsn())
        try:
            await conn.execute("CREATE TABLE things (id int); INSERT INTO things VALUES (1), (2)")
        finally:
            await conn.close()

    asyncio.run(fill())
    env = {"DATABASE_URL": pg_empty_url.dsn()}
    result = run_cli("stats", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert f"Database:        {pg_empty_url.display}" in result.stdout
    assert "pg_dump" in result.stdout
    assert re.search(r"^things\s+2$", result.stdout, re.MULTILINE), result.stdout
    as_json = json.loads(run_cli("stats", "--json", cwd=tmp_path, env=env).stdout)
    assert as_json["tables"] == {"things": 2} and as_json["schema_version"] == 0


def test_a_database_that_does_not_exist_is_one_line(
    tmp_path: Path, pg_empty_url: DatabaseUrl
) -> None:
    missing = replace(pg_empty_url, database="no_such_db")
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_URL": missing.dsn()})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f'python -m bot check: {missing.display} refused the connection: database "no_such_db" '
        "does not exist. Check DATABASE_URL."
    )


def test_some_shards_on_a_shared_postgresql_store_need_no_warning() -> None:
    from bot.cli import _shards_line
    from bot.settings import Settings

    def line(**values: object) -> str:
        return _shards_line(Settings(_env_file=None, shard_count=2, shard_ids="1", **values))  # type: ignore[call-arg]

    assert line(database_url="postgresql://bot:pw@db/entraide") == "shard 1 of 2"
    assert "WARNING" in line(database_url="sqlite:///data/e.db")
