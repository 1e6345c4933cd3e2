"""From a member's report to a confirmed status to the warning on the next task alert.

Loads the tasks feature beside this one: the status moderators decide here must reach
every alert for that requester (redrawn live alerts, warned or refused new shares).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.requesters.conftest import WITH_TASKS
from tests.cogs.requesters.helpers import act, cards, report, share_task
from tests.harness.driver import Harness
from tests.harness.driver import configure_server as configure
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends


@pytest.fixture
def extensions() -> list[str]:
    return WITH_TASKS


async def share(h: Harness, user: FakeUser, number: int, **options: Any) -> Sent:
    return await share_task(h, user, number, **{"requester": "Acme", **options})


def alert(h: Harness) -> Sent:
    return h.in_channel(h.world.alerts)[-1]


async def test_report_to_confirmed_status_to_warnings_on_alerts(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1)
    live = alert(h)
    assert "caution" not in (live.embed.get("description") or "").lower()

    await report(h, h.bob)
    await act(h, cards(h)[-1], "Confirm", "Forty rejections verified")
    assert "advise caution" in h.current(live).embed["description"]  # redrawn live
    await share(h, h.carol, 2)
    assert "advise caution" in alert(h).embed["description"]

    await report(h, h.carol, category="harvesting", description="The survey asks for bank logins")
    await act(h, cards(h)[-1], "Confirm", "Login form seen in the screenshot")
    assert "flagged this requester as a scam" in h.current(live).embed["description"]
    posted = len(h.in_channel(h.world.alerts))
    refused = await share(h, h.dave, 3)
    assert refused.ephemeral and "flagged as a scam" in refused.content
    assert len(h.in_channel(h.world.alerts)) == posted

    await configure(h, scam_policy="warn")
    await share(h, h.dave, 4)
    assert "flagged this requester as a scam" in alert(h).embed["description"]

    # A moderator clears the requester after an appeal: alerts follow again.
    await h.slash(
        "requester status", user=h.mod, requester="Acme", status="none", reason="Paid everyone"
    )
    assert "scam" not in (h.current(live).embed.get("description") or "")
    h.api.assert_never_pinged()


async def test_the_requester_card_shows_what_alerts_know(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1)
    first = alert(h)
    await share(h, h.bob, 2, reward=0.5, minutes=10)
    opened = await h.click(first, "I did it", user=h.bob)
    await h.submit_modal(opened[-1], {"minutes": "5"}, user=h.bob)
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert info.field("Crowd hourly") == "$18.00/h from 1 report"
    assert info.field("Tasks with content warnings") == "0 of 2 (0 %)"
    recent = info.field("Recent alerts").splitlines()
    assert recent[0].startswith("[Rate images 2](https://discord.com/channels/")
    assert "$3.00/h" in recent[0] and len(recent) == 2


async def test_merging_repoints_alerts(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1, requester="Acme Old")
    live = alert(h)
    await share(h, h.alice, 2, requester="Acme New")
    await h.slash(
        "requester status", user=h.mod, requester="Acme New", status="caution", reason="Slow"
    )
    old_id = await h.db.fetch_value("SELECT id FROM requesters WHERE name = 'Acme Old'")
    new_id = await h.db.fetch_value("SELECT id FROM requesters WHERE name = 'Acme New'")
    await h.slash(
        "requester merge", user=h.mod, alias=f"#{old_id}", survivor=f"#{new_id}", reason="Renamed"
    )
    ids = [r[0] for r in await h.db.fetch_all("SELECT requester_id FROM task_alerts")]
    assert ids == [new_id, new_id]
    assert "advise caution" in h.current(live).embed["description"]


async def test_the_card_says_how_many_alerts_are_not_listed(configured: Harness) -> None:
    h = configured
    for n in range(1, 8):
        await share(h, h.alice, n)
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    recent = info.field("Recent alerts").splitlines()
    assert len(recent) == 6  # five alerts, then what was cut and where to see it
    assert recent[-1] == "…and 2 more: /task search with this requester lists them."


async def test_a_warned_alert_on_the_card_is_behind_a_spoiler(configured: Harness) -> None:
    """As in /task search and the digests: the warning first, the title a spoiler."""
    h = configured
    await share(h, h.alice, 1)
    await share(h, h.bob, 2, title="Rate graphic gore images", warning="violence")
    posted = alert(h)
    link = f"https://discord.com/channels/{h.world.guild_id}/{h.world.alerts}/{posted.message_id}"
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert info.field("Tasks with content warnings") == "1 of 2 (50 %)"
    recent = info.field("Recent alerts").splitlines()
    assert recent[0].startswith(
        f"⚠️ violence or gore: ||[Rate graphic gore images]({link})|| · $15.00/h · "
    )
    assert recent[1].startswith("[Rate images 1](https://discord.com/channels/")
    assert "gore images" not in info.text.replace(recent[0], "")


async def did_it(h: Harness, shown: Sent, user: FakeUser, minutes: str) -> None:
    """A member's "I did it" on an alert, with the minutes it took."""
    opened = await h.click(shown, "I did it", user=user)
    await h.submit_modal(opened[-1], {"minutes": minutes}, user=user)


async def test_removed_alerts_are_left_off_the_requester_card(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1, title="Doxxing target list", warning="hate")
    removed = alert(h)
    await did_it(h, removed, h.bob, "1")
    await share(h, h.alice, 2)
    await did_it(h, alert(h), h.dave, "6")
    await h.slash("task delete", user=h.mod, alert="#1", reason="Harmful")

    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert info.ephemeral and "Doxxing" not in info.text
    assert info.field("Recent alerts").splitlines()[0].startswith("[Rate images 2](")
    assert len(info.field("Recent alerts").splitlines()) == 1
    assert info.field("Crowd hourly") == "$15.00/h from 1 report"  # not Bob's $90/h
    assert info.field("Tasks with content warnings") == "0 of 1 (0 %)"
    # Only hidden from members: the alert, its warning and Bob's report are still stored.
    row = await h.db.fetch_one("SELECT state, warning, done_count FROM task_alerts WHERE id = 1")
    assert tuple(row) == ("removed", "hate", 1)


async def test_one_members_report_barely_moves_the_crowd_hourly(configured: Harness) -> None:
    h = configured
    await share(h, h.bob, 1, reward=1.5, minutes=60)
    for member in (h.bob, h.carol, h.dave):
        await did_it(h, alert(h), member, "60")
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert info.field("Crowd hourly") == "$1.50/h from 3 reports"

    # Alice shares another of this requester's tasks and says it took her a minute.
    await share(h, h.alice, 2, reward=1.5, minutes=60)
    await did_it(h, alert(h), h.alice, "1")
    rows = await h.db.fetch_all("SELECT crowd_hourly_cents FROM task_alerts ORDER BY id")
    assert [r[0] for r in rows] == [150, 9000]  # each alert keeps its own median
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert info.field("Crowd hourly") == "$1.50/h from 4 reports"
