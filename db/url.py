"""`DATABASE_URL` parsed into a typed value: which backend, where, and how to show it.

Kept discord-free in `db/` so the settings, the CLI and the database factory read one
parser. The password is held apart from everything that is printed: `display` (used by
`/about`, `python -m bot check` and error messages) never contains it.

Accepted forms:
- `sqlite:///relative/path.db` (relative to the working directory),
  `sqlite:////absolute/path.db`, `sqlite:///:memory:`;
- `postgresql://user:password@host:port/database` (also `postgres://`), with an optional
  `?host=/socket/dir` for a unix socket and other libpq options in the query string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

Dialect = Literal["sqlite", "postgresql"]

DEFAULT_PG_PORT = 5432
_PG_SCHEMES = ("postgresql", "postgres")


class DatabaseUrlError(ValueError):
    """A `DATABASE_URL` that cannot be used; the message says what a good one looks like."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """Where the store lives. Built by `parse_database_url` or `DatabaseUrl.sqlite`."""

    dialect: Dialect
    #: The SQLite file (None on PostgreSQL).
    path: Path | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    user: str | None = None
    #: Never printed: `repr` hides it and `display` leaves it out.
    password: str | None = field(default=None, repr=False)
    #: Extra libpq options from the query string (`host` for a socket directory included).
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def sqlite(cls, path: Path | str) -> DatabaseUrl:
        return cls(dialect="sqlite", path=Path(path))

    @property
    def socket_dir(self) -> str | None:
        """The unix-socket directory (`?host=/dir`, or a host that is a path)."""
        for key, value in self.options:
            if key == "host" and value.startswith("/"):
                return value
        return self.host if self.host and self.host.startswith("/") else None

    @property
    def display(self) -> str:
        """Safe to print: the SQLite path, or host/port and database (no user, no password)."""
        if self.dialect == "sqlite":
            return f"SQLite {self.path}"
        where = self.socket_dir or f"{self.host or 'localhost'}:{self.port or DEFAULT_PG_PORT}"
        return f"PostgreSQL {where}, database {self.database or self.user or '-'}"

    def dsn(self) -> str:
        """The connection string for the driver (contains the password: never print it)."""
        if self.dialect != "postgresql":
            msg = "only a PostgreSQL URL has a DSN"
            raise DatabaseUrlError(msg)
        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        host = self.host or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        port = f":{self.port}" if self.port else ""
        database = quote(self.database, safe="") if self.database else ""
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"postgresql://{auth}{host}{port}/{database}{query}"


_EXAMPLES = (
    "use sqlite:///data/entraide.db (relative), sqlite:////srv/entraide.db (absolute) "
    "or postgresql://user:password@host:5432/entraide"
)


def parse_database_url(text: str) -> DatabaseUrl:
    """Parse a `DATABASE_URL`; a bad one raises `DatabaseUrlError` (never echoing a password)."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep:
        msg = f"not a URL; {_EXAMPLES}"
        raise DatabaseUrlError(msg)
    if scheme == "sqlite":
        return _parse_sqlite(rest)
    if scheme in _PG_SCHEMES:
        return _parse_postgresql(text)
    msg = f"unsupported scheme {scheme!r}; {_EXAMPLES}"
    raise DatabaseUrlError(msg)


def _parse_sqlite(rest: str) -> DatabaseUrl:
    # sqlite:///relative.db → rest "/relative.db"; sqlite:////abs.db → rest "//abs.db".
    if not rest.startswith("/") or rest == "/":
        msg = f"a SQLite URL needs three slashes and a file name; {_EXAMPLES}"
        raise DatabaseUrlError(msg)
    path = unquote(rest[1:].split("?", 1)[0])
    if not path:
        msg = f"a SQLite URL needs a file name; {_EXAMPLES}"
        raise DatabaseUrlError(msg)
    return DatabaseUrl.sqlite(path)


def _parse_postgresql(text: str) -> DatabaseUrl:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        msg = "the PostgreSQL URL's port must be a number between 1 and 65535"
        raise DatabaseUrlError(msg) from None
    options = tuple(parse_qsl(parts.query, keep_blank_values=True))
    # A password given as `?password=…` is held like one in the user part (never shown).
    query_password = next((value for key, value in options if key == "password"), None)
    options = tuple((key, value) for key, value in options if key != "password")
    database = unquote(parts.path.lstrip("/")) or None
    if database and "/" in database:
        msg = f"the PostgreSQL URL names one database after the host; {_EXAMPLES}"
        raise DatabaseUrlError(msg)
    host = unquote(parts.hostname) if parts.hostname else None
    return DatabaseUrl(
        dialect="postgresql",
        host=host,
        port=port,
        database=database,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else query_password or None,
        options=options,
    )
