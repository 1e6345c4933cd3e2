"""`python -m bot copy-store`: one line per refusal, a summary when done, never a password."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from db.connection import Database
from db.migrate import migrate
from db.url import DatabaseUrl
from tests.bot.test_logging import root_logging  # noqa: F401 - the fixture, used below
from tests.db.copy_store_data import build

#: `main` sets up logging in this process: put the root logger back after each test.
pytestmark = pytest.mark.usefixtures("root_logging")

PASSWORD = "s3cret-Pa55word"


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("copy-store-cli") / "source.db"
    build(path)
    return path


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """copy-store reads no settings: a broken environment must not matter."""
    monkeypatch.setenv("DATABASE_URL", "nonsense")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)


def with_password(url: DatabaseUrl) -> str:
    """The test server trusts its socket, so any password connects: it is only printed."""
    return dataclasses.replace(url, password=PASSWORD).dsn()


def test_help_says_all_or_nothing() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    text = sub.choices["copy-store"].format_help()
    assert "All or nothing" in text and "one transaction" in text


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("entraide.db", "sqlite:///b.db", "SOURCE_URL is not a usable URL: not a URL"),
        ("sqlite:///a.db", "mysql://x/y", "TARGET_URL is not a usable URL: unsupported scheme"),
        ("postgresql://u:pw@h:99999/d", "sqlite:///b.db", "port must be a number"),
    ],
)
def test_a_bad_url_is_one_line(
    source: str, target: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["copy-store", source, target]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("copy-store: ") and expected in err


def test_a_copy_prints_progress_and_a_summary_without_the_password(
    built_store: Path,
    tmp_path: Path,
    pg_empty_url: DatabaseUrl,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = tmp_path / "source.db"
    shutil.copy(built_store, source)
    caplog.set_level(logging.DEBUG)
    assert main(["copy-store", f"sqlite:///{source}", with_password(pg_empty_url)]) == 0
    out, err = capsys.readouterr()
    assert "all or nothing" in err and "  task_alerts " in err  # progress, on stderr
    lines = out.splitlines()
    assert lines[0].split() == ["table", "rows", "checksum", "how"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert rows["task_alerts"][1] == "300" and rows["task_alerts"][3] == "copied"
    assert rows["earnings_daily"][3:] == ["rebuilt", "by", "triggers"]
    assert lines[-1].startswith("Copied ") and "every table verified" in lines[-1]
    assert pg_empty_url.display in lines[-1]

    # Copying again is refused: one line, still no password.
    assert main(["copy-store", f"sqlite:///{source}", with_password(pg_empty_url)]) == 1
    again_out, again_err = capsys.readouterr()
    assert again_out == "" and again_err.count("\n") == 1
    assert "is not empty" in again_err and "Nothing was copied." in again_err
    everything = out + err + again_out + again_err + caplog.text
    assert PASSWORD not in everything


def test_an_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"postgresql://entraide:{PASSWORD}@127.0.0.1:1/entraide"
    assert main(["copy-store", url, f"sqlite:///{tmp_path / 'target.db'}"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[-1].startswith("copy-store: the source (PostgreSQL 127.0.0.1:1")
    assert "did not answer" in err and "Nothing was copied." in err
    assert PASSWORD not in out + err + caplog.text
    assert not (tmp_path / "target.db").exists()


async def test_an_older_source_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    store = await Database.open(old)
    await migrate(store, target=3)
    await store.close()
    import asyncio

    code = await asyncio.to_thread(
        main, ["copy-store", f"sqlite:///{old}", f"sqlite:///{tmp_path / 'new.db'}"]
    )
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("copy-store: the source (SQLite ")
    assert "schema version 3, older than this code's" in err[-1]
