"""The admin CLI as an operator runs it: a real `python -m bot` child process."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_PATH"}}
    base["PYTHONPATH"] = str(ROOT)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_without_token_fails_fast_with_clear_message(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode != 0
    assert "DISCORD_TOKEN" in result.stderr and ".env.example" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_invalid_settings_list_every_problem(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path, env={"LOG_LEVEL": "LOUD", "DEV_GUILD_ID": "x"})
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr and "DEV_GUILD_ID" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_migrates_and_summarises_without_token(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_PATH": str(tmp_path / "db" / "e.db")})
    assert result.returncode == 0, result.stderr
    assert "Configuration OK" in result.stdout and "NOT SET" in result.stdout
    assert (tmp_path / "db" / "e.db").exists()


def test_commands_prints_the_real_tree_as_json(tmp_path: Path) -> None:
    result = run_cli("commands", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    names = {cmd["name"] for cmd in tree}
    assert "about" in names
    about = next(cmd for cmd in tree if cmd["name"] == "about")
    assert about["description"] and about["name_localizations"]["fr"]
    assert not list(tmp_path.glob("**/*.db")), "commands must not create a database"


def test_backup_of_a_database(tmp_path: Path) -> None:
    db_path = tmp_path / "live.db"
    assert run_cli("check", cwd=tmp_path, env={"DATABASE_PATH": str(db_path)}).returncode == 0
    target = tmp_path / "copies" / "b.db"
    result = run_cli("backup", str(target), cwd=tmp_path, env={"DATABASE_PATH": str(db_path)})
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] > 0
    again = run_cli("backup", str(target), cwd=tmp_path, env={"DATABASE_PATH": str(db_path)})
    assert again.returncode != 0 and "already exists" in again.stderr


def test_token_never_reaches_output(tmp_path: Path) -> None:
    result = run_cli(
        "check",
        cwd=tmp_path,
        env={"DISCORD_TOKEN": "sekrit.token.value", "DATABASE_PATH": str(tmp_path / "x.db")},
    )
    assert "sekrit.token.value" not in result.stdout + result.stderr


def test_unreachable_discord_is_one_clear_line(tmp_path: Path) -> None:
    """Port 9 on loopback refuses at once: no network needed, and no traceback shown."""
    result = run_cli(
        cwd=tmp_path,
        env={
            "DISCORD_TOKEN": "abc.def",
            "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
            "DATABASE_PATH": str(tmp_path / "x.db"),
        },
    )
    assert result.returncode == 1
    assert "Cannot reach http://127.0.0.1:9/api/v10" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "abc.def" not in result.stderr + result.stdout
