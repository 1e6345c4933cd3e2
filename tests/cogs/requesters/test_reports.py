"""`/requester report`: receipt, card in the moderators' channel, limits, hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db import guilds
from tests.cogs.requesters.helpers import DESCRIPTION, act, cards, count, report
from tests.harness.driver import Harness
from tests.harness.driver import configure_server as configure

pytestmark = pytest.mark.both_backends


async def test_a_report_gets_a_receipt_and_a_card_for_moderators(configured: Harness) -> None:
    h = configured
    sent = await report(
        h,
        h.bob,
        evidence="https://imgur.com/a/proof http://example.org/rejections",
        attachment=("rejections.png", b"\x89PNG fake"),
    )
    assert sent.ephemeral and sent.kind == "response"  # answered at once, not deferred
    assert sent.content.startswith("Report #1 about Acme received")
    assert "visible to moderators only" in sent.content
    (card,) = cards(h)
    assert not card.ephemeral and card.channel_id == h.world.mods
    assert card.embed["title"] == "Report #1 · Non-payment or unfair mass rejection"
    assert card.embed["color"] == 0xF1C40F
    assert card.field("What happened") == DESCRIPTION
    assert card.field("Evidence").splitlines() == [
        "https://imgur.com/a/proof",
        "http://example.org/rejections",
    ]
    attachment = card.field("Attachment")
    assert attachment.startswith("[rejections.png](https://cdn.test/attachments/")
    assert card.field("Reporter (moderators only)") == f"<@{h.bob.id}>"
    assert [b["label"] for b in card.buttons] == ["Confirm", "Dismiss", "Ask for more"]
    assert [b["custom_id"] for b in card.buttons] == [
        "requesters:report:confirm:1",
        "requesters:report:dismiss:1",
        "requesters:report:ask:1",
    ]
    stored = await h.db.fetch_one("SELECT * FROM reports")
    assert stored["reporter_id"] == h.bob.id and stored["state"] == "open"
    assert stored["attachment_name"] == "rejections.png"
    assert stored["attachment_url"].startswith("https://cdn.test/")
    assert (stored["card_channel_id"], stored["card_message_id"]) == (
        h.world.mods,
        card.message_id,
    )
    # The file is linked, never downloaded or re-uploaded.
    assert not card.files
    h.api.assert_never_pinged()


async def test_the_reporter_never_appears_in_member_facing_text(configured: Harness) -> None:
    h = configured
    await report(h, h.bob, category="harvesting")
    (card,) = cards(h)
    await act(h, card, "Confirm", "Screenshot checked")
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert str(h.bob.id) not in info.text and "bob" not in info.text.lower()
    assert "Personal data or credential harvesting × 1" in info.field("Confirmed reports")


async def test_a_forum_moderators_channel_gets_a_post_per_report(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, mod_channel_id=h.world.forum)
    await report(h, h.bob, requester="Acme  Research")
    posts = [s for s in h.api.sent if s.kind == "forum_post"]
    assert len(posts) == 1
    thread = h.api.calls_to("POST", "/channels/{channel_id}/threads")[-1]
    assert thread.json["name"] == "#1 · Acme Research"
    stored = await h.db.fetch_one("SELECT card_channel_id, card_message_id FROM reports")
    assert stored["card_channel_id"] == posts[0].channel_id


async def test_one_open_report_per_member_per_requester(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    again = await report(h, h.bob, category="underpaid", description="Also the pay is far too low")
    assert again.ephemeral and "already have an open report" in again.content
    other = await report(h, h.carol)
    assert other.content.startswith("Report #2")
    assert await count(h, "reports") == 2
    assert len(cards(h)) == 2


async def test_reports_per_day_are_limited_by_the_server_setting(harness: Harness) -> None:
    h = await configure(harness, reports_per_day=2)
    await report(h, h.bob, requester="One")
    await report(h, h.bob, requester="Two")
    third = await report(h, h.bob, requester="Three")
    assert "filed 2 reports in the last 24 hours" in third.content
    assert await count(h, "reports") == 2
    assert await count(h, "requesters") == 2  # the refused report created nothing either
    h.clock.advance(hours=24, seconds=1)
    fourth = await report(h, h.bob, requester="Three")
    assert fourth.content.startswith("Report #3")


async def test_new_members_can_report_but_the_card_says_so(configured: Harness) -> None:
    h = configured
    newcomer = await h.add_member("newcomer", joined_at=h.clock.now() - timedelta(days=2))
    sent = await report(h, newcomer)
    assert sent.content.startswith("Report #1")
    assert "New member" in cards(h)[-1].field("Reporter")
    veteran = await report(h, h.bob, requester="Other")
    assert veteran.content.startswith("Report #2")
    assert "New member" not in cards(h)[-1].field("Reporter")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"description": "   "}, "cannot be empty"),
        ({"description": "bad"}, "at least 10 characters"),
        ({"description": "x" * 10_000}, "10000 characters long"),
        ({"description": "He wants payment via paypal to pay@evil.biz"}, "no personal information"),
        ({"description": "He wants payment via pay (at) evil (dot) biz"}, "description field"),
        ({"requester": "john.doe@example.com"}, "from the requester name field"),
        ({"requester": "john.doe＠example.com"}, "from the requester name field"),
        ({"requester": "Acme +33 6 12 34 56 78"}, "remove the phone number"),
        ({"evidence": "https://e.com/?contact=pay@evil.biz"}, "from the evidence field"),
        ({"evidence": "javascript:alert(document.cookie)"}, "not a web link"),
        ({"evidence": "data:text/html,<script>alert(1)</script>"}, "not a web link"),
        ({"evidence": " ".join(f"https://e.com/{i}" for i in range(6))}, "At most 5"),
        ({"category": "vibes"}, "not a report category"),
        ({"requester_id": "A1"}, "not a valid requester id"),
    ],
)
async def test_bad_reports_are_refused_and_nothing_is_stored(
    configured: Harness, options: dict[str, object], expected: str
) -> None:
    h = configured
    sent = await report(h, h.bob, **options)
    assert sent.ephemeral and expected in sent.content
    assert await count(h, "reports") == 0
    assert await count(h, "requesters") == 0
    assert cards(h) == []


async def test_hostile_text_is_neutralised_on_the_card(configured: Harness) -> None:
    h = configured
    await report(
        h,
        h.bob,
        requester="@everyone **Evil** Corp",
        description="@here <@&1234> [click](javascript:alert(1)) **bold** " + "y" * 1500,
    )
    (card,) = cards(h)
    assert "@\u200beveryone" in card.embed["description"]
    value = card.field("What happened")
    assert "@\u200bhere" in value and "<@&1234>" not in value and "\\*\\*bold\\*\\*" in value
    assert len(value) <= 1024
    h.api.assert_never_pinged()


async def test_a_server_that_is_not_set_up_cannot_take_reports(harness: Harness) -> None:
    h = harness
    sent = await report(h, h.bob)
    assert sent.ephemeral and "/setup" in sent.content
    assert await count(h, "reports") == 0


async def test_a_broken_moderators_channel_keeps_the_report_for_the_queue(
    configured: Harness,
) -> None:
    h = configured
    h.api.fail("POST", "/channels/{channel_id}/messages", 403, code=50013)
    sent = await report(h, h.bob)
    assert "saved" in sent.content and "needs attention" in sent.content
    stored = await h.db.fetch_one("SELECT * FROM reports")
    assert stored["card_message_id"] is None
    queue = await h.slash("mod queue", user=h.mod)
    assert "Posted 1 report card that" in queue.content
    assert "#1" in queue.embed["description"] and "card" in queue.embed["description"]
    assert len(cards(h)) == 1
    assert await h.db.fetch_value("SELECT card_message_id FROM reports") is not None
