"""Fixtures every test can use: settings on a temporary database, a controlled clock, a
migrated database, and the offline harness with a real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from db.connection import Database
from db.migrate import migrate
from tests.harness.driver import DEFAULT_NOW, Harness, configure_server, test_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    return test_settings(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DEFAULT_NOW)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "store.db")
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
def extensions() -> list[str] | None:
    """The features the harness loads: all of them, unless a feature's conftest narrows it."""
    return None


@pytest.fixture
async def harness(
    settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    extensions: list[str] | None,
) -> AsyncIterator[Harness]:
    h = await Harness.start(settings, clock, monkeypatch, extensions=extensions)
    yield h
    await h.stop()
    assert not h.api.unhandled, f"the bot called routes the fake does not know: {h.api.unhandled}"


@pytest.fixture
async def configured(harness: Harness) -> Harness:
    """The harness with the server already set up: alerts, moderators, digest channels."""
    return await configure_server(harness)
