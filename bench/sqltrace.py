"""See exactly what SQL the real code runs, and count the thread hops it costs.

The benchmark's raw-sqlite baseline and the query-plan test must not drift from the code
they judge, so neither copies SQL out of `db/`: both record the statements the bot's own
repository calls send through aiosqlite, with their parameters, and use that recording.

`SqlRecorder.attach(database)` swaps the sqlite3 connection inside the aiosqlite wrapper
for a thin proxy that notes every `execute`/`executemany`/`commit`/`rollback` (on the
worker thread, in the order SQLite sees them), and wraps the wrapper's `_execute` to count
hops: every call that crosses to aiosqlite's thread, cursor closes included.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.connection import Database


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing the connection was asked to do, in order."""

    kind: str  # execute | executemany | script | commit | rollback
    sql: str
    params: Any
    label: str


class _Recording:
    """Forwards everything to a real sqlite3 object, noting the statements it runs."""

    __slots__ = ("_real", "_recorder")

    def __init__(self, real: Any, recorder: SqlRecorder) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_recorder", recorder)

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        self._recorder.note("execute", sql, parameters)
        return self._real.execute(sql, parameters)

    def executemany(self, sql: str, seq: Iterable[Any]) -> sqlite3.Cursor:
        rows = list(seq)
        self._recorder.note("executemany", sql, rows)
        return self._real.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)


class _RecordingConnection(_Recording):
    """The connection: scripts, cursors and transaction ends are noted too."""

    __slots__ = ()

    def executescript(self, script: str) -> sqlite3.Cursor:
        self._recorder.note("script", script, ())
        return self._real.executescript(script)

    def cursor(self, *args: Any) -> _RecordingCursor:
        return _RecordingCursor(self._real.cursor(*args), self._recorder)

    def commit(self) -> None:
        if self._real.in_transaction:
            self._recorder.note("commit", "COMMIT", ())
        self._real.commit()

    def rollback(self) -> None:
        if self._real.in_transaction:
            self._recorder.note("rollback", "ROLLBACK", ())
        self._real.rollback()


class _RecordingCursor(_Recording):
    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._real)


@dataclass
class SqlRecorder:
    """Records statements and counts aiosqlite hops for one `Database`."""

    statements: list[Statement] = field(default_factory=list)
    hops: int = 0
    label: str = ""
    recording: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _database: Database | None = field(default=None, repr=False)
    _original_execute: Any = field(default=None, repr=False)

    def note(self, kind: str, sql: str, params: Any) -> None:
        if self.recording:
            with self._lock:
                self.statements.append(Statement(kind, sql, params, self.label))

    @classmethod
    def attach(cls, database: Database) -> SqlRecorder:
        recorder = cls()
        conn = database.conn
        real = conn._conn
        conn._connection = _RecordingConnection(real, recorder)  # type: ignore[assignment]
        original = conn._execute

        async def counting_execute(fn: Any, *args: Any, **kwargs: Any) -> Any:
            recorder.hops += 1
            return await original(fn, *args, **kwargs)

        conn._execute = counting_execute  # type: ignore[method-assign]
        recorder._database = database
        recorder._original_execute = original
        return recorder

    def detach(self) -> None:
        """Give the database its plain connection back (before closing it, say)."""
        database = self._database
        if database is None:
            return
        conn = database.conn
        if isinstance(conn._connection, _RecordingConnection):
            conn._connection = conn._connection._real
        conn._execute = self._original_execute  # type: ignore[method-assign]
        self._database = None

    def clear(self) -> None:
        with self._lock:
            self.statements.clear()
        self.hops = 0

    @contextmanager
    def labelled(self, label: str) -> Iterator[list[Statement]]:
        """Collect what runs inside the block under `label` (run one path at a time)."""
        start = len(self.statements)
        previous, self.label = self.label, label
        collected: list[Statement] = []
        try:
            yield collected
        finally:
            self.label = previous
            collected.extend(self.statements[start:])

    def queries(self, label: str | None = None) -> list[Statement]:
        """The data statements (no BEGIN/COMMIT/PRAGMA), optionally of one label."""
        return [
            s
            for s in self.statements
            if s.kind in ("execute", "executemany")
            and (label is None or s.label == label)
            and not _CONTROL.match(s.sql)
        ]


_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.I)


# -- replaying a recording with the standard module -----------------------------------------


def open_raw(path: Path, busy_timeout_ms: int = 5000) -> sqlite3.Connection:
    """A stdlib connection configured exactly like `Database.open` configures the bot's."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def replay(conn: sqlite3.Connection, statements: Sequence[Statement]) -> float:
    """Run the recorded statements in order, in this thread; return the seconds taken.

    Results are fetched as the bot fetches them (rows as `sqlite3.Row`), and COMMIT and
    ROLLBACK happen where the real code did them, so the baseline does the same work
    minus the thread hops and the Python around them.
    """
    start = time.perf_counter()
    for statement in statements:
        if statement.kind == "execute":
            conn.execute(statement.sql, statement.params).fetchall()
        elif statement.kind == "executemany":
            conn.executemany(statement.sql, statement.params)
        elif statement.kind == "commit":
            conn.commit()
        elif statement.kind == "rollback":
            conn.rollback()
        elif statement.kind == "script":
            conn.executescript(statement.sql)
    return time.perf_counter() - start


# -- query plans ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanProblem:
    sql: str
    detail: str

    def __str__(self) -> str:
        return f"{self.detail}\n    in: {' '.join(self.sql.split())[:300]}"


_SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: AS \w+)?(.*)$")


def query_plan(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[str]:
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [str(row[3]) for row in rows]


def plan_problems(
    conn: sqlite3.Connection, statements: Iterable[Statement], large_tables: Iterable[str]
) -> list[PlanProblem]:
    """Full scans of large tables in these statements' plans.

    `SCAN big` reads every row. `SCAN big USING [COVERING] INDEX i` walks a whole index,
    which is only acceptable when the statement stops early (`LIMIT`), as in
    "newest first, ten of them".
    """
    large = {t.lower() for t in large_tables}
    problems: list[PlanProblem] = []
    seen: set[str] = set()
    for statement in statements:
        if statement.kind not in ("execute", "executemany") or _CONTROL.match(statement.sql):
            continue
        params = statement.params
        if statement.kind == "executemany":
            if not params:
                continue
            params = params[0]
        key = statement.sql
        if key in seen:
            continue
        seen.add(key)
        for detail in query_plan(conn, statement.sql, params):
            match = _SCAN.match(detail)
            if not match or match.group(1).lower() not in large:
                continue
            uses_index = "USING" in match.group(2)
            has_limit = re.search(r"\bLIMIT\b", statement.sql, re.I) is not None
            if uses_index and has_limit:
                continue
            problems.append(PlanProblem(statement.sql, detail))
    return problems


def table_counts(conn: sqlite3.Connection) -> Counter[str]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return Counter(
        {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    )
