"""DATABASE_URL next to DATABASE_PATH: the old setting keeps working, a conflict is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

pytestmark = pytest.mark.both_backends


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    for name in ("DATABASE_URL", "DATABASE_PATH", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE"):
        monkeypatch.delenv(name, raising=False)


def test_database_path_alone_still_names_the_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", "elsewhere/community.db")
    settings = load_settings()
    assert settings.database.dialect == "sqlite"
    assert settings.database.path == Path("elsewhere/community.db")
    assert settings.database_path == Path("elsewhere/community.db")


def test_the_default_is_the_sqlite_file_of_old() -> None:
    assert load_settings().database.path == Path("data/entraide.db")


def test_a_sqlite_url_sets_the_file_everything_else_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/e/community.db")
    settings = load_settings()
    assert settings.database_path == Path("/srv/e/community.db")
    assert settings.database.display == "SQLite /srv/e/community.db"


def test_both_set_to_the_same_file_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/x.db")
    monkeypatch.setenv("DATABASE_PATH", "./data/x.db")
    assert load_settings().database.path == Path("data/x.db")


@pytest.mark.parametrize("url", ["postgresql://u:hunter22@h/d", "sqlite:///other.db"])
def test_both_set_and_disagreeing_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_PATH", "data/entraide.db")
    with pytest.raises(ConfigError, match="DATABASE_URL and DATABASE_PATH") as caught:
        load_settings()
    assert "hunter22" not in str(caught.value)


def test_postgresql_url_its_password_is_a_secret_and_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter22@db:5433/entraide")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "20")
    settings = load_settings()
    assert settings.database.display == "PostgreSQL db:5433, database entraide"
    assert settings.db_pool_max_size == 20
    assert "hunter22" in settings.secrets()  # scrubbed from every log line
    assert "hunter22" not in repr(settings)


def test_a_bad_url_is_one_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter22@h/d")
    with pytest.raises(ConfigError, match=r"DATABASE_URL: .*unsupported scheme") as caught:
        load_settings()
    assert "hunter22" not in str(caught.value)
