"""Expiry by the scheduler (surviving restarts), and alerts as forum posts with tags."""

from __future__ import annotations

import pytest

from tests.cogs.tasks.conftest import GREEN, GREY, last_alert, set_guild, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def cog(h: Harness):
    return h.bot.get_cog("Tasks")


async def test_alerts_expire_after_the_servers_time(configured: Harness) -> None:
    h = configured
    await set_guild(h, alert_expiry_minutes=30)
    await share(h)
    alert = last_alert(h)
    h.clock.advance(minutes=29)
    assert await cog(h).expire_due() == 0
    assert h.current(alert).embed["color"] == GREEN
    h.clock.advance(minutes=1)
    assert await cog(h).expire_due() == 1
    now = h.current(alert)
    assert now.embed["color"] == GREY and now.embed["description"].startswith("⌛ **Expired**")
    assert all(b.get("disabled") for b in now.buttons)
    (row,) = await stored(h)
    assert row.state == "expired" and row.ended_at == row.created_at + 30 * 60
    assert await cog(h).expire_due() == 0  # nothing is ended twice


async def test_the_sweep_is_a_scheduled_job(configured: Harness) -> None:
    job = configured.bot.scheduler.get_job("tasks.expire")
    assert job is not None and job.trigger.interval.total_seconds() == 60


async def test_expiry_survives_a_restart(configured: Harness, monkeypatch) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = dict(h.api.messages[alert.message_id])
    h.clock.advance(hours=3)  # the bot was down when the alert was due
    h2 = await h.restart(monkeypatch=monkeypatch)
    try:
        assert h2.bot.scheduler.get_job("tasks.expire") is not None
        # The start-up sweep already caught up; the message edit went to Discord.
        edits = h2.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")
        assert [c.params["message_id"] for c in edits] == [str(alert.message_id)]
        assert edits[0].json["embeds"][0]["color"] == GREY
        (row,) = await stored(h2)
        assert row.state == "expired"
        h2.api.messages[alert.message_id] = message
        assert await cog(h2).expire_due() == 0
    finally:
        await h2.stop()


async def test_a_forum_alert_is_a_post_with_platform_and_pay_tags(forum: Harness) -> None:
    h = forum
    sent = await share(h, reward=0.5, minutes=6)
    posts = [s for s in h.api.sent if s.kind == "forum_post"]
    assert len(posts) == 1 and "Alert posted" in sent.content
    post = posts[0]
    thread = h.bot.get_channel(post.channel_id)
    assert thread is not None and thread.parent_id == h.world.forum
    assert thread.name == "MTurk · $0.50 · 6 min · $5.00/h — Rate images"
    assert sorted(tag.name for tag in thread.applied_tags) == ["Low pay", "MTurk"]
    forum_channel = h.bot.get_channel(h.world.forum)
    assert {t.name for t in forum_channel.available_tags} == {"MTurk", "Low pay"}
    assert post.embed["color"] == 0xE74C3C

    await share(
        h, h.bob, link="https://worker.mturk.com/projects/3BBBBBBBBBBBBBBBBBBBBBBBBBBBBB/tasks"
    )
    tag_edits = [
        c
        for c in h.api.calls_to("PATCH", "/channels/{channel_id}")
        if "available_tags" in (c.json or {})
    ]
    assert len(tag_edits) == 2  # "Good pay" was new; "MTurk" was reused
    assert {t.name for t in forum_channel.available_tags} == {"MTurk", "Low pay", "Good pay"}


async def test_a_gone_forum_post_is_tagged_and_archived(forum: Harness) -> None:
    h = forum
    await share(h)
    post = next(s for s in h.api.sent if s.kind == "forum_post")
    await h.click(post, "Gone", user=h.mod)
    thread = h.api.channels[post.channel_id]  # archived threads leave discord.py's cache
    assert thread["thread_metadata"]["archived"] and not thread["thread_metadata"]["locked"]
    tags = {t.id: t.name for t in h.bot.get_channel(h.world.forum).available_tags}
    assert sorted(tags[int(i)] for i in thread["applied_tags"]) == ["Gone", "Good pay", "MTurk"]
    assert h.current(post).embed["color"] == GREY


async def test_an_expired_forum_post_is_archived_after_a_restart(
    forum: Harness, monkeypatch
) -> None:
    h = forum
    await share(h, warning="hate")
    post = next(s for s in h.api.sent if s.kind == "forum_post")
    thread_id = post.channel_id
    assert "Content warning" in {t.name for t in h.bot.get_channel(thread_id).applied_tags}
    assert "Rate images" not in h.bot.get_channel(thread_id).name  # the warning hides it
    h2 = await h.restart(monkeypatch=monkeypatch)
    try:
        h2.api.channels[thread_id] = dict(h.api.channels[thread_id])
        h2.api.messages[post.message_id] = dict(h.api.messages[post.message_id])
        h2.clock.advance(hours=3)
        assert await cog(h2).expire_due() == 1
        edits = [
            c
            for c in h2.api.calls_to("PATCH", "/channels/{channel_id}")
            if c.params["channel_id"] == str(thread_id)
        ]
        assert edits and edits[-1].json["archived"] is True
        assert h2.current(post.message_id).embed["color"] == GREY
    finally:
        await h2.stop()


async def test_a_forum_post_warned_later_is_renamed_and_tagged(forum: Harness) -> None:
    """Found by a hostile probe: a forum post's name (shown in the forum's list, where no
    spoiler can hide it) kept a title that was given a content warning after posting."""
    h = forum
    await share(h, title="Label crash victim photos")
    post = next(s for s in h.api.sent if s.kind == "forum_post")
    picker = (await h.click(post, "Add a warning", user=h.bob))[-1]
    await h.select(picker, picker.walk_components()[1]["custom_id"], ["violence"], user=h.bob)
    await h.click(post, "Confirm warning", user=h.carol)
    await h.settle()
    thread = h.api.channels[post.channel_id]
    assert "crash" not in thread["name"], thread["name"]
    assert thread["name"].endswith("⚠️ Content warning: violence or gore"), thread["name"]
    tags = {t.id: t.name for t in h.bot.get_channel(h.world.forum).available_tags}
    assert "Content warning" in [tags[int(i)] for i in thread["applied_tags"]]

    picker = (await h.click(post, "Add a warning", user=h.mod))[-1]
    await h.select(picker, picker.walk_components()[1]["custom_id"], ["clear"], user=h.mod)
    await h.settle()
    thread = h.api.channels[post.channel_id]
    assert thread["name"].endswith("— Label crash victim photos"), thread["name"]
    assert "Content warning" not in [tags[int(i)] for i in thread["applied_tags"]]
    h.api.assert_never_pinged()
