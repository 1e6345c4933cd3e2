"""Duplicates: a live task is bumped, never posted twice, even when shared at once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.tasks.conftest import GROUP, MTURK, last_alert, record_posted, share, stored
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends


async def test_sharing_a_live_task_again_bumps_it(configured: Harness) -> None:
    h = configured
    await share(h)
    first = last_alert(h)
    again = await share(
        h, h.bob, link=f"https://worker.mturk.com/projects/{GROUP}/tasks/x?assignment_id=1"
    )
    assert again.ephemeral
    assert "already live" in again.content and str(first.message_id) in again.content
    assert "shared 2 times" in again.content
    assert len(h.in_channel(h.world.alerts)) == 1
    now = h.current(first)
    assert f"Also seen by <@{h.bob.id}> — shared 2 times" in now.field("Freshness")
    await share(h, h.carol)
    await share(h, h.alice)  # the sharer again: neither counted nor listed
    assert f"Also seen by <@{h.bob.id}>, <@{h.carol.id}> — shared 3 times" in h.current(
        first
    ).field("Freshness")
    (row,) = await stored(h)
    assert row.seen_count == 3 and row.seen_by == (h.bob.id, h.carol.id)


async def test_the_sharer_sharing_it_again_is_not_counted_again(configured: Harness) -> None:
    h = configured
    await share(h)
    first = last_alert(h)
    for _ in range(4):
        h.clock.advance(minutes=10)
        again = await share(h)
    assert again.ephemeral
    assert "You already shared this task" in again.content
    assert str(first.message_id) in again.content and "still shared 1 time;" in again.content
    assert "I counted your share" not in again.content
    freshness = h.current(first).field("Freshness")
    assert "Shared" not in freshness and "shared" not in freshness
    (row,) = await stored(h)
    assert (row.seen_count, row.seen_by) == (1, ())
    # Still a sign that the task is live: the alert lives on from the last share.
    now = int(h.clock.now().timestamp())
    assert row.last_seen_at == now and row.expires_at == now + 2 * 3600
    assert f"<t:{row.expires_at}:R>" in freshness


async def test_a_re_sharer_sharing_it_again_is_not_counted_again(configured: Harness) -> None:
    h = configured
    await share(h)
    first = last_alert(h)
    counted = await share(h, h.bob)
    assert "I counted your share (shared 2 times)" in counted.content
    again = await share(h, h.bob)
    assert "You already shared this task" in again.content
    assert "still shared 2 times" in again.content
    await share(h, h.carol, anonymous=True)
    hidden = await share(h, h.carol, anonymous=True)  # not named, still known to have shared
    assert "You already shared this task" in hidden.content
    await share(h, h.carol)  # now by name: listed, not counted
    freshness = h.current(first).field("Freshness")
    assert f"Also seen by <@{h.bob.id}>, <@{h.carol.id}> — shared 3 times" in freshness
    (row,) = await stored(h)
    assert row.seen_count == 3 and row.seen_by == (h.bob.id, h.carol.id)
    sightings = await h.db.fetch_all("SELECT user_id FROM task_sightings ORDER BY user_id")
    assert [r[0] for r in sightings] == sorted([h.bob.id, h.carol.id])


async def test_one_member_sharing_it_at_once_is_counted_once(configured: Harness) -> None:
    h = configured
    await share(h)
    first = last_alert(h)
    payloads = [_feed(h, h.bob) for _ in range(4)] + [_feed(h, h.alice) for _ in range(2)]
    await h.settle()
    (row,) = await stored(h)
    assert row.seen_count == 2 and row.seen_by == (h.bob.id,)
    answers = [_replies(h, p)[-1].content for p in payloads]
    assert sum("I counted your share" in a for a in answers) == 1
    assert sum("You already shared this task" in a for a in answers) == 5
    assert "shared 2 times" in h.current(first).field("Freshness")


async def test_a_bump_fills_in_what_the_first_share_lacked(configured: Harness) -> None:
    h = configured
    await share(h)
    await share(h, h.bob, requester="Acme", requester_id="A1B2C3D4E5F6G7")
    (row,) = await stored(h)
    assert row.requester_id is not None and row.platform_requester_id == "A1B2C3D4E5F6G7"
    assert row.title == "Rate images"  # the first sharer's title stays


async def test_anonymous_re_sharers_are_counted_not_named(configured: Harness) -> None:
    h = configured
    await share(h)
    await share(h, h.bob, anonymous=True)
    freshness = h.current(last_alert(h)).field("Freshness")
    assert "Shared 2 times" in freshness and str(h.bob.id) not in freshness


async def test_the_same_link_merges_whatever_the_platform(configured: Harness) -> None:
    h = configured
    await share(h, link="https://www.example.com/job/7?utm_source=x&b=2&a=1")
    await share(h, h.bob, link="http://example.com/job/7/?a=1&b=2")
    assert len(h.in_channel(h.world.alerts)) == 1


async def test_a_gone_task_shared_again_is_a_new_alert(configured: Harness) -> None:
    h = configured
    await share(h)
    first = last_alert(h)
    await h.click(first, "Gone", user=h.mod)
    sent = await share(h, h.bob)
    assert "Alert posted" in sent.content
    assert len(h.in_channel(h.world.alerts)) == 2
    assert [a.state for a in await stored(h)] == ["gone", "live"]


async def test_other_tasks_are_not_merged(configured: Harness) -> None:
    h = configured
    await share(h)
    await share(h, link="https://worker.mturk.com/projects/3AAAAAAAAAAAAAAAAAAAAAAAAAAAAA/tasks")
    await share(h, link=None, title="Rate images", requester="Acme")
    await share(h, link=None, title="Rate images", requester="Other lab")
    assert len(h.in_channel(h.world.alerts)) == 4


def _feed(h: Harness, user: FakeUser, **options: Any) -> dict[str, Any]:
    values = {"link": MTURK, "reward": 1.5, "minutes": 6, **options}
    payload = h._interaction(2, h._command_data("task share", values), user, None, "en-US")
    h.bot._connection.parse_interaction_create(payload)
    return payload


def _replies(h: Harness, payload: dict[str, Any]) -> list[Sent]:
    return [s for s in h.api.for_interaction(int(payload["id"])) if s.kind != "deferred"]


async def test_members_sharing_the_same_task_at_once_get_one_alert(configured: Harness) -> None:
    h = configured
    posted = record_posted(h)
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    payloads = [_feed(h, person) for person in people]  # all in flight together
    await h.settle()

    assert len(h.in_channel(h.world.alerts)) == 1
    assert len(posted) == 1
    (row,) = await stored(h)
    assert row.seen_count == 5 and row.message_id is not None
    answers = [_replies(h, p)[-1].content for p in payloads]
    assert sum("Alert posted" in a for a in answers) == 1
    assert sum("already live" in a for a in answers) == 4
    # Everyone got a link, including those who arrived before the message existed.
    assert all(str(row.message_id) in a for a in answers)
    assert "shared 5 times" in h.current(last_alert(h)).field("Freshness")


async def test_a_second_sharer_during_a_failed_post_gets_a_fresh_try(configured: Harness) -> None:
    h = configured
    h.api.fail("POST", "/channels/{channel_id}/messages", 500)
    first = _feed(h, h.alice)
    second = _feed(h, h.bob)
    await h.settle()
    answers = [_replies(h, p)[-1].content for p in (first, second)]
    # Exactly one of them met the failure; the other's alert was posted.
    assert sum("Alert posted" in a for a in answers) == 1
    assert sum("nothing was saved" in a for a in answers) == 1
    (row,) = await stored(h)
    assert row.message_id is not None and len(h.in_channel(h.world.alerts)) == 1
