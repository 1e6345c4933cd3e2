"""A statement whose text differs between SQLite and PostgreSQL, written side by side.

Most of Entraide's SQL runs unchanged on both stores. Where it cannot (full-text search,
JSON arrays, date arithmetic, upserts on partial indexes), a repository module declares
the two texts together as one `Sql` value, next to where it is used, instead of `if`
branches on the backend scattered through the code:

    _SEARCH = Sql(
        "SELECT ... WHERE task_alerts_fts MATCH ?",
        postgresql="SELECT ... WHERE search_vector @@ to_tsquery('simple', ?)",
    )

`Sql` is a `str` whose value is the SQLite text, so the SQLite connection (and aiosqlite's
transaction cursors) take it as they take any statement; the PostgreSQL connection reads
`.postgresql` through `text_for`. A plain `str` is the same text on both.
"""

from __future__ import annotations

#: The two dialects a store can speak; `Database.dialect` is one of these.
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Sql(str):
    """SQLite text (the string itself) with the PostgreSQL text beside it."""

    postgresql: str

    def __new__(cls, sqlite: str, *, postgresql: str) -> Sql:
        self = super().__new__(cls, sqlite)
        self.postgresql = postgresql
        return self

    def __add__(self, other: str) -> Sql:  # type: ignore[override]
        """`Sql + str` appends to both texts, as repositories append clauses to a base."""
        return Sql(
            str.__add__(self, other), postgresql=self.postgresql + text_for(other, POSTGRESQL)
        )

    def __radd__(self, other: str) -> Sql:
        """`str + Sql` prepends to both texts.

        An f-string or `.format` gives a plain `str` holding only the SQLite text: build
        dialect texts with `+` or two `Sql` values.
        """
        return Sql(
            str.__add__(other, self), postgresql=text_for(other, POSTGRESQL) + self.postgresql
        )


def text_for(sql: str, dialect: str) -> str:
    """The text of `sql` in `dialect`: its PostgreSQL twin if it has one, else itself."""
    if dialect == POSTGRESQL and isinstance(sql, Sql):
        return sql.postgresql
    return str(sql)
