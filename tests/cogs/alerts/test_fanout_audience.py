"""Who fan-out may tell: members who left (seen or unseen), members who cannot see the
alerts channel (judged once per role set, named overwrites included), new members, and many
subscribers at once.

The DMs themselves (filters, eligibility, the hourly cap) are in test_fanout.py."""

from __future__ import annotations

from typing import Any

import pytest

from db import subscriptions
from tests.cogs.alerts.helpers import make_alert, post, subscribe
from tests.harness.channel_access import overwrite, set_overwrites
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_leaving_the_server_removes_subscriptions(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="prolific")
    await subscribe(h, h.alice, keywords="survey")
    await subscribe(h, h.bob)
    await h.remove_member(h.alice)
    assert await subscriptions.for_member(h.db, h.world.guild_id, h.alice.id) == []
    await post(h, make_alert(h))
    assert h.dms_to(h.alice) == []
    assert len(h.dms_to(h.bob)) == 1


async def test_a_member_who_left_unseen_is_forgotten_at_the_next_alert(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    # The leave happened while the bot was offline: the reconnect's member list lacks her.
    member = h.guild.get_member(h.alice.id)
    assert member is not None
    h.guild._remove_member(member)
    h.guild._member_count -= 1
    await post(h, make_alert(h))
    assert h.dms_to(h.alice) == []
    assert await subscriptions.for_member(h.db, h.world.guild_id, h.alice.id) == []


async def test_members_who_cannot_see_the_alerts_channel_are_not_told(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    await subscribe(h, h.bob)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, overwrite(h.alice.id, member=True))
    await post(h, make_alert(h))
    assert h.dms_to(h.alice) == []
    assert len(h.dms_to(h.bob)) == 1


async def test_new_members_can_subscribe_and_be_told(configured: Harness) -> None:
    h = configured
    newcomer = await h.add_member("erin")
    await subscribe(h, newcomer)
    await post(h, make_alert(h))
    assert len(h.dms_to(newcomer)) == 1


async def test_many_subscribers_each_told_once(configured: Harness) -> None:
    h = configured
    people = [await h.add_member(f"worker{n}") for n in range(24)]
    for n, person in enumerate(people):
        platform = "prolific" if n % 3 else "mturk"
        await subscribe(h, person, platform=platform)
        await subscribe(h, person, keywords="survey")
    await post(h, make_alert(h, platform="toloka", title="Image tagging"))
    assert sum(len(h.dms_to(x)) for x in people) == 0
    await post(h, make_alert(h))  # a Prolific survey: everyone matches at least once
    assert [len(h.dms_to(x)) for x in people] == [1] * 24


async def test_channel_sight_is_judged_once_per_role_set_but_named_overwrites_count(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    import discord

    audience = importlib.import_module("cogs.alerts.audience")
    h = configured
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, overwrite(h.alice.id, member=True))
    guild = h.bot.get_guild(h.world.guild_id)
    assert guild is not None
    channel = guild.get_channel(h.world.alerts)
    calls: list[int] = []
    real = type(channel).permissions_for

    def counting(self: Any, obj: Any) -> discord.Permissions:
        calls.append(obj.id)
        return real(self, obj)

    monkeypatch.setattr(type(channel), "permissions_for", counting)
    sight = audience.ChannelSight(channel)
    alice, bob, carol = (guild.get_member(u.id) for u in (h.alice, h.bob, h.carol))
    assert alice is not None and bob is not None and carol is not None
    assert frozenset(bob._roles) == frozenset(carol._roles)
    assert sight(alice) is False  # her own overwrite: judged alone, never from the cache
    assert sight(bob) is True
    assert sight(carol) is True
    assert sight(alice) is False
    assert calls == [h.alice.id, h.bob.id, h.alice.id]
