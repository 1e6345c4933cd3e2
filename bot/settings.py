"""Settings read from the environment and `.env`.

Every knob an operator can turn lives here, so the rest of the code never reads
`os.environ` and a bad value is reported once, at start-up, with every problem listed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from db.shards import WHOLE, Shards
from db.url import DatabaseUrl, DatabaseUrlError, parse_database_url

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ConfigError(Exception):
    """Raised with a message meant for the operator: what is wrong and where to fix it."""


class Settings(BaseSettings):
    """The bot's configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    discord_token: SecretStr | None = Field(
        default=None, description="The bot token from the Discord developer portal."
    )
    database_path: Path = Field(
        default=Path("data/entraide.db"), description="The community's SQLite file."
    )
    database_url: str | None = Field(
        default=None,
        repr=False,  # may hold a password
        description="sqlite:///path.db or postgresql://user:password@host:port/db "
        "(default: DATABASE_PATH's file).",
    )
    db_pool_min_size: int = Field(
        default=1, ge=0, le=1000, description="PostgreSQL: connections kept open."
    )
    db_pool_max_size: int = Field(
        default=10, ge=1, le=1000, description="PostgreSQL: most connections at once."
    )
    log_level: LogLevel = Field(default="INFO", description="Logging threshold.")
    dev_guild_id: int | None = Field(
        default=None, description="Sync slash commands to this one server (development)."
    )
    discord_api_base: str | None = Field(
        default=None,
        description="REST base URL of a self-hosted Discord-compatible server (e.g. Spacebar).",
    )
    db_busy_timeout_ms: int = Field(
        default=5000, ge=0, le=600_000, description="How long a write waits for a lock."
    )
    backup_dir: Path = Field(
        default=Path("data/backups"), description="Where the scheduled daily backup goes."
    )
    backup_keep: int = Field(default=7, ge=1, le=365, description="How many daily backups to keep.")
    backup_hour_utc: int = Field(
        default=4, ge=0, le=23, description="Hour (UTC) of the daily backup."
    )
    api_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Port of the personal API (off when unset; 0 picks a free port).",
    )
    api_host: str = Field(
        default="127.0.0.1",
        description="Address the personal API listens on (keep loopback behind a proxy).",
    )
    api_body_max_bytes: int = Field(
        default=65_536, ge=1024, le=1_048_576, description="Largest API request body accepted."
    )
    api_rate_per_minute: int = Field(
        default=60,
        ge=1,
        le=10_000,
        description="API requests per member (all their tokens) per minute.",
    )
    message_content_intent: bool = Field(
        default=False,
        description="Ask Discord for message content (needed by the exports channel).",
    )
    shard_count: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="How many shards the bot is split into (unset: one unsharded connection).",
    )
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = Field(
        default=None,
        description="The shards this process runs, comma-separated (default: all of them).",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("dev_guild_id", "api_port", "shard_count", mode="before")
    @classmethod
    def _blank_guild_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _check_database_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            msg = "must be a URL such as sqlite:///data/entraide.db"
            raise ValueError(msg)
        try:
            parse_database_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @model_validator(mode="after")
    def _one_database(self) -> Self:
        """DATABASE_URL wins; DATABASE_PATH set too must name the same SQLite file."""
        if self.database_url is None:
            return self
        url = parse_database_url(self.database_url)
        if "database_path" in self.model_fields_set and (
            url.path is None or os.path.abspath(url.path) != os.path.abspath(self.database_path)  # noqa: PTH100
        ):
            msg = (
                "DATABASE_URL and DATABASE_PATH are both set and name different databases "
                f"({url.display} vs SQLite {self.database_path}); keep only DATABASE_URL"
            )
            raise ValueError(msg)
        if url.path is not None:
            # Code that works on the SQLite file (backups, the instance lock) reads it here.
            object.__setattr__(self, "database_path", url.path)
        return self

    @property
    def database(self) -> DatabaseUrl:
        """The store to open: DATABASE_URL's PostgreSQL server, else the SQLite file."""
        if self.database_url is not None:
            url = parse_database_url(self.database_url)
            if url.dialect == "postgresql":
                return url
        return DatabaseUrl.sqlite(self.database_path)

    @field_validator("discord_api_base", mode="before")
    @classmethod
    def _check_api_base(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            msg = "must be an http(s) URL such as https://spacebar.example/api/v9"
            raise ValueError(msg)
        return value.rstrip("/")

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int):
            return (value,)
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.split(",")]
        if not all(part.isdigit() for part in parts):
            msg = "must be shard numbers separated by commas, such as 0,1"
            raise ValueError(msg)
        return tuple(int(part) for part in parts)

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        ids, count = self.shard_ids, self.shard_count
        if ids is None:
            return self
        if count is None:
            msg = "SHARD_IDS needs SHARD_COUNT (how many shards there are in all)"
            raise ValueError(msg)
        if len(set(ids)) != len(ids):
            msg = f"SHARD_IDS lists a shard twice: {','.join(map(str, ids))}"
            raise ValueError(msg)
        if outside := [shard for shard in ids if not 0 <= shard < count]:
            msg = (
                f"SHARD_IDS {','.join(map(str, outside))} out of range: with SHARD_COUNT="
                f"{count} the shards are 0 to {count - 1}"
            )
            raise ValueError(msg)
        return self

    @property
    def sharded(self) -> bool:
        """SHARD_COUNT is set: the bot connects as an `AutoShardedBot` with `shards`."""
        return self.shard_count is not None

    @property
    def shards(self) -> Shards:
        """The shards this process runs (`WHOLE`, one unsharded connection, when unset)."""
        if self.shard_count is None:
            return WHOLE
        return Shards.of(self.shard_count, self.shard_ids)

    def secrets(self) -> list[str]:
        """Every secret value set: each `SecretStr` setting, and a password in an API URL.

        Logging and the CLI scrub these from everything they write.
        """
        found = [
            value.get_secret_value()
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr) and value.get_secret_value()
        ]
        if self.discord_api_base and (password := urlsplit(self.discord_api_base).password):
            found.append(password)
        if self.database_url and (password := parse_database_url(self.database_url).password):
            found.append(password)
        return found

    def require_token(self) -> str:
        """Return the token, or explain how to provide one."""
        if self.discord_token is None:
            msg = (
                "DISCORD_TOKEN is not set. Copy .env.example to .env and put your bot's "
                "token there (Discord developer portal → your application → Bot → Reset Token)."
            )
            raise ConfigError(msg)
        return self.discord_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning pydantic's report into one readable `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = ["Invalid configuration (see .env.example):"]
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            if name:
                lines.append(f"  - {name}: {error['msg']}")
            else:  # a check across settings names its variables in its message
                lines.append(f"  - {error['msg'].removeprefix('Value error, ')}")
        raise ConfigError("\n".join(lines)) from None
