"""The alerts tests run the real bot with the features they exercise.

Alerts are dispatched here exactly as the tasks feature dispatches them, so the bot is
started with subscriptions and the member profile only: a failure in these tests is
then about subscriptions. `test_share_e2e.py` loads every feature to go through
`/task share` itself.
"""

from __future__ import annotations

import pytest

FEATURES = ["cogs.alerts", "cogs.profile"]


@pytest.fixture
def extensions() -> list[str]:
    return FEATURES
