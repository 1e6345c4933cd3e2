"""Many members at once: clicks answered at once, redraws coalesced, crash leftovers.

Interactions are fed to discord.py's parser together and only then awaited, so they
are really in flight at the same time (as a thousand clicks on a busy alert would be).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cogs.tasks import rules
from db import requesters
from db import tasks as tasks_db
from tests.cogs.tasks.conftest import (
    GREY,
    MTURK,
    last_alert,
    new_alert,
    record_posted,
    set_guild,
    share,
    stored,
)
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends

MESSAGE_EDIT = "/channels/{channel_id}/messages/{message_id}"
CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"


def _feed_click(h: Harness, message: dict[str, Any], label: str, user: FakeUser) -> int:
    component = h._find_component(message, label)
    data = {"custom_id": component["custom_id"], "component_type": component["type"]}
    payload = h._interaction(3, data, user, int(message["channel_id"]), "en-US", message=message)
    h.api.component_messages[payload["token"]] = int(message["id"])
    h.bot._connection.parse_interaction_create(payload)
    return int(payload["id"])


def _answers(h: Harness, interaction_id: int) -> list[Sent]:
    return h.api.for_interaction(interaction_id)


def _message_edits(h: Harness) -> int:
    """Edits of the alert's message: REST edits plus clicks answered by updating it."""
    updates = [c for c in h.api.calls_to("POST", CALLBACK) if (c.json or {}).get("type") == 7]
    return len(h.api.calls_to("PATCH", MESSAGE_EDIT)) + len(updates)


async def _members(h: Harness, count: int) -> list[FakeUser]:
    return [await h.add_member(f"clicker{n}") for n in range(count)]


