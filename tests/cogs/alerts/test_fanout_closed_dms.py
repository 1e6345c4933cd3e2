"""Fan-out when a subscriber's DMs are closed: the private-thread (or forum-post)
fallback, its reuse and replacement, and what moderators are told without the permission.

The DMs themselves (filters, eligibility, the hourly cap) are in test_fanout.py."""

from __future__ import annotations

import pytest

from db import guilds, subscriptions
from tests.cogs.alerts.helpers import dms_closed, grant_bot, make_alert, post, subscribe
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_closed_dms_fall_back_to_a_private_thread_that_is_reused(configured: Harness) -> None:
    h = configured
    await grant_bot(h, create_private_threads=True)
    await subscribe(h, h.alice)
    await subscribe(h, h.bob)
    dms_closed(h, h.alice)
    await post(h, make_alert(h, title="First"))
    [created] = h.api.calls_to("POST", "/channels/{channel_id}/threads")
    assert int(created.params["channel_id"]) == h.world.alerts
    assert created.json is not None
    assert created.json["type"] == 12 and created.json["invitable"] is False
    assert created.json["name"] == "Task alerts for Alice"
    record = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert record is not None and record.parent_id == h.world.alerts
    added = h.api.calls_to("PUT", "/channels/{channel_id}/thread-members/{user_id}")
    assert [int(c.params["user_id"]) for c in added] == [h.alice.id]
    [message] = h.in_channel(record.thread_id)
    assert message.content.startswith(f"<@{h.alice.id}> a task matching your alert")
    assert message.embed["title"] == "First"
    call = next(
        c
        for c in h.api.calls_to("POST", "/channels/{channel_id}/messages")
        if int(c.params["channel_id"]) == record.thread_id
    )
    assert call.json is not None
    # the one intended ping: Alice, and nobody else
    assert call.json["allowed_mentions"] == {"parse": [], "users": [h.alice.id]}
    assert len(h.dms_to(h.bob)) == 1  # Bob's DMs are open

    await post(h, make_alert(h, title="Second"))
    assert len(h.api.calls_to("POST", "/channels/{channel_id}/threads")) == 1
    assert [m.embed["title"] for m in h.in_channel(record.thread_id)] == ["First", "Second"]
    sent = await subscriptions.sent_times(h.db, h.world.guild_id, h.alice.id, 0)
    assert len(sent) == 2  # thread mentions count against the cap like DMs


async def test_a_deleted_fallback_thread_is_replaced(configured: Harness) -> None:
    h = configured
    await grant_bot(h, create_private_threads=True)
    await subscribe(h, h.alice)
    dms_closed(h, h.alice)
    await post(h, make_alert(h, title="First"))
    first = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert first is not None
    h.api.fail(
        "POST",
        "/channels/{channel_id}/messages",
        404,
        code=10003,
        match=lambda c: int(c.params["channel_id"]) == first.thread_id,
    )
    await post(h, make_alert(h, title="Second"))
    second = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert second is not None and second.thread_id != first.thread_id
    assert [m.embed["title"] for m in h.in_channel(second.thread_id)] == ["Second"]


async def test_a_forum_alerts_channel_gets_a_post_per_member(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, alerts_channel_id=h.world.forum)
    await subscribe(h, h.alice)
    dms_closed(h, h.alice)
    await post(h, make_alert(h, title="First", channel_id=h.world.forum))
    [created] = h.api.calls_to("POST", "/channels/{channel_id}/threads")
    assert int(created.params["channel_id"]) == h.world.forum
    assert created.json is not None and created.json["name"] == "Task alerts for Alice"
    starter = created.json["message"]
    assert starter["content"].startswith(f"<@{h.alice.id}>")
    assert starter["allowed_mentions"] == {"parse": [], "users": [h.alice.id]}
    record = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert record is not None and record.parent_id == h.world.forum
    await post(h, make_alert(h, title="Second", channel_id=h.world.forum))
    assert len(h.api.calls_to("POST", "/channels/{channel_id}/threads")) == 1
    assert h.in_channel(record.thread_id)[-1].embed["title"] == "Second"


async def test_without_thread_permission_moderators_are_told_and_nothing_counts(
    configured: Harness,
) -> None:
    h = configured
    problems: list[tuple[int, str, str]] = []

    async def on_channel_problem(guild_id: int, kind: str, detail: str) -> None:
        problems.append((guild_id, kind, detail))

    h.bot.add_listener(on_channel_problem)
    await grant_bot(h, create_private_threads=False)
    await subscribe(h, h.alice)
    dms_closed(h, h.alice)
    await post(h, make_alert(h))
    assert problems == [(h.world.guild_id, "alerts", "missing:create_private_threads")]
    assert h.api.calls_to("POST", "/channels/{channel_id}/threads") == []
    # nothing reached Alice, so nothing counts against her hourly cap
    assert await subscriptions.sent_times(h.db, h.world.guild_id, h.alice.id, 0) == []


async def test_a_forum_post_is_public_so_it_neither_claims_privacy_nor_shows_the_filters(
    configured: Harness,
) -> None:
    """Found by a hostile probe: a member's forum post (any reader of the forum sees it)
    said only they and the moderators could see it, and its footer listed their
    subscription's filters (the requester they follow, the pay they accept)."""
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, alerts_channel_id=h.world.forum)
    await subscribe(h, h.alice, requester="Oxford Psych Lab", keywords="decision")
    dms_closed(h, h.alice)
    await post(h, make_alert(h, title="Decision study", channel_id=h.world.forum))
    [created] = h.api.calls_to("POST", "/channels/{channel_id}/threads")
    starter = created.json["message"]
    assert "only you and the moderators" not in starter["content"], starter["content"]
    [embed] = starter["embeds"]
    assert "oxford" not in embed["footer"]["text"].lower(), embed["footer"]
    assert "decision" not in embed["footer"]["text"].lower(), embed["footer"]
    record = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert record is not None
    await post(h, make_alert(h, title="Decision game", channel_id=h.world.forum))
    again = h.in_channel(record.thread_id)[-1]
    assert "oxford" not in again.embed["footer"]["text"].lower()
    assert "only you and the moderators" not in again.content


async def test_a_private_thread_still_shows_the_members_filters(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, keywords="decision")
    dms_closed(h, h.alice)
    await post(h, make_alert(h, title="Decision study"))
    record = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert record is not None
    shown = h.in_channel(record.thread_id)[-1]
    assert "decision" in shown.embed["footer"]["text"]
    assert "only you and the moderators" in shown.content


async def test_a_members_name_cannot_smuggle_a_mention_into_their_thread_name(
    configured: Harness,
) -> None:
    h = configured
    hostile = await h.add_member("@everyone <@&123>")
    await subscribe(h, hostile)
    dms_closed(h, hostile)
    await post(h, make_alert(h, title="First"))
    [created] = h.api.calls_to("POST", "/channels/{channel_id}/threads")
    name = created.json["name"]
    assert "@everyone" not in name and "<@&123>" not in name, name
    assert name.startswith("Task alerts for ")
