"""The alerts tests run the real bot with the features they exercise.

Alerts are dispatched here exactly as the tasks feature dispatches them, so the bot is
started with subscriptions and the member profile only: a failure in these tests is
then about subscriptions. `test_share_e2e.py` loads every feature to go through
`/task share` itself.
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
