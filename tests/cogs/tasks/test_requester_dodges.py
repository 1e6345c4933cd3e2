"""A scam warning is not dodged by a link and a typed requester that disagree.

Found by a hostile probe: a share whose link names a flagged requester (its requester
page, or `?requesterId=` on a task link) while the `requester_id` option (or the form's
requester box) names another was posted under the typed, clean id, with the flagged
requester's link and no warning.
"""

from __future__ import annotations

import pytest

from db import requesters
from tests.cogs.tasks.conftest import GROUP, last_alert, set_guild, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

FLAGGED = "A1B2C3D4E5F6G7"
CLEAN = "A9Z8Y7X6W5V4U3"


async def flag(h: Harness) -> None:
    req = await requesters.upsert(h.db, "mturk", FLAGGED, "Scammer", 0)
    await h.db.execute(
        "UPDATE requesters SET status = 'scam', status_reason = 'never pays' WHERE id = ?",
        (req.id,),
    )


@pytest.mark.parametrize(
    "link",
    [
        f"https://worker.mturk.com/requesters/{FLAGGED}/projects",
        f"https://worker.mturk.com/projects/{GROUP}/tasks?requesterId={FLAGGED}",
    ],
)
async def test_a_typed_id_contradicting_the_links_requester_is_refused(
    configured: Harness, link: str
) -> None:
    h = configured
    await flag(h)
    await set_guild(h, scam_policy="warn")
    sent = await share(h, link=link, requester="Nice Lab", requester_id=CLEAN)
    assert sent.ephemeral
    assert FLAGGED in sent.content and CLEAN in sent.content, sent.content
    assert "Traceback" not in sent.content and "went wrong" not in sent.content
    assert await stored(h) == [] and h.in_channel(h.world.alerts) == []
    h.api.assert_never_pinged()


async def test_the_form_requester_box_cannot_contradict_the_link_either(
    configured: Harness,
) -> None:
    h = configured
    await flag(h)
    modal = await h.slash("task share-form", user=h.alice, reward=1.5, minutes=6)
    (sent,) = await h.submit_modal(
        modal,
        {
            "link": f"https://worker.mturk.com/requesters/{FLAGGED}/projects",
            "title": "Rate images",
            "requester": f"Nice Lab ({CLEAN})",
        },
        user=h.alice,
    )
    assert sent.ephemeral and FLAGGED in sent.content, sent.content
    assert await stored(h) == []


async def test_the_same_id_typed_and_in_the_link_still_carries_the_warning(
    configured: Harness,
) -> None:
    h = configured
    await flag(h)
    await set_guild(h, scam_policy="warn")
    link = f"https://worker.mturk.com/requesters/{FLAGGED}/projects"
    sent = await share(h, link=link, requester="Nice Lab", requester_id=FLAGGED.lower())
    assert "Alert posted" in sent.content, sent.content
    assert "flagged this requester as a scam" in last_alert(h).embed["description"]


@pytest.mark.parametrize("policy", ["refuse", "warn"])
async def test_a_live_task_shared_first_under_a_made_up_id_takes_the_flagged_one(
    configured: Harness, policy: str
) -> None:
    """Found by a hostile probe: a member shared a flagged requester's task first, typing a
    made-up clean id; a second member sharing it with the real (flagged) id was refused
    or merged into it, and the live alert kept no warning."""
    h = configured
    await flag(h)
    await set_guild(h, scam_policy=policy)
    link = f"https://worker.mturk.com/projects/{GROUP}/tasks"
    first = await share(h, link=link, requester="Nice Lab", requester_id=CLEAN)
    assert "Alert posted" in first.content, first.content
    alert = last_alert(h)
    assert "scam" not in (alert.embed.get("description") or "")
    await share(h, h.bob, link=link, requester_id=FLAGGED)
    await h.settle()
    now = h.current(alert)
    assert "flagged this requester as a scam" in now.embed["description"], now.embed
    [row] = await stored(h)
    assert row.platform_requester_id == FLAGGED and row.state == "live"
    h.api.assert_never_pinged()


async def test_a_flagged_name_alone_does_not_relabel_a_live_task(configured: Harness) -> None:
    """A name is no proof: only an id moves a live alert to a flagged record."""
    h = configured
    await flag(h)
    await set_guild(h, scam_policy="warn")
    link = f"https://worker.mturk.com/projects/{GROUP}/tasks"
    await share(h, link=link, requester="Nice Lab", requester_id=CLEAN)
    await share(h, h.bob, link=link, requester="Scammer")
    await h.settle()
    [row] = await stored(h)
    assert row.platform_requester_id == CLEAN
