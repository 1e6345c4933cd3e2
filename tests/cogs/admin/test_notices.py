"""Moderators hear about broken channels once, in the right place and language."""

from __future__ import annotations

import discord
import pytest

from bot.delivery import ChannelProblemError, post_to
from db import guilds, members
from tests.cogs.setup.support import deny_bot, set_overwrites, stored
from tests.harness import payloads as p
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def notices(h: Harness, channel_id: int) -> list:
    return [s for s in h.in_channel(channel_id) if "cannot use a channel" in s.text]


async def fail_post(h: Harness, kind: str = "alerts") -> ChannelProblemError:
    with pytest.raises(ChannelProblemError) as info:
        await post_to(h.bot, h.world.guild_id, kind, content="a task")
    await h.settle()
    return info.value


async def test_missing_permissions_are_told_once_in_the_moderators_channel(
    configured: Harness,
) -> None:
    h = configured
    await set_overwrites(h, h.world.alerts, deny_bot(h, embed_links=True))
    posted = notices(h, h.world.mods)
    assert len(posted) == 1  # noticed when the permission was removed, before any share
    notice = posted[0]
    assert notice.embed["color"] == 0xF1C40F
    assert f"<#{h.world.alerts}>" in notice.embed["description"]
    assert "I am missing embed links" in notice.embed["description"]
    assert "/setup channel" in notice.embed["description"]

    for _ in range(5):  # members keep sharing: no flood
        await fail_post(h)
    assert len(notices(h, h.world.mods)) == 1

    h.clock.advance(hours=25)
    await fail_post(h)
    assert len(notices(h, h.world.mods)) == 2  # a day later, still broken: told again
    h.api.assert_never_pinged()


async def test_a_changed_problem_is_told_again(configured: Harness) -> None:
    h = configured
    await set_overwrites(h, h.world.alerts, deny_bot(h, embed_links=True))
    await set_overwrites(h, h.world.alerts, deny_bot(h, send_messages=True))
    posted = notices(h, h.world.mods)
    assert len(posted) == 2
    assert "send messages, embed links" in posted[-1].embed["description"]


async def test_fixed_permissions_reset_the_quiet_period(configured: Harness) -> None:
    h = configured
    await set_overwrites(h, h.world.alerts, deny_bot(h, embed_links=True))
    await set_overwrites(h, h.world.alerts, [])  # fixed
    await post_to(h.bot, h.world.guild_id, "alerts", content="ok")  # works again
    await set_overwrites(h, h.world.alerts, deny_bot(h, embed_links=True))  # broken again
    assert len(notices(h, h.world.mods)) == 2


async def test_discord_refusing_a_send_is_reported(configured: Harness) -> None:
    h = configured
    h.api.fail(
        "POST",
        "/channels/{channel_id}/messages",
        403,
        code=50013,
        match=lambda c: c.params["channel_id"] == str(h.world.alerts),
    )
    await fail_post(h)
    notice = notices(h, h.world.mods)[-1]
    assert "Discord refused my message" in notice.embed["description"]


async def test_deleted_channel_is_forgotten_and_reported_immediately(configured: Harness) -> None:
    h = configured
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.alerts, h.world.guild_id, "task-alerts")
    )
    assert (await stored(h)).alerts_channel_id is None
    notice = notices(h, h.world.mods)[-1]
    assert "alerts channel was deleted" in notice.embed["description"]
    error = await fail_post(h)
    assert error.reason == "not_configured"  # nothing retried against the dead channel
    assert len(notices(h, h.world.mods)) == 1


async def test_deleting_an_unrelated_channel_changes_nothing(configured: Harness) -> None:
    h = configured
    before = await stored(h)
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.general, h.world.guild_id, "general")
    )
    assert await stored(h) == before
    assert not notices(h, h.world.mods)


async def test_broken_moderators_channel_is_told_to_the_owner(configured: Harness) -> None:
    h = configured
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.mods, h.world.guild_id, "moderators")
    )
    dms = h.dms_to(h.world.owner)
    assert len(dms) == 1
    text = dms[0].embed["description"]
    assert "I could not reach the moderators of **Turkers United**" in text
    assert "moderators' channel was deleted" in text

    # Later, the alerts channel breaks too: the moderators cannot be reached, the owner is.
    await set_overwrites(h, h.world.alerts, deny_bot(h, embed_links=True))
    dms = h.dms_to(h.world.owner)
    assert len(dms) == 2 and "I am missing embed links" in dms[-1].embed["description"]
    h.api.assert_never_pinged()


async def test_owner_dm_in_the_owners_own_language(configured: Harness) -> None:
    h = configured
    await members.set_locale(h.db, h.world.owner.id, "fr", 0)
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.mods, h.world.guild_id, "moderators")
    )
    text = h.dms_to(h.world.owner)[0].embed["description"]
    assert "Je n'ai pas pu joindre les modérateurs" in text
    assert "Le salon des modérateurs a été supprimé" in text


async def test_owner_with_closed_dms_is_logged_not_crashed(configured: Harness) -> None:
    h = configured
    h.api.fail("POST", "/channels/{channel_id}/messages", 403, code=50007, times=0)
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.mods, h.world.guild_id, "moderators")
    )
    assert (await stored(h)).mod_channel_id is None


async def test_notices_use_the_servers_language(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, locale="fr")
    await set_overwrites(h, h.world.digest, deny_bot(h, send_messages=True))
    notice = notices(h, h.world.mods)
    assert not notice
    french = [s for s in h.in_channel(h.world.mods) if "ne peut pas utiliser" in s.text]
    assert len(french) == 1
    assert "il me manque envoyer des messages, intégrer des liens" in french[0].embed["description"]
    assert "salon du bilan" in french[0].embed["description"]


async def test_hostile_server_name_cannot_ping_or_break_the_owner_dm(configured: Harness) -> None:
    h = configured
    guild_json = h._guild_payload("en-US")
    guild_json["name"] = "@everyone **boom** <@&1> " + "x" * 10_000
    await h.gateway("GUILD_UPDATE", guild_json)
    await h.gateway(
        "CHANNEL_DELETE", p.text_channel_json(h.world.mods, h.world.guild_id, "moderators")
    )
    text = h.dms_to(h.world.owner)[0].embed["description"]
    assert "@everyone" not in text and "**boom**" not in text
    assert len(text) < 1000
    h.api.assert_never_pinged()


async def test_bot_role_losing_permissions_is_noticed(configured: Harness) -> None:
    h = configured

    async def update_role(role_id: int, name: str, base: discord.Permissions, pos: int) -> None:
        perms = discord.Permissions(base.value)
        perms.embed_links = False
        role = p.role_json(role_id, name, perms, pos)
        await h.gateway("GUILD_ROLE_UPDATE", {"guild_id": str(h.world.guild_id), "role": role})

    await update_role(h.world.everyone_role, "@everyone", p.EVERYONE_PERMS, 0)
    assert not h.dms_to(h.world.owner)  # the bot's own role still grants Embed Links
    await update_role(h.world.bot_role, "Entraide", p.BOT_PERMS, 4)
    # Every configured channel lost Embed Links, the moderators' channel included, so the
    # owner is told (once per channel) and nothing lands half-rendered in the channels.
    dms = h.dms_to(h.world.owner)
    assert len(dms) == 3
    assert all("I am missing embed links" in d.embed["description"] for d in dms)
    assert not notices(h, h.world.mods)
