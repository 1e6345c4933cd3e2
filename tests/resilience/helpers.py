"""Helpers shared by the resilience tests: child processes and database snapshots."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class Child:
    """A real child process (`python -m module args…`) whose output is read line by line.

    Reader threads drain stdout and stderr so the child never blocks on a full pipe and
    the test can wait for a given line without fighting Python's buffering.
    """

    def __init__(self, module: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(
                target=self._pump, args=(self.process.stdout, self.lines), daemon=True
            ),
            threading.Thread(
                target=self._pump, args=(self.process.stderr, self.errors), daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._changed:
                into.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float = 60) -> list[str]:
        """Block until `done(lines so far)` holds; fail if the child dies or stalls first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self.lines):
                if self.process.poll() is not None and not self._threads[0].is_alive():
                    raise AssertionError(
                        f"child exited ({self.process.returncode}) first; stdout tail "
                        f"{self.lines[-5:]}, stderr tail {self.stderr[-3000:]}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"child never got there; stdout tail {self.lines[-5:]}")
                self._changed.wait(timeout=min(left, 0.5))
            return list(self.lines)

    def send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 60) -> int:
        """Wait for the child to exit and for its output to be read; return the exit code."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise
        for thread in self._threads:
            thread.join(timeout=10)
        return code

    @property
    def stderr(self) -> str:
        return "\n".join(self.errors)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


class ErrorRecords(logging.Handler):
    """Keeps every ERROR record logged while it is installed: a hostile input must never
    leave one (a traceback in the log is a crash the member did not see)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def table_names(conn: sqlite3.Connection, *, virtual: bool = True) -> list[str]:
    """The database's own tables by name (not SQLite's); `virtual=False` leaves out the
    full-text tables (their rows live in shadow tables)."""
    where = "type = 'table' AND name NOT LIKE 'sqlite_%'"
    if not virtual:
        where += " AND sql NOT LIKE 'CREATE VIRTUAL%'"
    return [
        row[0]
        for row in conn.execute(f"SELECT name FROM sqlite_master WHERE {where} ORDER BY name")
    ]


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order: what "nothing changed" compares."""
    conn = sqlite3.connect(path)
    try:
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in table_names(conn)
        }
    finally:
        conn.close()
