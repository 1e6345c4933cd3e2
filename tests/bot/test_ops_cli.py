"""Operations from the command line: restore, stats, and a graceful SIGTERM.

Restore and stats are called in-process for the detailed cases, and through a real
`python -m bot` child process to prove the sub-commands are wired; the shutdown test runs
the real `run` path in a child process and signals it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import ops_cli
from bot.settings import Settings
from db import guild_setup, guilds, members
from db.connection import Database
from db.migrate import migrate
from db.ops import InstanceLock, InstanceLockedError, lock_path
from tests.harness.driver import test_settings as settings_in

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


async def make_db(path: Path, *, timezone: str = "UTC", target: int | None = None) -> None:
    db = await Database.open(path)
    try:
        await migrate(db, target=target)
        await guilds.update(db, 1, 0, timezone=timezone)
        if target is None:
            await guild_setup.save(db, 1, 0, {"alerts_channel_id": 5, "mod_channel_id": 6})
            await members.set_timezone(db, 42, "Asia/Tokyo", 0)
    finally:
        await db.close()


def read(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
async def live(tmp_path: Path) -> Settings:
    settings = settings_in(tmp_path)
    await make_db(settings.database_path, timezone="UTC")
    return settings


@pytest.fixture
async def backup(tmp_path: Path) -> Path:
    path = tmp_path / "saved" / "entraide-20261120T040000Z.db"
    path.parent.mkdir()
    await make_db(path, timezone="Europe/Paris")
    return path


def before_restore_copies(settings: Settings) -> list[Path]:
    return sorted(settings.database_path.parent.glob("*-before-restore-*"))


# -- restore ------------------------------------------------------------------------------


async def test_restore_replaces_the_database_and_keeps_the_old_one(
    live: Settings, backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ops_cli.restore(live, backup, now=NOW) == 0
    out = capsys.readouterr().out
    assert f"Restored {backup}" in out
    assert read(live.database_path, "SELECT timezone FROM guild_settings") == [("Europe/Paris",)]
    saved = before_restore_copies(live)
    assert [p.name for p in saved] == ["entraide-before-restore-20261126T170000Z.db"]
    assert str(saved[0]) in out
    assert read(saved[0], "SELECT timezone FROM guild_settings") == [("UTC",)]
    # The bot starts on it as usual.
    db = await Database.open(live.database_path)
    try:
        assert await migrate(db) == []
        assert (await guilds.get(db, 1)).timezone == "Europe/Paris"
    finally:
        await db.close()


async def test_restore_is_refused_while_the_bot_runs(
    live: Settings, backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with InstanceLock(live.database_path):
        assert ops_cli.restore(live, backup) == 2
    err = capsys.readouterr().err
    assert f"Entraide is running on this database (pid {os.getpid()})" in err
    assert read(live.database_path, "SELECT timezone FROM guild_settings") == [("UTC",)]
    assert not before_restore_copies(live)


async def test_restore_of_an_older_version_says_it_will_be_upgraded(
    live: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    await make_db(old, timezone="Europe/Paris", target=1)
    assert ops_cli.restore(live, old) == 0
    assert "upgraded to schema version" in capsys.readouterr().out
    db = await Database.open(live.database_path)
    try:
        assert await migrate(db)  # the pending migrations apply on the restored data
        assert (await guilds.get(db, 1)).timezone == "Europe/Paris"
    finally:
        await db.close()


async def test_restore_into_a_fresh_install(tmp_path: Path, backup: Path) -> None:
    settings = settings_in(tmp_path / "new")
    assert ops_cli.restore(settings, backup) == 0
    assert read(settings.database_path, "SELECT timezone FROM guild_settings") == [
        ("Europe/Paris",)
    ]
    assert not before_restore_copies(settings)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    return path


def _newer(path: Path, source: Path) -> Path:
    conn = sqlite3.connect(source)
    dest = sqlite3.connect(path)
    conn.backup(dest)
    dest.execute("PRAGMA user_version = 999")
    dest.commit()
    dest.close()
    conn.close()
    return path


def _corrupted(path: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    for offset in range(4096 + 100, len(data), 997):  # scribble over every page but the header
        data[offset] = (data[offset] + 1) % 256
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "does not exist"),
        ("directory", "does not exist or is not a file"),
        ("empty", "is not an SQLite database"),
        ("text", "is not an SQLite database"),
        ("foreign", "not an Entraide one"),
        ("newer", "comes from a newer Entraide (schema version 999"),
        ("corrupted", "Not restored"),
        ("itself", "the live database itself"),
    ],
)
def test_restore_refuses_bad_files_and_changes_nothing(
    live: Settings,
    backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    expected: str,
) -> None:
    source = {
        "missing": lambda: tmp_path / "nope.db",
        "directory": lambda: tmp_path,
        "empty": lambda: _write(tmp_path / "empty.db", b""),
        "text": lambda: _write(tmp_path / "notes.db", b"hello " * 5000),
        "itself": lambda: live.database_path,
    }.get(case)
    if source is not None:
        path = source()
    elif case == "foreign":
        path = _foreign_sqlite(tmp_path / "photos.db")
    elif case == "newer":
        path = _newer(tmp_path / "future.db", backup)
    else:
        path = _corrupted(tmp_path / "broken.db", backup)
    before = live.database_path.read_bytes()
    assert ops_cli.restore(live, path) == 2
    err = capsys.readouterr().err
    assert expected in err and "Not restored" in err
    assert "Traceback" not in err
    assert live.database_path.read_bytes() == before
    assert not before_restore_copies(live)


# -- stats --------------------------------------------------------------------------------


async def test_stats_counts_rows_and_reports_size(
    live: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ops_cli.stats(live) == 0
    out = capsys.readouterr().out
    assert "Schema version:" in out and "Size:" in out and "Newest backup:   none" in out
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    assert lines["guild_settings"] == "1" and lines["members"] == "1"

    assert ops_cli.stats(live, as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tables"]["guild_settings"] == 1
    assert data["size_bytes"] > 0 and data["schema_version"] >= 5


async def test_stats_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_cli.stats(settings_in(tmp_path)) == 2
    assert "does not exist" in capsys.readouterr().err


# -- through `python -m bot` --------------------------------------------------------------


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_PATH=str(settings.database_path),
        BACKUP_DIR=str(settings.backup_dir),
        **extra,
    )
    return env


def run_cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=settings.database_path.parent,
        env=cli_env(settings, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_restore_and_stats(live: Settings, backup: Path) -> None:
    result = run_cli(live, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tables"]["members"] == 1
    result = run_cli(live, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert read(live.database_path, "SELECT timezone FROM guild_settings") == [("Europe/Paris",)]
    result = run_cli(live, "restore", str(live.database_path.parent / "missing.db"))
    assert result.returncode == 2 and "Not restored" in result.stderr


CHILD = r"""
import asyncio, sys
from pytest import MonkeyPatch
from bot.bot import Entraide
import bot.cli
from db import guilds
from db.connection import Database
from tests.harness import payloads as p
from tests.harness.fake_discord import FakeDiscord

