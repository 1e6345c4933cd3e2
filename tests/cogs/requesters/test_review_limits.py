"""`/requester review` has the same limits as reports (issue #12, item 13).

A review can add a requester to the registry every server shares, so: only from a server
that ran /setup, new members wait the server's `new_member_days`, and a member writes at
most `reports_per_day` new reviews a day in a server. A refused review stores nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from db import requesters
from tests.cogs.requesters.conftest import configure
from tests.cogs.requesters.helpers import count, report, review
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_an_unconfigured_server_cannot_create_global_requesters(harness: Harness) -> None:
    h = harness
    sent = await review(h, h.alice, "Junk Requester 1")
    assert sent.ephemeral and "not set up" in sent.content and "/setup" in sent.content
    assert await count(h, "requesters") == 0
    assert await count(h, "reviews") == 0
    reported = await report(
        h,
        h.alice,
        "Junk Requester 2",
        category="other",
        description="Nothing real, just trying to add a record",
    )
    assert "not set up" in reported.content
    assert await count(h, "requesters") == 0


async def test_the_daily_limit_counts_new_reviews_and_stores_nothing_past_it(
    configured: Harness,
) -> None:
    h = await configure(configured, reports_per_day=3)
    for n in range(3):
        sent = await review(h, h.alice, f"Requester {n}")
        assert sent.embed["title"] == "Review saved"
    refused = await review(h, h.alice, "Requester 3")
    assert refused.ephemeral and "3 new reviews in the last 24 hours" in refused.content
    assert await count(h, "requesters") == 3  # the fourth record was not created
    assert await count(h, "reviews") == 3
    # Editing one's own review is always allowed; other members have their own limit.
    edited = await review(h, h.alice, "Requester 0", pay=1)
    assert edited.embed["title"] == "Review updated (version 2)"
    assert (await review(h, h.bob, "Requester 3")).embed["title"] == "Review saved"
    # A day later the member may add new ones again.
    h.clock.advance(hours=25)
    assert (await review(h, h.alice, "Requester 4")).embed["title"] == "Review saved"


async def test_new_members_wait_before_reviewing(configured: Harness) -> None:
    h = await configure(configured, new_member_days=7)
    newbie = await h.add_member("newbie")
    sent = await review(h, newbie, "Fresh Requester")
    assert sent.ephemeral and "7 days" in sent.content
    assert await count(h, "requesters") == 0 and await count(h, "reviews") == 0
    h.clock.advance(days=8)
    later = await h.add_member("older", joined_at=h.clock.now() - timedelta(days=8))
    assert (await review(h, later, "Fresh Requester")).embed["title"] == "Review saved"


async def test_autocomplete_leaves_out_records_no_set_up_server_stands_behind(
    configured: Harness,
) -> None:
    h = configured
    await review(h, h.alice, "Acme Research")
    junk = await requesters.upsert(h.db, "mturk", None, "Acme Junk", 0)
    await h.db.execute("UPDATE requesters SET listed = 0 WHERE id = ?", (junk.id,))
    names = [
        c["name"] for c in await h.autocomplete("requester review", "requester", requester="acm")
    ]
    assert any("Acme Research" in n for n in names)
    assert not any("Acme Junk" in n for n in names)
    empty = [c["name"] for c in await h.autocomplete("requester info", "requester", requester="")]
    assert not any("Acme Junk" in n for n in empty)
    # Once a member of a set-up server reviews it, it is offered again.
    await review(h, h.bob, "Acme Junk")
    names = [
        c["name"] for c in await h.autocomplete("requester info", "requester", requester="acme j")
    ]
    assert any("Acme Junk" in n for n in names)
