"""`/task share` end to end: the alert members see, where it goes, and what is stored."""

from __future__ import annotations

from typing import Any

import pytest

from db import guilds, requesters
from db import tasks as tasks_db
from tests.cogs.tasks.conftest import (
    BLUE,
    GREEN,
    GROUP,
    MTURK,
    ORANGE,
    PROLIFIC,
    RED,
    STUDY,
    last_alert,
    record_posted,
    set_guild,
    share,
    stored,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_share_posts_a_coloured_alert_and_tells_the_sharer_where(configured: Harness) -> None:
    h = configured
    sent = await share(
        h,
        link=MTURK + "?assignment_id=3XYZ&workerId=A2MYOWNID",
        requester="Acme Research",
        requester_id="A1B2C3D4E5F6G7",
        limits="US only, Masters",
        available=250,
        notes="Bonus for good work",
    )
    alert = last_alert(h)
    assert sent.ephemeral and sent.content.startswith(
        "✅ Alert posted: https://discord.com/channels/"
    )
    assert str(alert.message_id) in sent.content
    assert "$15.00/h" in sent.content and "United States" in sent.content

    embed = alert.embed
    assert not alert.ephemeral
    assert embed["title"] == "Rate images"
    assert embed["url"] == MTURK  # the worker's own ids are gone
    assert embed["color"] == GREEN
    assert alert.field("Reward") == "$1.50"
    assert alert.field("Time") == "6 min"
    assert alert.field("Hourly") == "**$15.00/h**\n🟢 Fair pay"
    assert alert.field("Requester") == "Acme Research · `A1B2C3D4E5F6G7`\nNo reviews yet"
    assert alert.field("Who can take it") == "🌍 United States\n🎓 Masters"
    assert alert.field("Available") == "250"
    assert alert.field("Notes") == "Bonus for good work"
    assert alert.field("Shared by") == f"<@{h.alice.id}>"
    assert "Expires <t:" in alert.field("Freshness")
    assert embed["footer"]["text"] == "MTurk · alert #1"
    assert [b["label"] for b in alert.buttons] == [
        "Still live",
        "Gone",
        "I did it",
        "Add a warning",
    ]
    assert alert.buttons[0]["custom_id"] == "tasks:live:1"

    (row,) = await stored(h)
    assert row.state == "live" and row.platform == "mturk" and row.platform_task_id == GROUP
    assert (row.reward_cents, row.currency, row.minutes, row.hourly_cents) == (150, "USD", 6, 1500)
    assert row.countries == frozenset({"US"}) and row.qualifications == frozenset({"masters"})
    assert (row.channel_id, row.message_id) == (h.world.alerts, alert.message_id)
    assert row.sharer_id == h.alice.id and row.requester_name == "Acme Research"
    assert row.expires_at == row.created_at + 120 * 60
    requester = await requesters.get(h.db, row.requester_id or 0)
    assert requester is not None and requester.platform_requester_id == "A1B2C3D4E5F6G7"
    h.api.assert_never_pinged()


async def test_pay_tier_colours_follow_the_servers_thresholds(configured: Harness) -> None:
    h = configured
    cases = [(0.5, RED, "🔴 Below minimum wage"), (0.9, ORANGE, "🟠 Below fair pay")]
    for i, (reward, colour, label) in enumerate(cases):
        await share(h, link=f"https://example.com/task/{i}", reward=reward, minutes=6)
        alert = last_alert(h)
        assert alert.embed["color"] == colour
        assert label in alert.field("Hourly")
    await set_guild(h, min_wage_cents=1500, fair_wage_cents=2000)
    await share(h, link="https://example.com/task/9", reward=1.5, minutes=6)
    assert last_alert(h).embed["color"] == ORANGE  # $15/h is only "mid" here


async def test_other_currencies_are_not_rated_against_dollar_thresholds(
    configured: Harness,
) -> None:
    h = configured
    await share(h, link=PROLIFIC, reward=2.5, minutes=15, currency="gbp", title="Survey")
    alert = last_alert(h)
    assert alert.embed["color"] == BLUE
    assert alert.field("Reward") == "£2.50"
    assert "£10.00/h" in alert.field("Hourly") and "Not rated" in alert.field("Hourly")
    assert alert.embed["footer"]["text"].startswith("Prolific")
    (row,) = await stored(h)
    assert row.platform_task_id == STUDY and row.currency == "GBP"


async def test_a_link_alone_is_enough(configured: Harness) -> None:
    h = configured
    sent = await h.slash("task share", user=h.bob, link=MTURK, reward=0.1, minutes=1)
    assert sent.ephemeral and "Alert posted" in sent.content
    alert = last_alert(h)
    assert alert.embed["title"] == f"MTurk {GROUP}"
    assert alert.field("Who can take it") == "Open to everyone"


async def test_public_alert_in_the_servers_language_reply_in_the_members(
    configured: Harness,
) -> None:
    h = configured
    await set_guild(h, locale="fr")
    sent = await share(h, locale="en-US", limits="US only")
    alert = last_alert(h)
    assert sent.content.startswith("✅ Alert posted")
    assert alert.field("Rémunération") == "1,50\xa0$US"
    assert "15,00\xa0$US/h" in alert.field("Taux horaire")
    assert alert.field("Qui peut la faire") == "🌍 États-Unis"
    assert [b["label"] for b in alert.buttons][:2] == ["Encore dispo", "Partie"]
    french = await share(h, h.bob, locale="fr", link="https://example.com/other")
    assert french.content.startswith("✅ Alerte publiée")


async def test_anonymous_shares_hide_the_sharer_but_keep_them_for_privacy(
    configured: Harness,
) -> None:
    h = configured
    sent = await share(h, anonymous=True)
    alert = last_alert(h)
    assert alert.field("Shared by") == "Anonymous"
    assert str(h.alice.id) not in alert.text
    assert "not shown" in sent.content
    (row,) = await stored(h)
    assert row.anonymous and row.sharer_id == h.alice.id


async def test_alert_posted_is_dispatched_once_per_new_alert(configured: Harness) -> None:
    h = configured
    seen = record_posted(h)
    await share(h, limits="US, CA")
    await share(h, h.bob)  # a duplicate: a bump, not a new alert
    await h.settle()
    assert len(seen) == 1
    alert = seen[0]
    assert (
        alert.jump_url
        == f"https://discord.com/channels/{h.world.guild_id}/{h.world.alerts}/{last_alert(h).message_id}"
    )
    assert alert.countries == frozenset({"US", "CA"}) and alert.state == "live"
    assert alert.sharer_id == h.alice.id and alert.warning is None
    now = await tasks_db.get_alert(h.db, alert.id)
    assert now is not None and (now.id, now.message_id, now.seen_count) == (
        alert.id,
        alert.message_id,
        2,
    )


async def test_a_server_that_is_not_set_up_gets_no_alert(harness: Harness) -> None:
    sent = await share(harness)
    assert sent.ephemeral and "/setup" in sent.content
    assert await stored(harness) == []
    assert harness.in_channel(harness.world.alerts) == []


async def test_a_deleted_alerts_channel_stores_nothing_and_tells_moderators(
    configured: Harness,
) -> None:
    h = configured
    problems: list[tuple[Any, ...]] = []

    async def on_channel_problem(*args: Any) -> None:
        problems.append(args)

    h.bot.add_listener(on_channel_problem)
    await set_guild(h, alerts_channel_id=4242)  # a channel that no longer exists
    sent = await share(h)
    assert sent.ephemeral and "The alerts channel was deleted" in sent.content
    assert await stored(h) == []
    assert problems and problems[0][:2] == (h.world.guild_id, "alerts")
    assert (await guilds.get(h.db, h.world.guild_id)).alerts_channel_id is None
    again = await share(h)
    assert again.ephemeral and "No alerts channel is set up" in again.content
    assert await stored(h) == []


async def test_when_discord_refuses_the_post_nothing_is_stored(configured: Harness) -> None:
    h = configured
    h.api.fail("POST", "/channels/{channel_id}/messages", 403, code=50013)
    sent = await share(h)
    assert sent.ephemeral and "missing" in sent.content
    assert await stored(h) == []
    retry = await share(h)  # the same task can be shared once things work again
    assert "Alert posted" in retry.content
    assert len(await stored(h)) == 1


async def test_the_long_form_modal(configured: Harness) -> None:
    h = configured
    modal = await h.slash("task share-form", user=h.bob, reward=3, minutes=20, platform="prolific")
    assert modal.kind == "modal" and modal.payload["title"] == "Share a task"
    replies = await h.submit_modal(
        modal,
        {
            "link": PROLIFIC,
            "title": "Decision making study",
            "requester": "Uni Lab (5f0c1e2d3b4a)",
            "limits": "UK only\napproval 99%",
            "notes": "Two parts.\nPart two pays a bonus.",
        },
        user=h.bob,
    )
    assert "Alert posted" in replies[-1].content
    alert = last_alert(h)
    assert alert.embed["title"] == "Decision making study"
    assert alert.field("Hourly").startswith("**$9.00/h**")
    assert alert.field("Requester").startswith("Uni Lab · `5f0c1e2d3b4a`")
    assert "United Kingdom" in alert.field("Who can take it")
    assert "HIT approval ≥ 99%" in alert.field("Who can take it")
    assert alert.field("Notes") == "Two parts.\nPart two pays a bonus."


async def test_the_long_form_checks_numbers_before_opening(configured: Harness) -> None:
    h = configured
    sent = await h.slash("task share-form", reward=-2, minutes=5)
    assert sent.kind == "response" and sent.ephemeral and "more than zero" in sent.content
    sent = await h.slash("task share-form", reward=2, minutes=5, currency="XYZ")
    assert sent.ephemeral and "XYZ" in sent.content


async def test_shares_only_in_servers(configured: Harness) -> None:
    sent = await share(configured, dm=True)
    assert sent.ephemeral and "server" in sent.content
    assert await stored(configured) == []


async def test_member_text_is_shown_escaped_and_never_pings(configured: Harness) -> None:
    h = configured
    await share(h, title="Rate 5* hotels_v2 | fast > slow", notes="a_b_c and 2*3*4")
    alert = last_alert(h)
    assert alert.embed["title"] == "Rate 5\\* hotels\\_v2 \\| fast > slow"
    assert alert.field("Notes") == "a\\_b\\_c and 2\\*3\\*4"
    h.api.assert_never_pinged()


async def test_a_caution_requester_carries_a_warning_line(configured: Harness) -> None:
    h = configured
    req = await requesters.upsert(h.db, "mturk", "A1B2C3D4E5F6G7", "Shady Co", 0)
    await h.db.execute(
        "UPDATE requesters SET status = 'caution', status_reason = 'slow to pay' WHERE id = ?",
        (req.id,),
    )
    sent = await share(h, requester_id="A1B2C3D4E5F6G7")
    alert = last_alert(h)
    assert (
        "Moderators advise caution with this requester. slow to pay" in alert.embed["description"]
    )
    assert "caution" in sent.content
    assert alert.embed["color"] == GREEN  # the pay tier still shows; the warning is words


async def test_scam_requesters_are_refused_unless_the_server_only_warns(
    configured: Harness,
) -> None:
    h = configured
    req = await requesters.upsert(h.db, "mturk", "A1B2C3D4E5F6G7", "Scammer", 0)
    await h.db.execute(
        "UPDATE requesters SET status = 'scam', status_reason = 'never pays' WHERE id = ?",
        (req.id,),
    )
    sent = await share(h, requester="Scammer", requester_id="A1B2C3D4E5F6G7")
    assert sent.ephemeral and "scam" in sent.content and "never pays" in sent.content
    assert await stored(h) == []
    assert h.in_channel(h.world.alerts) == []

    await set_guild(h, scam_policy="warn")
    sent = await share(h, requester="Scammer", requester_id="A1B2C3D4E5F6G7")
    assert "Alert posted" in sent.content
    assert "flagged this requester as a scam. never pays" in last_alert(h).embed["description"]


async def test_a_survey_link_is_posted_without_the_members_worker_id(configured: Harness) -> None:
    h = configured
    worker = "A2BCDEFGH3IJKLM"
    sent = await share(
        h, link=f"https://survey.example.com/s?MID={worker}&entry.1={worker}&lang=en"
    )
    assert "posted" in sent.content, sent.content
    alert = last_alert(h)
    assert alert.embed["url"] == "https://survey.example.com/s?lang=en"
    assert worker not in str(alert.payload)
    (row,) = await stored(h)
    assert row.link == "https://survey.example.com/s?lang=en"