# Discord's HTTP answered by the harness's fake; the gateway stands still until closed.
patch = MonkeyPatch()
FakeDiscord(4242, p.FakeUser(p.snowflake(), "entraide", bot=True)).install(patch)


async def in_flight(bot):
    # Work that is still running when the signal arrives: shutdown must wait for it.
    while not bot._closing:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    await guilds.update(bot.db, 77, 0, timezone="Asia/Tokyo")
    print("WROTE", flush=True)


async def connect(self, *, reconnect=True):
    self.spawn(in_flight(self), name="in flight")
    print("READY", flush=True)
    while not self.is_closed():
        await asyncio.sleep(0.02)


real_close = Database.close


async def slow_close(self):
    await asyncio.sleep(0.2)  # PRAGMA optimize on a large database takes a moment
    await real_close(self)
    print("CLOSED", flush=True)


patch.setattr(Entraide, "connect", connect)
patch.setattr(Database, "close", slow_close)
sys.exit(bot.cli.main(["run"]))
"""


def wait_for_line(proc: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    """Read the child's stdout until `wanted` (a deadline, not a timing assertion)."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line.strip())
            if line.strip() == wanted:
                return seen
        elif proc.poll() is not None:
            break
    stderr = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
    raise AssertionError(f"child never printed {wanted!r}: {seen} {stderr}")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock")
def test_sigterm_shuts_down_gracefully_and_releases_the_lock(live: Settings, backup: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=live.database_path.parent,
        env=cli_env(live, DISCORD_TOKEN="fake.token.value", LOG_LEVEL="INFO"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(proc, "READY")
        # While it runs: restore is refused, a second bot refuses to start, the lock is held.
        refused = run_cli(live, "restore", str(backup))
        assert refused.returncode == 2
        assert f"Entraide is running on this database (pid {proc.pid})" in refused.stderr
        second = run_cli(live, "run", DISCORD_TOKEN="fake.token.value")
        assert second.returncode == 1 and "Entraide is running" in second.stderr
        with pytest.raises(InstanceLockedError):
            InstanceLock(live.database_path).acquire()

        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "received SIGTERM, shutting down" in stderr
    assert stdout.split() == ["WROTE", "CLOSED"]  # in-flight work first, then the database
    assert "Traceback" not in stderr
    # The database was closed properly (its write-ahead log checkpointed and removed)…
    assert not Path(str(live.database_path) + "-wal").exists()
    assert read(live.database_path, "SELECT timezone FROM guild_settings WHERE guild_id = 77") == [
        ("Asia/Tokyo",)
    ]
    # …and the lock released: restore works now.
    assert lock_path(live.database_path).exists()
    assert run_cli(live, "restore", str(backup)).returncode == 0
