"""The profile tests run the real bot with the features they exercise.

Subscriptions read the profile (and are tested with it here); the bot is started with
those two features only, so a failure in these tests is about the profile.
"""

from __future__ import annotations

import pytest

FEATURES = ["cogs.alerts", "cogs.profile"]


@pytest.fixture
def extensions() -> list[str]:
    return FEATURES
