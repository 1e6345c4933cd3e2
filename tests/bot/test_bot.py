import asyncio
from pathlib import Path

import discord
import discord.webhook.async_ as webhook_async
import pytest

from bot.bot import build_bot, discover_extensions
from bot.clock import ManualClock
from bot.settings import Settings
from db.migrate import current_version, discover, migrations_dir
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def test_api_base_points_rest_and_gateway_lookup_elsewhere(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(webhook_async.Route, "BASE", webhook_async.Route.BASE)
    build_bot(settings.model_copy(update={"discord_api_base": "https://spacebar.test/api/v9"}))
    route = discord.http.Route("GET", "/gateway/bot")
    assert route.url == "https://spacebar.test/api/v9/gateway/bot"
    assert webhook_async.Route("POST", "/interactions/1/x/callback").url.startswith(
        "https://spacebar.test/api/v9/"
    )


async def test_setup_hook_opens_db_migrates_loads_features_starts_scheduler(
    harness: Harness,
) -> None:
    bot = harness.bot
    assert await current_version(bot.db) == len(discover(migrations_dir(bot.db.dialect)))
    assert set(bot.extensions) == set(discover_extensions())
    assert bot.scheduler.running
    assert bot.tree.translator is not None


async def test_close_stops_scheduler_then_closes_database(harness: Harness) -> None:
    bot = harness.bot
    finished: list[str] = []

    async def slow_work() -> None:
        await asyncio.sleep(0)
        await bot.db.execute(
            "INSERT INTO members (user_id, created_at, updated_at) VALUES (99, 0, 0)"
        )
        finished.append("work")

    bot.spawn(slow_work(), name="slow")
    await bot.close()
    assert finished == ["work"]  # in-flight work drained before the database closed
    assert not bot.scheduler.running
    if bot.db.dialect == "sqlite":
        with pytest.raises(ValueError, match="no active connection"):
            await bot.db.conn.execute("SELECT 1")
    else:
        assert bot.db.pool.is_closing()  # the pool is closed: no connection left open
    await bot.close()  # idempotent


async def test_dev_guild_sync_only_when_configured(
    settings: Settings, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await Harness.start(settings.model_copy(update={"dev_guild_id": 1234}), clock, monkeypatch)
    try:
        calls = h.api.calls_to("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
        assert len(calls) == 1 and calls[0].params["guild_id"] == "1234"
        assert {c["name"] for c in calls[0].json} >= {"about"}
        assert not h.api.calls_to("PUT", "/applications/{application_id}/commands")
    finally:
        await h.stop()


async def test_dev_guild_sync_skips_a_tree_discord_would_refuse(
    tmp_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The bot keeps running with one error listing the problems, not Discord's 400."""
    import bot.command_limits as limits
    from tests.harness.driver import Harness, test_settings

    settings = test_settings(tmp_path, dev_guild_id=4242)
    h = await Harness.start(settings, clock, monkeypatch)
    try:
        assert h.api.calls_to("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
    finally:
        await h.stop()

    monkeypatch.setattr(limits, "MAX_COMMAND_CHARS", 1000)
    h = await Harness.start(settings, clock, monkeypatch)
    try:
        assert not h.api.calls_to(
            "PUT", "/applications/{application_id}/guilds/{guild_id}/commands"
        )
        errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert any("not synced to development guild 4242" in e and "/earnings" in e for e in errors)
        sent = await h.slash("about", user=h.alice)  # still serving
        assert sent.embed["title"]
    finally:
        await h.stop()