async def test_a_crowd_clicking_at_once_is_answered_and_costs_two_edits(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = h.api.messages[alert.message_id]
    crowd = await _members(h, 40)
    edits_before = _message_edits(h)

    # Discord takes a while to apply an edit: hold the first one until every other click
    # has been answered (the fake alone answers before the next click is even read).
    network = asyncio.Event()
    others_answered = asyncio.Event()
    acknowledged = 0
    webhook = h.api._webhook

    async def slow_webhook(route: Any, **kwargs: Any) -> Any:
        nonlocal acknowledged
        kind = (kwargs.get("payload") or {}).get("type")
        if kind == 7:
            await network.wait()
        result = await webhook(route, **kwargs)
        if kind == 6:
            acknowledged += 1
            if acknowledged == len(crowd) - 1:
                others_answered.set()
        return result

    h.api._webhook = slow_webhook  # type: ignore[method-assign]
    ids = [_feed_click(h, message, "Still live", person) for person in crowd]
    await asyncio.wait_for(others_answered.wait(), timeout=30)
    network.set()
    await h.settle()

    for interaction_id in ids:
        answers = _answers(h, interaction_id)
        assert answers, "a clicker was never answered"
        assert all("Sorry" not in (a.content or "") for a in answers)
    (row,) = await stored(h)
    assert row.live_votes == 40
    assert "✅ 40 still live · ❌ 0 gone" in h.current(alert).field("Freshness")
    # One edit answering the first click, one more from the row for everyone after it.
    assert _message_edits(h) - edits_before <= 3


async def test_gone_from_several_at_once_ends_the_alert_exactly_once(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = h.api.messages[alert.message_id]
    crowd = [h.bob, h.carol, h.dave, *await _members(h, 5)]

    ids = [_feed_click(h, message, "Gone", person) for person in crowd]
    await h.settle()

    texts = ["\n".join(a.content or "" for a in _answers(h, i)) for i in ids]
    assert sum("now marked gone" in text for text in texts) == 1
    assert all(text for text in texts), "a clicker was never answered"
    (row,) = await stored(h)
    assert row.state == "gone"
    ender = crowd[next(n for n, text in enumerate(texts) if "now marked gone" in text)]
    assert row.ended_by == ender.id
    now = h.current(alert)
    assert now.embed["color"] == GREY and all(b.get("disabled") for b in now.buttons)


async def test_a_moderator_and_members_saying_gone_together_end_it_once(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = h.api.messages[alert.message_id]
    ids = [_feed_click(h, message, "Gone", person) for person in (h.bob, h.mod, h.carol)]
    await h.settle()
    texts = ["\n".join(a.content or "" for a in _answers(h, i)) for i in ids]
    assert sum("now marked gone" in text for text in texts) == 1
    (row,) = await stored(h)
    assert row.state == "gone" and row.ended_at is not None
    assert h.current(alert).embed["color"] == GREY


async def test_re_shares_at_once_are_answered_with_the_link_and_shown(
    configured: Harness,
) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    (first,) = await stored(h)
    crowd = await _members(h, 10)
    payloads = []
    for person in crowd:
        values = {"link": MTURK, "reward": 1.5, "minutes": 6}
        payload = h._interaction(2, h._command_data("task share", values), person, None, "en-US")
        h.bot._connection.parse_interaction_create(payload)
        payloads.append(payload)
    await h.settle()
    for payload in payloads:
        answer = [s for s in h.api.for_interaction(int(payload["id"])) if s.kind != "deferred"]
        assert str(first.message_id) in answer[-1].content
    assert "shared 11 times" in h.current(alert).field("Freshness")
    assert len(h.in_channel(h.world.alerts)) == 1


async def _leftover(h: Harness, link: str = MTURK) -> tasks_db.Alert:
    """What a crash between the share's INSERT and its post leaves: live, no message."""
    now = int(h.clock.now().timestamp())
    draft = rules.build_share(
        rules.ShareInput(link=link, reward=1.5, minutes=6, title="Rate images"),
        default_currency="USD",
    )
    result = await tasks_db.share(
        h.db,
        new_alert(
            draft,
            guild_id=h.world.guild_id,
            sharer_id=h.alice.id,
            platform_task_id=draft.platform_task_id,
        ),
        now=now,
        expires_at=now + 7200,
    )
    assert result.created and result.alert.message_id is None
    return result.alert


async def test_a_share_left_unposted_by_a_crash_is_posted_by_the_next_sharer(
    configured: Harness,
) -> None:
    h = configured
    posted = record_posted(h)
    leftover = await _leftover(h)
    sent = await share(h, h.bob)
    assert "Alert posted" in sent.content
    (row,) = await stored(h)
    assert row.id == leftover.id and row.message_id is not None and row.seen_count == 2
    assert len(h.in_channel(h.world.alerts)) == 1
    assert [a.id for a in posted] == [leftover.id]  # subscribers hear of it, once
    again = await share(h, h.carol)
    assert "already live" in again.content and str(row.message_id) in again.content
    assert len(h.in_channel(h.world.alerts)) == 1 and len(posted) == 1


async def test_the_sweep_ends_a_share_left_unposted_that_nobody_re_shared(
    configured: Harness,
) -> None:
    h = configured
    await _leftover(h)
    cog = h.bot.get_cog("Tasks")
    assert await cog.expire_due() == 1
    (row,) = await stored(h)
    assert row.state == "expired" and row.message_id is None
    assert h.in_channel(h.world.alerts) == []
    sent = await share(h, h.bob)  # the task is free to be shared afresh
    assert "Alert posted" in sent.content and len(await stored(h)) == 2


async def test_the_sweep_leaves_a_share_being_posted_alone(configured: Harness) -> None:
    h = configured
    leftover = await _leftover(h)
    service = h.bot.get_cog("Tasks").service
    service._posting.add(leftover.id)  # this process is posting it right now
    try:
        assert await service.expire_due() == 0
    finally:
        service._posting.discard(leftover.id)
    (row,) = await stored(h)
    assert row.state == "live"


async def test_a_scam_status_from_confirmed_reports_says_why(configured: Harness) -> None:
    h = configured
    req = await requesters.upsert(h.db, "mturk", "A9B8C7D6E5F4G3", "Phisher", 0)
    await h.db.execute("UPDATE requesters SET status = 'scam' WHERE id = ?", (req.id,))
    for category in ("harvesting", "harvesting", "malware"):
        await h.db.execute(
            "INSERT INTO reports (guild_id, requester_id, reporter_id, category, description, "
            "state, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 'confirmed', 0, 0)",
            (h.world.guild_id + 1, req.id, h.bob.id, category),
        )
    sent = await share(h, requester="Phisher", requester_id="A9B8C7D6E5F4G3")
    assert sent.ephemeral and "flagged as a scam" in sent.content
    assert "Personal data or credential harvesting × 2" in sent.content
    assert "Malware or phishing link × 1" in sent.content
    assert "(—)" not in sent.content and "this server's moderators" not in sent.content
    assert await stored(h) == []

    french = await share(h, requester="Phisher", requester_id="A9B8C7D6E5F4G3", locale="fr")
    assert "signalements confirmés" in french.content and "(—)" not in french.content

    await set_guild(h, scam_policy="warn")  # posted with the warning, and why
    await share(h, requester="Phisher", requester_id="A9B8C7D6E5F4G3")
    description = last_alert(h).embed["description"]
    assert "confirmed reports: Personal data or credential harvesting × 2" in description


async def test_still_live_clicks_among_gone_ones_never_end_the_alert(configured: Harness) -> None:
    h = configured
    await share(h)
    alert = last_alert(h)
    message = h.api.messages[alert.message_id]
    live = await _members(h, 6)
    gone = await _members(h, 3)
    live_ids = [_feed_click(h, message, "Still live", person) for person in live]
    gone_ids = [_feed_click(h, message, "Gone", person) for person in gone]
    await h.settle()

    (row,) = await stored(h)
    assert row.state == "gone" and row.ended_by in {person.id for person in gone}
    told_gone = 0
    for interaction_id in live_ids:
        answers = _answers(h, interaction_id)
        assert answers
        told_gone += any("already marked gone" in (a.content or "") for a in answers)
    if h.db.dialect == "sqlite":
        # One connection takes the clicks in the order they came: these came before the
        # alert ended, so each was counted.
        assert told_gone == 0
    else:
        # A pool runs them together, so a "still live" may reach the alert after the third
        # "gone" ended it: then it is told so, and not counted. Never both, never neither.
        counted = await h.db.fetch_value("SELECT count(*) FROM task_votes WHERE kind = 'live'")
        assert counted + told_gone == len(live)
    texts = ["\n".join(a.content or "" for a in _answers(h, i)) for i in gone_ids]
    assert sum("now marked gone" in text for text in texts) == 1
