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
    return run_python("-m", "bot", *args, cwd=cwd, env=env)


def run_python(
    *argv: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A child Python on this checkout, without the caller's token or database path."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISCORD_TOKEN", "DATABASE_PATH", "DATABASE_URL"}
    }
    base["PYTHONPATH"] = str(ROOT)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, *argv],
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
    assert "of 4,000 characters" in result.stdout  # the largest command's size
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


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def test_check_and_sync_refuse_a_database_a_running_bot_holds(tmp_path: Path) -> None:
    """The bot holds the lock on the real file; a symlink to it is the same database."""
    from db.ops import InstanceLock

    real = tmp_path / "data" / "live.db"
    real.parent.mkdir()
    sqlite3.connect(real).close()  # an empty database at schema version 0
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with InstanceLock(real):
        for command, env in (
            ("check", {}),
            ("sync", {"DISCORD_TOKEN": "abc.def", "DISCORD_API_BASE": "http://127.0.0.1:9/api"}),
        ):
            for path in (real, link, Path("data") / ".." / "data" / "live.db"):
                result = run_cli(command, cwd=tmp_path, env={"DATABASE_PATH": str(path), **env})
                assert result.returncode == 1, (command, path, result.stderr)
                assert "Entraide is running on this database" in result.stderr
                assert f"(pid {os.getpid()})" in result.stderr
                assert "Traceback" not in result.stderr
                assert "Cannot reach" not in result.stderr  # refused before any network
    assert _user_version(real) == 0, "check must not migrate a database a bot holds"
    # Once the bot has stopped, check migrates it through the symlink.
    result = run_cli("check", cwd=tmp_path, env={"DATABASE_PATH": str(link)})
    assert result.returncode == 0, result.stderr
    assert _user_version(real) > 0


def test_a_second_bot_on_a_symlink_of_the_database_is_refused(tmp_path: Path) -> None:
    from db.ops import InstanceLock

    real = tmp_path / "live.db"
    link = tmp_path / "other-name.db"
    link.symlink_to(real)
    with InstanceLock(real):
        result = run_cli(
            "run",
            cwd=tmp_path,
            env={
                "DISCORD_TOKEN": "abc.def",
                "DISCORD_API_BASE": "http://127.0.0.1:9/api",
                "DATABASE_PATH": str(link),
            },
        )
    assert result.returncode == 1
    assert "Entraide is running on this database" in result.stderr
    assert not real.exists(), "the refused bot must not have opened the database"


def test_every_subcommand_is_audited_for_the_lock() -> None:
    """Each sub-command either holds the instance lock or is known not to need it."""
    from bot.cli import LOCKED_COMMANDS, build_parser
    from bot.ops_cli import COMMANDS

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    commands = set(sub.choices)
    takes_lock_itself = {"restore", "copy-store"}  # copy-store: on each SQLite end
    read_only = {"commands", "backup", "stats"}  # no write to the live database
    assert commands == LOCKED_COMMANDS | takes_lock_itself | read_only, (
        "a new sub-command: decide whether it takes the instance lock"
    )
    assert set(COMMANDS) <= commands


async def test_tree_only_bot_runs_no_catch_ups_and_no_scheduler(tmp_path: Path) -> None:
    """`commands` and `sync` build the tree without the scheduler or start-up work."""
    from bot.cli import build_offline_bot
    from bot.settings import load_settings

    bot = await build_offline_bot(load_settings(database_path=tmp_path / "never.db"))
    try:
        assert bot.tree_only
        assert not bot.scheduler.running
        assert not bot.background_tasks
        assert bot.tree.get_command("earnings") is not None
    finally:
        await bot.close()
    assert not (tmp_path / "never.db").exists()


def test_tracebacks_in_the_fatal_path_never_show_the_token(tmp_path: Path) -> None:
    """A real child process: the bot fails with an exception that carries the token."""
    token = "MTIz.secret-token.value"
    script = (
        "import sys, bot.cli as cli\n"
        "async def boom(settings, token, *, sync_only=False):\n"
        "    try:\n"
        "        raise KeyError(f'Authorization: Bot {token}')\n"
        "    except KeyError as exc:\n"
        "        raise RuntimeError(f'login with {token} failed') from exc\n"
        "cli._run = boom\n"
        "sys.exit(cli.main(['run']))\n"
    )
    result = run_python(
        "-c",
        script,
        cwd=tmp_path,
        env={"DISCORD_TOKEN": token, "DATABASE_PATH": str(tmp_path / "x.db")},
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" in output and "fatal error" in output  # the log kept its traceback
    assert "KeyError" in output and "RuntimeError" in output  # and its chained cause
    assert "Entraide stopped: login with [redacted] failed" in result.stderr
    assert token not in output
    assert "secret-token" not in output


def test_check_shows_the_shards_and_warns_when_sqlite_cannot_hold_them(tmp_path: Path) -> None:
    """Some of the shards on a SQLite store: said, and warned (another process must run the
    rest, and the instance lock keeps it out), but the configuration is still OK."""
    env = {"DATABASE_PATH": str(tmp_path / "e.db"), "SHARD_COUNT": "4", "SHARD_IDS": "3,1"}
    result = run_cli("check", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "shards:          shards 1, 3 of 4" in result.stdout
    assert "WARNING: SHARD_IDS runs only some of the shards" in result.stdout
    assert "PostgreSQL" in result.stdout and "Traceback" not in result.stderr


def test_the_shards_line_of_check() -> None:
    from bot.cli import _shards_line
    from bot.settings import Settings

    def line(**values: object) -> str:
        return _shards_line(Settings(_env_file=None, **values))  # type: ignore[call-arg]

    assert line() == "unsharded (one connection)"
    assert line(shard_count=2) == "all 2 shards"  # every shard here: one process, no warning
    assert line(shard_count=2, shard_ids="0,1") == "all 2 shards"
    assert line(shard_count=2, shard_ids="1").startswith("shard 1 of 2\n  WARNING")
