"""`DATABASE_URL` parsing: both backends' forms, clear refusals, no password ever shown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.url import DatabaseUrl, DatabaseUrlError, parse_database_url


def test_sqlite_relative_and_absolute_paths() -> None:
    assert parse_database_url("sqlite:///data/entraide.db") == DatabaseUrl.sqlite(
        "data/entraide.db"
    )
    absolute = parse_database_url("sqlite:////srv/entraide/e.db")
    assert absolute.dialect == "sqlite" and absolute.path == Path("/srv/entraide/e.db")
    assert parse_database_url("sqlite:///:memory:").path == Path(":memory:")
    assert absolute.display == "SQLite /srv/entraide/e.db"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "POSTGRESQL"])
def test_postgresql_with_every_part(scheme: str) -> None:
    url = parse_database_url(f"{scheme}://bot:s3cret@db.example:6543/entraide?sslmode=require")
    assert (url.dialect, url.host, url.port, url.database, url.user, url.password) == (
        "postgresql",
        "db.example",
        6543,
        "entraide",
        "bot",
        "s3cret",
    )
    assert url.options == (("sslmode", "require"),)
    assert url.display == "PostgreSQL db.example:6543, database entraide"
    assert url.dsn() == "postgresql://bot:s3cret@db.example:6543/entraide?sslmode=require"


def test_postgresql_over_a_unix_socket() -> None:
    url = parse_database_url("postgresql://bot@/entraide?host=/run/postgresql")
    assert url.host is None and url.socket_dir == "/run/postgresql"
    assert url.display == "PostgreSQL /run/postgresql, database entraide"
    assert url.dsn() == "postgresql://bot@/entraide?host=%2Frun%2Fpostgresql"


def test_default_port_is_shown() -> None:
    assert parse_database_url("postgresql://h/d").display == "PostgreSQL h:5432, database d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data/entraide.db", "not a URL"),
        ("mysql://u:p@h/d", "unsupported scheme 'mysql'"),
        ("sqlite://", "three slashes"),
        ("sqlite:///", "three slashes"),
        ("postgresql://u:pw@h:99999/d", "port must be a number"),
        ("postgresql://u:pw@h/a/b", "one database"),
    ],
)
def test_bad_urls_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message) as caught:
        parse_database_url(text)
    assert "pw" not in str(caught.value)


_secret = st.text(min_size=4, max_size=30).filter(lambda s: s.strip() == s and s.isprintable())


@given(password=_secret, user=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True))
def test_the_password_never_appears_in_display_or_repr(password: str, user: str) -> None:
    text = f"postgresql://{user}:{quote(password, safe='')}@db.example:5432/entraide"
    url = parse_database_url(text)
    assert url.password == password
    # Nothing shown depends on the password (a plain `not in` would trip on "None").
    other = replace(url, password="x")
    assert url.display == other.display
    assert repr(url) == repr(other)
    assert "hunter22" not in repr(replace(url, password="hunter22"))
    assert parse_database_url(url.dsn()) == url  # the driver gets it back intact


def test_a_password_in_the_query_string_is_held_as_the_password() -> None:
    url = parse_database_url("postgresql://bot@db/entraide?password=hunter22&sslmode=require")
    assert url.password == "hunter22"
    assert url.options == (("sslmode", "require"),)
    assert "hunter22" not in url.display + repr(url)
    assert parse_database_url(url.dsn()) == url
