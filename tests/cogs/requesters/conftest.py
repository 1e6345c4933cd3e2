"""The harness with only this feature's extensions loaded.

Other features are developed in the same tree at the same time; loading only ours keeps
these tests about requesters. The cross-feature flow (a confirmed scam refused or warned
on a new alert) lives in test_alert_integration.py and loads the tasks feature too.
"""

from __future__ import annotations

import pytest

from tests.harness.driver import configure_server as configure  # noqa: F401 - used by tests here

EXTENSIONS = ["cogs.requesters", "cogs.moderation"]
#: For the flows that reach task alerts: a module overrides `extensions` with these.
WITH_TASKS = [*EXTENSIONS, "cogs.tasks"]


@pytest.fixture
def extensions() -> list[str]:
    return EXTENSIONS
