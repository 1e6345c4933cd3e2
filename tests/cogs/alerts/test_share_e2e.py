"""From `/task share` to the subscriber's DM, with the tasks feature really loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from db import guilds, requesters
from tests.cogs.alerts.helpers import subscribe
from tests.harness.driver import Harness, configure_server

pytestmark = pytest.mark.both_backends

MTURK = "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks"


@pytest.fixture
async def shared(
    settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """A set-up server running the tasks feature beside subscriptions and profiles."""
    h = await Harness.start(
        settings, clock, monkeypatch, extensions=["cogs.tasks", "cogs.alerts", "cogs.profile"]
    )
    await configure_server(h, digest_channel_id=None)
    yield h
    await h.stop()
    assert not h.api.unhandled, h.api.unhandled


async def test_a_shared_task_reaches_matching_subscribers_only(shared: Harness) -> None:
    h = shared
    await subscribe(h, h.alice, platform="mturk", min_hourly=10, keywords="images")
    await subscribe(h, h.bob, platform="prolific")
    await subscribe(h, h.carol, min_hourly=20)
    await subscribe(h, h.dave)  # the sharer
    reply = await h.slash(
        "task share",
        user=h.dave,
        link=MTURK,
        title="Rate images of street signs",
        requester="Acme Research",
        reward=1.5,
        minutes=6,
    )
    assert reply.ephemeral and "Alert posted" in reply.content
    alert_message = h.in_channel(h.world.alerts)[-1]

    [dm] = h.dms_to(h.alice)
    assert dm.embed["title"] == "Rate images of street signs"
    assert dm.field("Hourly") == "$15.00/h"
    assert dm.field("Requester") == "Acme Research"
    assert dm.button("Open the alert")["url"].endswith(
        f"/{h.world.alerts}/{alert_message.message_id}"
    )
    assert dm.button("Open the task")["url"] == MTURK
    assert h.dms_to(h.bob) == []  # Prolific only
    assert h.dms_to(h.carol) == []  # $15/h is under her $20
    assert h.dms_to(h.dave) == []  # his own share

    # sharing the same task again bumps the alert: no second DM
    await h.slash("task share", user=h.bob, link=MTURK, reward=1.5, minutes=6, title="Again")
    assert len(h.dms_to(h.alice)) == 1
    h.api.assert_never_pinged()


async def test_a_country_limited_share_skips_members_elsewhere(shared: Harness) -> None:
    h = shared
    await subscribe(h, h.alice)
    await subscribe(h, h.bob)
    await h.slash("profile country", user=h.alice, country="France")
    await h.slash("profile country", user=h.bob, country="US")
    await h.slash(
        "task share",
        user=h.dave,
        link=MTURK,
        title="US survey",
        reward=1,
        minutes=5,
        limits="US only",
    )
    assert h.dms_to(h.alice) == []
    [dm] = h.dms_to(h.bob)
    assert "United States" in dm.field("Who can take it")


async def test_a_dm_about_a_flagged_requesters_task_carries_the_warning(shared: Harness) -> None:
    """Issue #12: under the warn policy the alert carries the scam warning; so does the DM,
    also when the share named the requester by a look-alike name alone."""
    h = shared
    now = int(h.clock.now().timestamp())
    await guilds.update(h.db, h.world.guild_id, now, scam_policy="warn")
    scam = await requesters.upsert(h.db, "mturk", "A1B2C3D4E5F6G7", "Acme Research", now)
    await requesters.set_status(
        h.db, scam.id, status="scam", reason="Phishing", source="moderator", now=now
    )
    await subscribe(h, h.alice, platform="mturk")
    await h.slash(
        "task share",
        user=h.dave,
        link=MTURK,
        title="Quick survey",
        requester="ACMÉ  research",
        reward=1.5,
        minutes=6,
    )
    [dm] = h.dms_to(h.alice)
    assert dm.embed["description"].startswith("⛔ Moderators flagged this requester as a scam")
    assert dm.field("Requester") == "Acme Research"
    h.api.assert_never_pinged()


async def _warn(h: Harness, category: str) -> None:
    alert = h.in_channel(h.world.alerts)[-1]
    picker = (await h.click(alert, "Add a warning", user=h.mod))[-1]
    done = await h.select(picker, picker.walk_components()[1]["custom_id"], [category], user=h.mod)
    assert "Warning set" in done[-1].content, done[-1].content


async def test_dms_still_queued_when_a_warning_is_set_carry_it(shared: Harness) -> None:
    """Found by a hostile probe: DMs queued before a moderator's content warning (a busy
    outbox sends 40 a second) went out with the title in the clear, and to members who
    asked for no warned tasks."""
    h = shared
    await subscribe(h, h.alice)
    await subscribe(h, h.bob, no_warned=True)
    outbox = h.bot.get_cog("AlertsCog").outbox  # type: ignore[union-attr]
    held = pytest.MonkeyPatch()
    held.setattr(outbox, "_ensure_worker", lambda: None)  # a backlog ahead of them
    await h.slash(
        "task share", user=h.dave, link=MTURK, title="Label crash photos", reward=1.5, minutes=6
    )
    assert len(outbox) == 2 and h.dms_to(h.alice) == []
    await _warn(h, "violence")
    held.undo()
    outbox._ensure_worker()
    await h.settle()
    [dm] = h.dms_to(h.alice)
    assert dm.embed["title"] == "⚠️ Content warning: violence or gore"
    assert dm.embed["description"] == "||Label crash photos||"
    assert h.dms_to(h.bob) == []
    assert (await h.db.fetch_one("SELECT count(*) FROM alert_dm_log"))[0] == 1


async def test_an_alert_waiting_for_its_fan_out_is_matched_with_its_warning(
    shared: Harness,
) -> None:
    h = shared
    await subscribe(h, h.alice)
    await subscribe(h, h.bob, no_warned=True)
    backlog = h.bot.get_cog("AlertsCog").backlog  # type: ignore[union-attr]
    held = pytest.MonkeyPatch()
    held.setattr(backlog, "_worker", object())  # busy with other alerts
    await h.slash(
        "task share", user=h.dave, link=MTURK, title="Label crash photos", reward=1.5, minutes=6
    )
    assert len(backlog) == 1
    await _warn(h, "violence")
    held.undo()
    backlog._worker = h.bot.spawn(backlog._run(), name="test: fan-out")
    await h.settle()
    [dm] = h.dms_to(h.alice)
    assert dm.embed["title"] == "⚠️ Content warning: violence or gore"
    assert "crash" not in dm.embed["title"]
    assert h.dms_to(h.bob) == []


async def test_dms_still_queued_when_a_requester_is_flagged_carry_the_flag(
    shared: Harness,
) -> None:
    """Found by a hostile probe: DMs queued before moderators flagged the task's requester
    as a scam went out without the warning the alert itself now shows."""
    h = shared
    now = int(h.clock.now().timestamp())
    await subscribe(h, h.alice)
    outbox = h.bot.get_cog("AlertsCog").outbox  # type: ignore[union-attr]
    held = pytest.MonkeyPatch()
    held.setattr(outbox, "_ensure_worker", lambda: None)  # a backlog ahead of them
    await h.slash(
        "task share",
        user=h.dave,
        link=MTURK,
        title="Quick survey",
        requester_id="A1B2C3D4E5F6G7",
        reward=1.5,
        minutes=6,
    )
    assert len(outbox) == 1
    record = await requesters.find_by_platform_id(h.db, "mturk", "A1B2C3D4E5F6G7")
    assert record is not None
    await requesters.set_status(
        h.db, record.id, status="scam", reason="Phishing", source="moderator", now=now
    )
    h.bot.dispatch("requester_status_changed", record.id)
    await h.settle()
    held.undo()
    outbox._ensure_worker()
    await h.settle()
    [dm] = h.dms_to(h.alice)
    assert "scam" in dm.embed["description"].lower(), dm.embed
    assert dm.embed["color"] == 0xE74C3C
