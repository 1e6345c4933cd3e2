"""Content warnings: set by the sharer, suggested by a member, confirmed by another."""

from __future__ import annotations

import pytest

from db import tasks as tasks_db
from tests.cogs.tasks.conftest import last_alert, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_a_sharers_warning_hides_the_details_behind_spoilers(configured: Harness) -> None:
    h = configured
    await share(h, title="Label graphic accident photos", notes="Very graphic", warning="violence")
    alert = last_alert(h)
    embed = alert.embed
    assert embed["title"] == "⚠️ Content warning: violence or gore"
    description = embed["description"].split("\n")
    assert description[0].startswith("⚠️ **Content warning: violence or gore.**")
    assert description[1] == "||Label graphic accident photos||"
    assert alert.field("Notes") == "||Very graphic||"
    assert "accident" not in embed["title"]
    (row,) = await stored(h)
    assert row.warning == "violence" and row.warning_confirmed_by == h.alice.id


async def test_a_members_warning_waits_for_a_second_member(configured: Harness) -> None:
    h = configured
    await share(h, title="Moderate forum posts")
    alert = last_alert(h)
    picker = (await h.click(alert, "Add a warning", user=h.bob))[-1]
    assert picker.ephemeral and "Which content warning" in picker.content
    done = await h.select(picker, "tasks:warn-pick:1", ["hate"], user=h.bob)
    assert "Another member or a moderator needs to confirm" in done[-1].content
    now = h.current(alert)
    assert now.embed["title"] == "Moderate forum posts"  # not hidden yet
    assert "A member suggested a content warning (hateful content)" in now.embed["description"]
    assert now.button("Confirm warning")

    own = await h.click(alert, "Confirm warning", user=h.bob)
    assert own[-1].ephemeral and "another member (or a moderator) has to confirm" in own[-1].content
    assert (await stored(h))[0].warning is None

    confirmed = await h.click(alert, "Confirm warning", user=h.carol)
    assert confirmed[0].kind == "update"
    assert "Warning confirmed" in confirmed[-1].content
    now = h.current(alert)
    assert now.embed["title"] == "⚠️ Content warning: hateful content"
    assert "||Moderate forum posts||" in now.embed["description"]
    assert all("Confirm" not in (b.get("label") or "") for b in now.buttons)
    (row,) = await stored(h)
    assert (row.warning, row.warning_proposed_by, row.warning_confirmed_by) == (
        "hate",
        h.bob.id,
        h.carol.id,
    )


async def test_only_the_person_who_opened_the_picker_can_use_it(configured: Harness) -> None:
    h = configured
    await share(h)
    picker = (await h.click(last_alert(h), "Add a warning", user=h.bob))[-1]
    replies = await h.select(picker, "tasks:warn-pick:1", ["sexual"], user=h.carol)
    assert replies[-1].ephemeral and "someone else" in replies[-1].content
    assert (await stored(h))[0].warning_pending is None


async def test_moderators_warn_at_once_and_can_remove_a_warning(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    picker = (await h.click(alert, "Add a warning", user=h.mod))[-1]
    done = await h.select(picker, "tasks:warn-pick:1", ["self_harm"], user=h.mod)
    assert "Warning set: self-harm" in done[-1].content
    assert h.current(alert).embed["title"] == "⚠️ Content warning: self-harm"

    member_picker = (await h.click(alert, "Add a warning", user=h.bob))[-1]
    values = [o["value"] for o in member_picker.walk_components()[1]["options"]]
    assert "clear" not in values and "self_harm" not in values

    picker = (await h.click(alert, "Add a warning", user=h.mod))[-1]
    done = await h.select(picker, "tasks:warn-pick:1", ["clear"], user=h.mod)
    assert "removed" in done[-1].content
    assert h.current(alert).embed["title"] == "Rate images"


async def test_warned_alert_stats_for_the_requester_card(configured: Harness) -> None:
    h = configured
    await share(h, requester="Acme", link="https://example.com/1", warning="hate")
    await share(h, requester="Acme", link="https://example.com/2")
    await share(h, requester="Acme", link="https://example.com/3")
    await share(h, requester="Someone else", link="https://example.com/4", warning="other")
    rows = await stored(h)
    acme = rows[0].requester_id
    assert acme is not None
    assert await tasks_db.warned_alert_stats(h.db, acme) == (1, 3)
    assert await tasks_db.warned_alert_stats(h.db, 999_999) == (0, 0)


async def test_a_warned_task_shared_again_once_gone_keeps_its_warning(configured: Harness) -> None:
    """Found by a hostile probe: once a warned alert was gone (or expired), sharing the same
    task again without the warning posted its graphic title in the clear."""
    h = configured
    await share(h, title="Label graphic accident photos")
    first = last_alert(h)
    picker = (await h.click(first, "Add a warning", user=h.mod))[-1]
    await h.select(picker, "tasks:warn-pick:1", ["violence"], user=h.mod)
    await h.click(first, "Gone", user=h.mod)

    sent = await share(h, h.bob, title="Label graphic accident photos")
    assert "Alert posted" in sent.content, sent.content
    again = last_alert(h)
    assert again.message_id != first.message_id
    assert again.embed["title"] == "⚠️ Content warning: violence or gore"
    assert "accident" not in again.embed["title"]
    assert "||Label graphic accident photos||" in again.embed["description"]
    rows = await stored(h)
    assert [(r.state, r.warning) for r in rows] == [("gone", "violence"), ("live", "violence")]
    assert rows[1].warning_confirmed_by == h.mod.id


async def test_a_warning_a_moderator_removed_is_not_brought_back(configured: Harness) -> None:
    h = configured
    await share(h, warning="other")
    first = last_alert(h)
    picker = (await h.click(first, "Add a warning", user=h.mod))[-1]
    await h.select(picker, "tasks:warn-pick:1", ["clear"], user=h.mod)
    await h.click(first, "Gone", user=h.mod)
    await share(h, h.bob)
    assert last_alert(h).embed["title"] == "Rate images"
    assert [r.warning for r in await stored(h)] == [None, None]


async def test_a_re_shares_warning_is_suggested_not_dropped(configured: Harness) -> None:
    """Found by a hostile probe: a re-share's warning on a live alert was silently lost."""
    h = configured
    await share(h, title="Moderate forum posts")
    alert = last_alert(h)
    sent = await share(h, h.bob, title="Moderate forum posts", warning="hate")
    assert sent.ephemeral and "Alert posted" not in sent.content
    await h.settle()
    now = h.current(alert)
    assert "A member suggested a content warning (hateful content)" in now.embed["description"]
    (row,) = await stored(h)
    assert (row.warning, row.warning_pending, row.warning_proposed_by) == (None, "hate", h.bob.id)
    confirmed = await h.click(alert, "Confirm warning", user=h.carol)
    assert "Warning confirmed" in confirmed[-1].content
    assert h.current(alert).embed["title"] == "⚠️ Content warning: hateful content"
