"""The database as a file: backups, restores, inspection, and the running bot's lock.

These functions are synchronous and use their own `sqlite3` connections: the scheduled
backup runs them in a thread (`asyncio.to_thread`), so the bot's own connection keeps
serving members while a large database is copied, and the command line uses them
without starting an event loop. In WAL mode a reader never blocks the writer, so a
backup taken this way is a consistent snapshot of a live database.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

try:  # POSIX only; on other systems the lock is advisory-free (documented in docs/setup.md)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: `PRAGMA application_id` of an Entraide database ("Entr"), set by migration 0005.
APPLICATION_ID = 0x456E7472
SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every Entraide database has had since its first migration.
FOUNDATION_TABLES = frozenset({"guild_settings", "members", "requesters"})

BACKUP_PREFIX = "entraide-"
_BACKUP_NAME = re.compile(r"^entraide-(\d{8}T\d{6}Z)\.db$")
_STAMP = "%Y%m%dT%H%M%SZ"


class DatabaseFileError(Exception):
    """A problem with a database file; the message is meant for the operator."""


# -- looking at a database file -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    path: Path
    schema_version: int
    application_id: int
    size_bytes: int
    page_size: int
    page_count: int
    freelist_count: int
    tables: tuple[tuple[str, int], ...]  # (name, rows), by name

    @property
    def table_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.tables)

    @property
    def is_entraide(self) -> bool:
        """Ours: marked by migration 0005, or an older one with the foundation tables."""
        if self.application_id == APPLICATION_ID:
            return True
        return self.application_id == 0 and self.table_names >= FOUNDATION_TABLES


def file_size(path: Path) -> int:
    """The main file plus its write-ahead log: what the database really takes on disk."""
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal")):
        with contextlib.suppress(OSError):
            total += candidate.stat().st_size
    return total


def has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _open_read_only(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True)


def inspect(path: Path, *, count_rows: bool = True, check: bool = False) -> DatabaseInfo:
    """Read a database's version, size and tables without changing it.

    `check` runs `PRAGMA quick_check` (reads every page: seconds on a large file).
    Raises `DatabaseFileError` for anything that is not a readable SQLite database.
    """
    if not path.is_file():
        msg = f"{path} does not exist or is not a file."
        raise DatabaseFileError(msg)
    if not has_sqlite_header(path):
        msg = f"{path} is not an SQLite database."
        raise DatabaseFileError(msg)
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        msg = f"{path} cannot be opened: {exc}."
        raise DatabaseFileError(msg) from None
    try:
        if check:
            result = conn.execute("PRAGMA quick_check").fetchone()
            if result is None or result[0] != "ok":
                msg = f"{path} is damaged (integrity check: {result[0] if result else '?'})."
                raise DatabaseFileError(msg)
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = []
        for name in names:
            rows = -1
            if count_rows:
                quoted = '"' + name.replace('"', '""') + '"'
                rows = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
            tables.append((name, rows))
        return DatabaseInfo(
            path=path,
            schema_version=int(conn.execute("PRAGMA user_version").fetchone()[0]),
            application_id=int(conn.execute("PRAGMA application_id").fetchone()[0]),
            size_bytes=file_size(path),
            page_size=int(conn.execute("PRAGMA page_size").fetchone()[0]),
            page_count=int(conn.execute("PRAGMA page_count").fetchone()[0]),
            freelist_count=int(conn.execute("PRAGMA freelist_count").fetchone()[0]),
            tables=tuple(tables),
        )
    except sqlite3.DatabaseError as exc:
        msg = f"{path} is not a readable SQLite database: {exc}."
        raise DatabaseFileError(msg) from None
    finally:
        conn.close()


def check_restorable(path: Path, latest_version: int) -> DatabaseInfo:
    """Refuse anything but an intact Entraide database this code knows how to run."""
    info = inspect(path, count_rows=False, check=True)
    if not info.is_entraide:
        msg = f"{path} is an SQLite database, but not an Entraide one."
        raise DatabaseFileError(msg)
    if info.schema_version < 1:
        msg = f"{path} has no Entraide schema (version 0)."
        raise DatabaseFileError(msg)
    if info.schema_version > latest_version:
        msg = (
            f"{path} comes from a newer Entraide (schema version {info.schema_version}; "
            f"this one knows up to {latest_version}). Upgrade Entraide before restoring it."
        )
        raise DatabaseFileError(msg)
    return info


# -- copying ------------------------------------------------------------------------------


def copy_database(source: Path, target: Path) -> None:
    """Copy `source` (live or not) to a new single file `target`, atomically.

    SQLite's backup API takes a consistent snapshot; the copy is written beside `target`
    and renamed into place only once complete and checked, so a crash or a full disk
    never leaves a half-written file under a backup's name. The copy uses a rollback
    journal, so it is one self-contained file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)

    def self_contained_and_checked(dest: sqlite3.Connection) -> None:
        dest.execute("PRAGMA journal_mode = DELETE")
        result = dest.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            msg = f"the copy of {source} failed its integrity check"
            raise DatabaseFileError(msg)

    try:
        _backup(source, partial, self_contained_and_checked)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def restore_database(source: Path, live: Path) -> None:
    """Replace the content of `live` with `source`, through SQLite so its WAL stays coherent."""
    live.parent.mkdir(parents=True, exist_ok=True)
    _backup(source, live, lambda dest: dest.execute("PRAGMA wal_checkpoint(TRUNCATE)"))


def _backup(source: Path, target: Path, finish: Callable[[sqlite3.Connection], object]) -> None:
    """SQLite's backup of `source` (opened read-only) into `target`, then `finish` on it.

    Both connections are closed whatever happens; a copy and a restore differ only in
    what they do to the result (`finish`).
    """
    src = _open_read_only(source)
    try:
        dest = sqlite3.connect(target)
        try:
            src.backup(dest)
            finish(dest)
        finally:
            dest.close()
    finally:
        src.close()


# -- the scheduled backups ----------------------------------------------------------------


def backup_name(when: datetime) -> str:
    """`entraide-20261126T040000Z.db`: sorts by time, readable, no colons for Windows."""
    return f"{BACKUP_PREFIX}{when.astimezone(UTC).strftime(_STAMP)}.db"


def backup_time(path: Path) -> datetime | None:
    match = _BACKUP_NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def list_backups(directory: Path) -> list[Path]:
    """The scheduled backups in `directory`, oldest first (other files are not ours)."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.is_file() and backup_time(p) is not None]
    return sorted(found, key=lambda p: p.name)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` scheduled backups; return what was deleted."""
    backups = list_backups(directory)
    doomed = backups[: max(0, len(backups) - max(1, keep))]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# -- one bot per database -----------------------------------------------------------------


def lock_path(database: Path) -> Path:
    """The lock file of a database, next to the file itself.

    The path is resolved first, so a symlink, a relative path or `..` names the same
    lock as the real file: two spellings of one database can never both hold it.
    """
    real = database.resolve()
    return real.with_name(real.name + ".lock")


class InstanceLockedError(DatabaseFileError):
    """Another process (a running bot, a restore) holds the database."""


class InstanceLock:
    """An exclusive `flock` on `<database>.lock`, held while a bot runs or a restore works.

    The kernel releases it when the process dies, however it dies, so a crash never
    leaves a stale lock behind. The file holds the owner's pid, for the error message.
    """

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (pid {holder})" if holder else ""
                msg = f"Entraide is running on this database{who}. Stop it first."
                raise InstanceLockedError(msg) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
