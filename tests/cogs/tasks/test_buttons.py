"""The alert's buttons: "Still live", "Gone", "I did it" — through real clicks."""

from __future__ import annotations

import pytest

from db import tasks as tasks_db
from tests.cogs.tasks.conftest import GREEN, GREY, last_alert, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_still_live_counts_members_once_and_keeps_the_alert_alive(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    (before,) = await stored(h)
    h.clock.advance(minutes=90)
    replies = await h.click(alert, "Still live", user=h.bob)
    assert [r.kind for r in replies] == ["update"]  # the alert itself is the answer
    await h.click(alert, "Still live", user=h.bob)
    await h.click(alert, "Still live", user=h.carol)
    now = h.current(alert)
    assert "✅ 2 still live · ❌ 0 gone" in now.field("Freshness")
    assert "Last confirmed live <t:" in now.field("Freshness")
    (after,) = await stored(h)
    assert after.live_votes == 2
    assert after.expires_at == before.expires_at + 90 * 60  # confirmed live: two more hours
    assert now.embed["color"] == GREEN


async def test_two_members_saying_gone_end_the_alert(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    first = await h.click(alert, "Gone", user=h.bob)
    assert first[-1].ephemeral and "1 more member, or one moderator" in first[-1].content
    again = await h.click(alert, "Gone", user=h.bob)  # the same member twice is one vote
    assert "1 more member," in again[-1].content
    assert h.current(alert).embed["color"] == GREEN

    done = await h.click(alert, "Gone", user=h.carol)
    assert "now marked gone" in done[-1].content
    now = h.current(alert)
    assert now.embed["color"] == GREY
    assert now.embed["description"].startswith("⏹️ **Gone**")
    assert all(b.get("disabled") for b in now.buttons)
    assert "Expires" not in now.field("Freshness")
    (row,) = await stored(h)
    assert row.state == "gone" and row.gone_votes == 2 and row.ended_by == h.carol.id


async def test_one_moderator_is_enough(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    await h.click(alert, "Gone", user=h.mod)
    assert h.current(alert).embed["color"] == GREY
    (row,) = await stored(h)
    assert row.state == "gone" and row.ended_by == h.mod.id


async def test_changing_ones_mind(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    await h.click(alert, "Gone", user=h.bob)
    await h.click(alert, "Still live", user=h.bob)
    await h.click(alert, "Gone", user=h.carol)
    (row,) = await stored(h)
    assert (row.state, row.live_votes, row.gone_votes) == ("live", 1, 1)


async def test_a_stale_button_on_an_ended_alert_explains(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    stale = dict(h.api.messages[alert.message_id])  # as a slow client still shows it
    await h.click(alert, "Gone", user=h.mod)
    replies = await h.click(stale, "Still live", user=h.bob)
    assert replies[-1].ephemeral and "already marked gone" in replies[-1].content
    (row,) = await stored(h)
    assert row.live_votes == 0


async def test_i_did_it_opens_a_form_and_updates_the_crowds_hourly(configured: Harness) -> None:
    h = configured
    await share(h, reward=1.5, minutes=6)
    alert = last_alert(h)
    modal = (await h.click(alert, "I did it", user=h.bob))[-1]
    assert modal.kind == "modal" and modal.payload["title"] == "How long did it take?"
    replies = await h.submit_modal(modal, {"minutes": "10", "rating": "good"}, user=h.bob)
    answer = replies[-1]
    assert answer.ephemeral
    assert "10 min makes $9.00/h for you" in answer.content
    assert "median is now $9.00/h (1 report)" in answer.content
    button = answer.button("Log it in my earnings")
    assert (
        button["custom_id"]
        == f"earnings:from-alert:{alert.embed['footer']['text'].split('#')[1]}:10"
    )

    modal = (await h.click(alert, "I did it", user=h.carol))[-1]
    await h.submit_modal(modal, {"minutes": "0:05", "rating": "bad"}, user=h.carol)
    modal = (await h.click(alert, "I did it", user=h.dave))[-1]
    await h.submit_modal(modal, {"minutes": "1h"}, user=h.dave)
    hourly = h.current(alert).field("Hourly")
    # $9.00, $18.00 and $1.50 per hour: the median is $9.00.
    assert hourly.startswith("**$15.00/h**") and "Crowd: $9.00/h (3 reports)" in hourly
    assert "👍 1 · 👎 1" in h.current(alert).field("Freshness")

    # Correcting one's own report replaces it.
    modal = (await h.click(alert, "I did it", user=h.dave))[-1]
    await h.submit_modal(modal, {"minutes": "4"}, user=h.dave)
    (row,) = await stored(h)
    assert row.done_count == 3 and row.crowd_hourly_cents == 1800  # of $9, $18 and $22.50


async def test_i_did_it_refuses_impossible_minutes_and_keeps_nothing(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    for bad in ("0", "-4", "3000", "soon", "9" * 15):
        modal = (await h.click(alert, "I did it", user=h.bob))[-1]
        replies = await h.submit_modal(modal, {"minutes": bad}, user=h.bob)
        assert replies[-1].ephemeral and "minutes" in replies[-1].content
        assert "Sorry" not in replies[-1].content
    (row,) = await stored(h)
    assert row.done_count == 0 and row.crowd_hourly_cents is None
    assert await h.db.fetch_value("SELECT count(*) FROM task_reports") == 0


async def test_buttons_work_after_a_restart(configured: Harness, monkeypatch) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = dict(h.api.messages[alert.message_id])
    h2 = await h.restart(monkeypatch=monkeypatch)
    try:
        h2.api.messages[alert.message_id] = message
        await h2.click(alert.message_id, "Gone", user=h2.mod)
        assert h2.current(alert.message_id).embed["color"] == GREY
        stored_alert = await tasks_db.get_alert(h2.db, 1)
        assert stored_alert is not None and stored_alert.state == "gone"
    finally:
        await h2.stop()


async def test_buttons_pointing_at_unknown_alerts_explain(configured: Harness) -> None:
    import copy

    h = configured
    await share(h)
    forged = copy.deepcopy(h.api.messages[last_alert(h).message_id])
    for row in forged["components"]:
        for button in row["components"]:
            button["custom_id"] = button["custom_id"].rsplit(":", 1)[0] + ":999"
    for label in ("Still live", "Gone", "I did it", "Add a warning"):
        replies = await h.click(forged, label, user=h.bob)
        assert replies[-1].ephemeral and "cannot find that alert" in replies[-1].content
    assert await h.db.fetch_value("SELECT count(*) FROM task_votes") == 0


async def test_a_member_cannot_use_the_moderators_option(configured: Harness) -> None:
    h = configured
    await share(h, warning="hate")
    picker = (await h.click(last_alert(h), "Add a warning", user=h.bob))[-1]
    replies = await h.select(picker, "tasks:warn-pick:1", ["clear"], user=h.bob)
    assert replies[-1].ephemeral and "Only moderators" in replies[-1].content
    (row,) = await stored(h)
    assert row.warning == "hate"
