"""The profile tests run the real bot with the features they exercise.

Subscriptions read the profile (and are tested with it here); the bot is started with
those two features only, so a failure in these tests is about the profile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from tests.harness.driver import Harness

FEATURES = ["cogs.alerts", "cogs.profile"]


@pytest.fixture
async def harness(
    settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    h = await Harness.start(settings, clock, monkeypatch, extensions=FEATURES)
    yield h
    await h.stop()
    assert not h.api.unhandled, f"the bot called routes the fake does not know: {h.api.unhandled}"
