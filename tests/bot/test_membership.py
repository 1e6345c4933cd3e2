"""Members who left a server (live, or while the bot was offline) get nothing more from it.

#12.5: subscriptions used to be dropped only when the leave event arrived live, so a member
who left or was banned while the bot was offline still got that server's tasks by DM and
in their personal digest, and kept feeding its community statistics.
"""

from __future__ import annotations

from typing import Any

import pytest

from db import earnings, subscriptions
from tests.harness.driver import Harness
from tests.harness.fake_discord import FakeDiscord


async def subscribe(h: Harness, user: Any) -> None:
    sent = await h.slash("alerts subscribe", user=user)
    assert sent.ephemeral, sent.content


async def held(h: Harness, user: Any) -> tuple[int, bool]:
    """(subscriptions in the server, whether they feed its statistics)."""
    subs = await subscriptions.for_member(h.db, h.world.guild_id, user.id)
    sharing = user.id in await earnings.sharing_member_ids(h.db, h.world.guild_id)
    return len(subs), sharing


async def setup_members(h: Harness) -> None:
    for user in (h.alice, h.bob, h.carol):
        await subscribe(h, user)
        await h.slash("earnings share on", user=user)
    for user in (h.alice, h.bob, h.carol):
        assert await held(h, user) == (1, True)


def arrive(h: Harness, without: list[Any], *, member_count: int | None = None) -> None:
    """The server arrives again (GUILD_CREATE after the bot was offline) without some people."""
    payload = h._guild_payload("en-US")
    gone = {str(u.id) for u in without}
    payload["members"] = [m for m in payload["members"] if m["user"]["id"] not in gone]
    payload["member_count"] = member_count or len(payload["members"])
    # A new session starts from an empty cache (discord.py clears it on READY).
    h.bot._connection._remove_guild(h.guild)
    h.bot._connection.parse_guild_create(payload)


async def share(h: Harness, title: str) -> None:
    await h.slash(
        "task share",
        user=h.dave,
        link=f"https://www.mturk.com/projects/{abs(hash(title)) % 10**6}/tasks",
        title=title,
        reward=1,
        minutes=5,
    )
    await h.settle()


async def test_leaving_while_offline_is_caught_up_when_the_server_arrives(
    configured: Harness,
) -> None:
    h = configured
    await setup_members(h)
    arrive(h, without=[h.bob])  # Bob left while the bot was offline: no leave event
    await h.settle()
    assert h.guild.chunked
    assert await held(h, h.bob) == (0, False)
    assert await held(h, h.alice) == (1, True)
    await share(h, "After the outage")
    assert len(h.dms_to(h.alice)) == 1
    assert h.dms_to(h.bob) == []


async def test_an_incomplete_member_list_is_checked_one_by_one(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large server is not chunked: a missing member is looked up, not assumed gone."""
    h = configured
    await setup_members(h)
    monkeypatch.setattr(h.bot._connection, "_chunk_guilds", False)
    carol = h.carol
    route = "GET /guilds/{guild_id}/members/{member_id}"
    original = FakeDiscord._REST[route]

    def lookup(self: FakeDiscord, call: Any) -> Any:
        if int(call.params["member_id"]) == carol.id:  # in the server, not in the cache
            return {**carol.member_json(), "deaf": False, "mute": False}
        return original(self, call)

    monkeypatch.setitem(FakeDiscord._REST, route, lookup)
    arrive(h, without=[h.bob, h.carol], member_count=5000)
    await h.settle()
    assert not h.guild.chunked
    assert await held(h, h.bob) == (0, False)  # Discord says "Unknown Member"
    assert await held(h, h.carol) == (1, True)  # found by the lookup: kept
    assert await held(h, h.alice) == (1, True)
    await share(h, "Big server")
    assert len(h.dms_to(h.carol)) == 1 and len(h.dms_to(h.alice)) == 1
    assert h.dms_to(h.bob) == []


async def test_a_failed_lookup_forgets_nothing(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    await setup_members(h)
    monkeypatch.setattr(h.bot._connection, "_chunk_guilds", False)
    h.api.fail("GET", "/guilds/{guild_id}/members/{member_id}", 500, times=0)
    arrive(h, without=[h.bob], member_count=5000)
    await h.settle()
    assert await held(h, h.bob) == (1, True)  # absence not proven: kept
    await share(h, "Lookup down")
    assert h.dms_to(h.bob) == []  # but not sent anything while unconfirmed
    assert len(h.dms_to(h.alice)) == 1


async def test_a_ban_and_a_leave_forget_at_once(configured: Harness) -> None:
    h = configured
    await setup_members(h)
    await h.gateway("GUILD_BAN_ADD", {"guild_id": str(h.world.guild_id), "user": h.bob.user_json()})
    assert await held(h, h.bob) == (0, False)
    await h.remove_member(h.carol)
    assert await held(h, h.carol) == (0, False)
    assert await held(h, h.alice) == (1, True)
