from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings, load_settings
from db.shards import WHOLE, Shards


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DISCORD_TOKEN",
        "DATABASE_PATH",
        "LOG_LEVEL",
        "DEV_GUILD_ID",
        "DISCORD_API_BASE",
        "DB_BUSY_TIMEOUT_MS",
        "SHARD_COUNT",
        "SHARD_IDS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.database_path == Path("data/entraide.db")
    assert settings.log_level == "INFO"
    assert settings.dev_guild_id is None
    assert settings.discord_api_base is None


def test_reads_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=abc.def\nLOG_LEVEL=debug\nDEV_GUILD_ID=123\n")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "x.db"))
    settings = load_settings()
    assert settings.require_token() == "abc.def"
    assert settings.log_level == "DEBUG"
    assert settings.dev_guild_id == 123
    assert settings.database_path == tmp_path / "x.db"


def test_token_is_secret_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token")
    settings = load_settings()
    assert "super-secret-token" not in repr(settings)
    assert "super-secret-token" not in str(settings.model_dump())


def test_missing_token_names_variable_and_example() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings().require_token()
    assert "DISCORD_TOKEN" in str(info.value) and ".env.example" in str(info.value)


def test_every_problem_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    monkeypatch.setenv("DEV_GUILD_ID", "not-a-number")
    monkeypatch.setenv("DISCORD_API_BASE", "ftp://nope")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert "LOG_LEVEL" in text and "DEV_GUILD_ID" in text and "DISCORD_API_BASE" in text
    assert "Traceback" not in text


def test_api_base_trailing_slash_removed() -> None:
    settings = Settings(discord_api_base="https://spacebar.example/api/v9/", _env_file=None)  # type: ignore[call-arg]
    assert settings.discord_api_base == "https://spacebar.example/api/v9"


def test_env_example_documents_every_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in example, f"{name.upper()} missing from .env.example"


def test_unsharded_by_default() -> None:
    settings = load_settings()
    assert settings.shard_count is None and settings.shard_ids is None
    assert not settings.sharded and settings.shards == WHOLE


@pytest.mark.parametrize(
    ("count", "ids", "shards"),
    [
        ("4", "", Shards(4, (0, 1, 2, 3))),  # only SHARD_COUNT: every shard
        ("4", "1,3", Shards(4, (1, 3))),
        ("4", " 3 , 0 ", Shards(4, (0, 3))),
        ("2", "1", Shards(2, (1,))),
        ("1", "0", Shards(1, (0,))),
    ],
)
def test_shards_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, shards: Shards
) -> None:
    monkeypatch.setenv("SHARD_COUNT", count)
    monkeypatch.setenv("SHARD_IDS", ids)
    settings = load_settings()
    assert settings.sharded and settings.shards == shards


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("0", "", "SHARD_COUNT: Input should be greater than or equal to 1"),
        ("two", "", "SHARD_COUNT: Input should be a valid integer"),
        ("2", "0,x", "SHARD_IDS: Value error, must be shard numbers separated by commas"),
        ("2", "-1", "SHARD_IDS: Value error, must be shard numbers separated by commas"),
        ("2", "0,,1", "SHARD_IDS: Value error, must be shard numbers separated by commas"),
        ("4", "1,2,1", "SHARD_IDS lists a shard twice: 1,2,1"),
        ("4", "0,4,7", "SHARD_IDS 4,7 out of range: with SHARD_COUNT=4 the shards are 0 to 3"),
        ("", "1", "SHARD_IDS needs SHARD_COUNT"),
    ],
)
def test_bad_shards_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, expected: str
) -> None:
    monkeypatch.setenv("SHARD_COUNT", count)
    monkeypatch.setenv("SHARD_IDS", ids)
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert expected in text, text
    assert "Traceback" not in text and "pydantic" not in text.lower()
