"""Requester standing on live alerts, and members' data: export and erase."""

from __future__ import annotations

import pytest

from db import tasks as tasks_db
from tests.cogs.tasks.conftest import last_alert, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_a_status_change_redraws_that_requesters_live_alerts(configured: Harness) -> None:
    h = configured
    await share(h, requester="Acme", link="https://example.com/1")
    live = last_alert(h)
    await share(h, requester="Acme", link="https://example.com/2")
    ended = last_alert(h)
    await h.click(ended, "Gone", user=h.mod)
    await share(h, requester="Other", link="https://example.com/3")
    other = last_alert(h)
    requester_id = (await stored(h))[0].requester_id
    await h.db.execute(
        "UPDATE requesters SET status = 'caution', status_reason = 'late payments' WHERE id = ?",
        (requester_id,),
    )
    edits_before = len(h.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}"))
    h.bot.dispatch("requester_status_changed", requester_id)
    await h.settle()
    edits = h.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")[edits_before:]
    assert [c.params["message_id"] for c in edits] == [str(live.message_id)]
    assert (
        "advise caution with this requester. late payments" in h.current(live).embed["description"]
    )
    assert "caution" not in (h.current(other).embed.get("description") or "")


async def test_merged_requesters_alerts_are_redrawn_too(configured: Harness) -> None:
    h = configured
    await share(h, requester="Acme Inc", link="https://example.com/1")
    alert = last_alert(h)
    await share(h, requester="ACME", link="https://example.com/2")
    old, kept = (r.requester_id for r in await stored(h))
    await h.db.execute("UPDATE requesters SET merged_into_id = ? WHERE id = ?", (kept, old))
    assert [a.id for a in await tasks_db.live_for_requester(h.db, kept or 0)] == [1, 2]
    await h.db.execute(
        "UPDATE requesters SET status = 'caution', status_reason = 'merged' WHERE id = ?", (kept,)
    )
    h.bot.dispatch("requester_status_changed", kept)
    await h.settle()
    # The alert filed under the merged-away record is redrawn too (its own reputation).
    edits = h.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")
    assert str(alert.message_id) in {c.params["message_id"] for c in edits}


async def test_export_lists_what_the_feature_keeps_about_a_member(configured: Harness) -> None:
    h = configured
    await share(h, anonymous=True, notes="Zqx: the second page is slow")
    alert = last_alert(h)
    await share(h, h.bob)
    await h.click(alert, "Still live", user=h.bob)
    modal = (await h.click(alert, "I did it", user=h.bob))[-1]
    await h.submit_modal(modal, {"minutes": "7", "rating": "good"}, user=h.bob)
    picker = (await h.click(alert, "Add a warning", user=h.bob))[-1]
    await h.select(picker, "tasks:warn-pick:1", ["other"], user=h.bob)

    (section,) = [s for s in h.bot.privacy.sections if s.name == "tasks"]
    alice = await section.export(h.db, h.alice.id)
    assert [a["id"] for a in alice["alerts_shared"]] == [1] and alice["alerts_shared"][0][
        "anonymous"
    ] == 1
    # Her own words too, not only the figures (a hostile probe found the notes missing).
    assert alice["alerts_shared"][0]["notes"] == "Zqx: the second page is slow"
    bob = await section.export(h.db, h.bob.id)
    assert bob["alerts_shared"] == []
    assert [r["alert_id"] for r in bob["alerts_reshared"]] == [1]
    assert bob["freshness_votes"][0]["kind"] == "live"
    assert bob["done_reports"][0]["minutes"] == 7 and bob["done_reports"][0]["rating"] == "good"
    assert bob["content_warnings"] == [
        {"alert_id": 1, "category": "other", "suggested": True, "confirmed": False}
    ]


async def test_erase_keeps_the_communitys_alerts_but_forgets_the_member(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    await share(h, h.bob)
    await h.click(alert, "Still live", user=h.bob)
    await h.click(alert, "Gone", user=h.carol)
    modal = (await h.click(alert, "I did it", user=h.bob))[-1]
    await h.submit_modal(modal, {"minutes": "10"}, user=h.bob)
    modal = (await h.click(alert, "I did it", user=h.carol))[-1]
    await h.submit_modal(modal, {"minutes": "5"}, user=h.carol)

    (section,) = [s for s in h.bot.privacy.sections if s.name == "tasks"]
    assert await section.erase(h.db, h.alice.id) >= 1
    assert await section.erase(h.db, h.bob.id) >= 3
    await h.settle()

    (row,) = await stored(h)
    assert row.state == "live" and row.title == "Rate images"  # the alert stays
    assert row.sharer_id is None and row.anonymous
    assert row.seen_by == () and row.live_votes == 0 and row.gone_votes == 1
    assert row.done_count == 1 and row.crowd_hourly_cents == 1800  # only Carol's report left
    now = h.current(alert)
    assert now.field("Shared by") == "Anonymous"
    assert str(h.alice.id) not in now.text and str(h.bob.id) not in now.text
    assert await section.export(h.db, h.bob.id) == {
        "alerts_shared": [],
        "alerts_reshared": [],
        "freshness_votes": [],
        "done_reports": [],
        "content_warnings": [],
        "alerts_ended": [],
    }


async def test_a_status_change_takes_effect_on_the_next_share_at_once(configured: Harness) -> None:
    h = configured
    await share(h, requester="Acme", link="https://example.com/1")  # reputation now cached
    requester_id = (await stored(h))[0].requester_id
    await h.db.execute(
        "UPDATE requesters SET status = 'scam', status_reason = 'fake tasks' WHERE id = ?",
        (requester_id,),
    )
    h.bot.dispatch("requester_status_changed", requester_id)
    await h.settle()
    sent = await share(h, h.bob, requester="Acme", link="https://example.com/2")
    assert sent.ephemeral and "fake tasks" in sent.content
    assert len(await stored(h)) == 1
