"""A running bot (the offline harness: real dispatch, fake Discord HTTP) that a test stops
with SIGTERM while interactions are still in flight.

It installs the same signal handler as `python -m bot run` (`bot.cli._on_signal`), feeds
a few interactions whose work takes a while (a slow round trip, then a database write,
then the answer), prints "inflight", and after the shutdown path has run prints one JSON
line describing what it saw: which interactions were answered, whether the scheduler
still runs, whether the database connection is closed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import traceback
from pathlib import Path

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.cli import _on_signal
from bot.clock import ManualClock
from db import members
from tests.harness.driver import DEFAULT_NOW, Harness
from tests.harness.driver import test_settings as make_settings

SLOW_SECONDS = 0.3


class SlowSave(commands.Cog):
    """Stands for any command still working when the signal arrives."""

    def __init__(self, harness: Harness) -> None:
        self.h = harness

    @app_commands.command(name="slowsave", description="test")
    async def slowsave(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await asyncio.sleep(SLOW_SECONDS)  # a slow round trip, still in flight at SIGTERM
        now = int(self.h.clock.now().timestamp())
        await members.set_timezone(self.h.bot.db, interaction.user.id, "Europe/Paris", now)
        await interaction.followup.send("saved", ephemeral=True)


async def main(folder: Path) -> None:
    monkeypatch = pytest.MonkeyPatch()
    harness = await Harness.start(make_settings(folder), ManualClock(DEFAULT_NOW), monkeypatch)
    bot = harness.bot
    await bot.add_cog(SlowSave(harness))
    ticks: list[float] = []
    closed_at: list[float] = []
    loop = asyncio.get_running_loop()
    bot.scheduler.add_job(lambda: ticks.append(loop.time()), "interval", seconds=0.02)
    loop.add_signal_handler(signal.SIGTERM, _on_signal, bot, signal.SIGTERM)
    closed = asyncio.Event()
    real_close = bot.close

    async def close_and_report() -> None:
        await real_close()  # the bot's own shutdown path, untouched
        closed.set()

    bot.close = close_and_report  # type: ignore[method-assign]

    people = [harness.alice, harness.bob, harness.carol, harness.dave, harness.mod]
    ids = []
    for person in people:
        payload = harness._interaction(
            2, harness._command_data("slowsave", {}), person, None, "en-US"
        )
        ids.append(int(payload["id"]))
        bot._connection.parse_interaction_create(payload)
    await asyncio.sleep(0.05)  # every command has started and deferred
    print("inflight", flush=True)

    await asyncio.wait_for(closed.wait(), timeout=30)
    closed_at.append(loop.time())
    await asyncio.sleep(0.1)  # would the scheduler still fire?
    answered = {
        str(iid): [s.content for s in harness.api.for_interaction(iid) if s.kind == "followup"]
        for iid in ids
    }
    status = {
        "answered": answered,
        "scheduler_running": bot.scheduler.running,
        "ticks_before_close": sum(1 for t in ticks if t <= closed_at[0]),
        "ticks_after_close": sum(1 for t in ticks if t > closed_at[0]),
        "db_closed": bot.db.conn._connection is None,
        "users": [p.id for p in people],
    }
    print(json.dumps(status), flush=True)
    monkeypatch.undo()


def run(folder: Path) -> None:
    try:
        asyncio.run(main(folder))
    except BaseException:
        # A failed start leaves aiosqlite's worker thread alive; exit for real.
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(2)


if __name__ == "__main__":
    run(Path(sys.argv[1]))
