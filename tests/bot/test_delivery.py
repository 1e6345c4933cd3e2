import discord
import pytest

from bot.delivery import (
    ChannelProblemError,
    missing_permissions,
    post_to,
)
from db import guilds
from tests.harness import payloads as p
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def _set(h: Harness, **changes: object) -> None:
    await guilds.update(h.db, h.world.guild_id, 0, **changes)


async def test_posts_to_text_channel_without_pings(configured: Harness) -> None:
    h = configured
    posted = await post_to(
        h.bot,
        h.world.guild_id,
        "alerts",
        content="@everyone hello",
        embed=discord.Embed(title="x" * 400),
    )
    assert posted.thread is None and posted.channel_id == h.world.alerts
    sent = h.in_channel(h.world.alerts)[-1]
    assert sent.embed["title"].endswith("…") and len(sent.embed["title"]) == 256
    h.api.assert_never_pinged()


async def test_posts_to_forum_as_a_thread(configured: Harness) -> None:
    h = configured
    await _set(h, alerts_channel_id=h.world.forum)
    posted = await post_to(
        h.bot, h.world.guild_id, "alerts", content="a task", forum_title="Big HIT"
    )
    assert posted.thread is not None and posted.thread.parent_id == h.world.forum
    assert h.bot.get_channel(posted.thread.id) is not None  # THREAD_CREATE echoed to the cache
    assert h.api.calls_to("POST", "/channels/{channel_id}/threads")[-1].json["name"] == "Big HIT"


async def test_not_configured(harness: Harness) -> None:
    with pytest.raises(ChannelProblemError) as info:
        await post_to(harness.bot, harness.world.guild_id, "digest", content="x")
    assert info.value.reason == "not_configured"
    assert "/setup" in info.value.message("en")


async def test_vanished_channel_is_forgotten_and_reported(configured: Harness) -> None:
    h = configured
    problems: list[tuple[int, str, str]] = []

    async def on_channel_problem(guild_id: int, kind: str, detail: str) -> None:
        problems.append((guild_id, kind, detail))

    h.bot.add_listener(on_channel_problem)
    await _set(h, alerts_channel_id=p.snowflake())
    with pytest.raises(ChannelProblemError) as info:
        await post_to(h.bot, h.world.guild_id, "alerts", content="x")
    await h.settle()
    assert info.value.reason == "deleted"
    assert (await guilds.get(h.db, h.world.guild_id)).alerts_channel_id is None
    assert problems == [(h.world.guild_id, "alerts", "deleted")]


async def test_missing_permissions_are_named(configured: Harness) -> None:
    h = configured
    deny = discord.Permissions(send_messages=True, embed_links=True)
    overwrite = {"id": str(h.world.bot_role), "type": 0, "allow": "0", "deny": str(deny.value)}
    await h.gateway(
        "CHANNEL_UPDATE",
        p.text_channel_json(
            h.world.alerts, h.world.guild_id, "task-alerts", overwrites=[overwrite]
        ),
    )
    channel = h.bot.get_channel(h.world.alerts)
    assert missing_permissions(channel, h.guild.me) == ("send_messages", "embed_links")
    with pytest.raises(ChannelProblemError) as info:
        await post_to(h.bot, h.world.guild_id, "alerts", content="x")
    assert "send messages" in info.value.message("en")
    assert not h.in_channel(h.world.alerts)


async def test_send_forbidden_after_check_is_reported(configured: Harness) -> None:
    h = configured
    h.api.fail(
        "POST", "/channels/{channel_id}/messages", 403, code=50013, message="Missing Permissions"
    )
    with pytest.raises(ChannelProblemError) as info:
        await post_to(h.bot, h.world.guild_id, "alerts", content="x")
    assert info.value.reason == "missing_permissions"
