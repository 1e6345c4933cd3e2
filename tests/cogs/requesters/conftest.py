"""The harness with only this feature's extensions loaded.

Other features are developed in the same tree at the same time; loading only ours keeps
these tests about requesters. The cross-feature flow (a confirmed scam refused or warned
on a new alert) lives in test_alert_integration.py and loads the tasks feature too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from db import guilds
from tests.harness.driver import Harness

EXTENSIONS = ["cogs.requesters", "cogs.moderation"]


@pytest.fixture
async def harness(
    settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    h = await Harness.start(settings, clock, monkeypatch, extensions=EXTENSIONS)
    yield h
    await h.stop()
    assert not h.api.unhandled, f"the bot called routes the fake does not know: {h.api.unhandled}"


async def configure(h: Harness, **changes: object) -> Harness:
    now = int(h.clock.now().timestamp())
    await guilds.update(
        h.db,
        h.world.guild_id,
        now,
        alerts_channel_id=h.world.alerts,
        mod_channel_id=h.world.mods,
        digest_channel_id=h.world.digest,
        mod_role_id=h.world.mod_role,
        **changes,
    )
    await guilds.mark_setup_complete(h.db, h.world.guild_id, now)
    return h


@pytest.fixture
async def configured(harness: Harness) -> Harness:
    return await configure(harness)
