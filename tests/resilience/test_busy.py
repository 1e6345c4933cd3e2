"""The database locked by another process for longer than busy_timeout.

A second process holds `BEGIN EXCLUSIVE`; the bot runs with a 50 ms busy_timeout. Every
write a member asks for in that window must end in the clear "busy, try again" message
(never the generic apology, never a traceback), must leave the store exactly as it was,
and must succeed once the lock is gone.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.clock import ManualClock
from bot.i18n import t
from bot.ui import reply
from db import members
from tests.harness.driver import Harness, configure_server
from tests.harness.driver import test_settings as make_settings
from tests.resilience.helpers import Child, snapshot

BUSY_TIMEOUT_MS = 50


class SaveProbe(commands.Cog):
    """A write through repository code, for the database layer on its own."""

    def __init__(self, harness: Harness) -> None:
        self.h = harness

    @app_commands.command(name="savezone", description="test")
    async def savezone(self, interaction: discord.Interaction, zone: str) -> None:
        now = int(self.h.clock.now().timestamp())
        await members.set_timezone(self.h.bot.db, interaction.user.id, zone, now)
        await reply(interaction, "saved")


@pytest.fixture
async def busy(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, db_busy_timeout_ms=BUSY_TIMEOUT_MS)
    h = await Harness.start(settings, clock, monkeypatch)
    await h.bot.add_cog(SaveProbe(h))
    yield h
    await h.stop()


def _public_posts(h: Harness) -> int:
    return sum(1 for s in h.api.sent if s.kind in ("message", "forum_post", "edit", "dm"))


async def _configure(h: Harness) -> None:
    await configure_server(h)


#: Writes members make, each with what proves it was stored once the lock is gone.
WRITES: dict[str, tuple[str, dict[str, Any], str]] = {
    "database layer": (
        "savezone",
        {"zone": "Europe/Paris"},
        "SELECT count(*) FROM members WHERE timezone = 'Europe/Paris'",
    ),
    "task share": (
        "task share",
        {
            "reward": 1.5,
            "minutes": 6,
            "link": "https://worker.mturk.com/projects/3BUSYTEST00000000000001/tasks",
        },
        "SELECT count(*) FROM task_alerts WHERE message_id IS NOT NULL",
    ),
    "subscription": (
        "alerts subscribe",
        {"keywords": "survey"},
        "SELECT count(*) FROM alert_subscriptions",
    ),
    "earnings entry": (
        "earnings log",
        {"amount": "1.50", "minutes": 6, "platform": "mturk"},
        "SELECT count(*) FROM earnings",
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_locked_database_asks_to_try_again_and_loses_nothing(
    busy: Harness, caplog: pytest.LogCaptureFixture, write: str
) -> None:
    h = busy
    await _configure(h)
    path, options, stored = WRITES[write]
    if not _has_command(h, path):
        pytest.skip(f"/{path} is not in the tree")
    database = h.bot.settings.database_path
    await h.slash("savezone", user=h.bob, zone="Asia/Manila")  # something stored earlier
    before = snapshot(database)
    posts = _public_posts(h)

    with Child("tests.resilience.child_locker", str(database)) as locker:
        locker.wait_for(lambda lines: "locked" in lines)
        with caplog.at_level(logging.WARNING):
            sent = await h.slash(path, user=h.alice, **options)
        assert sent.ephemeral
        assert sent.content == t("common.errors.busy", "en")
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert snapshot(database) == before  # read while the lock is still held
        assert _public_posts(h) == posts  # nothing announced that was not stored
        french = await h.slash(path, user=h.alice, locale="fr", **options)
        assert french.content == t("common.errors.busy", "fr")
        locker.send("release")
        locker.wait_for(lambda lines: "released" in lines)
        assert locker.finish() == 0

    again = await h.slash(path, user=h.alice, **options)
    assert again.content != t("common.errors.busy", "en")
    assert int(await h.db.fetch_value(stored)) == 1
    assert (await members.get(h.db, h.bob.id)).timezone == "Asia/Manila"


def _has_command(h: Harness, path: str) -> bool:
    try:
        h._command_chain(path)
    except AssertionError:
        return False
    return True
