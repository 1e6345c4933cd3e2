"""The notification-role tests run the real bot with that feature and the moderators' log.

Alerts are dispatched as the tasks feature dispatches them (`alert_posted`), so a failure
here is about role mentions, not about sharing.
"""

from __future__ import annotations

import pytest

FEATURES = ["cogs.roles", "cogs.moderation"]


@pytest.fixture
def extensions() -> list[str]:
    return FEATURES
