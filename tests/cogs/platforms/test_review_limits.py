"""`/platform review` has requester reviews' gates (`cogs/requesters/review_gate.py`).

The built-in platforms' scores are read in every server's /platform compare, so a review
needs a server that ran /setup, new members wait the server's `new_member_days`, and a
member writes at most `reports_per_day` new reviews a day in a server, requester and
platform reviews counted together. Refusals say what requester reviews say and store
nothing. (A hostile probe had three fresh accounts in a server nobody set up drag MTurk to
1.0 / 5 in every server's comparison.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import t
from tests.cogs.platforms.helpers import MTURK_ID, platform_reviews, review, table_line
from tests.cogs.requesters.helpers import count
from tests.cogs.requesters.helpers import review as requester_review
from tests.harness import payloads as p
from tests.harness.driver import Harness, configure_server

pytestmark = pytest.mark.both_backends

NOT_SET_UP = t("common.errors.not_set_up", "en-US")
ONE_STARS = {"pay": 1, "rejections": 1, "support": 1, "payouts": 1, "unpaid_work": 1}


async def test_a_server_nobody_set_up_cannot_move_every_servers_scores(
    configured: Harness,
) -> None:
    h = configured
    for n in range(3):  # three honest reviews in A: MTurk is compared there
        await review(h, user=[h.alice, h.bob, h.carol][n], platform="mturk")
    before = await h.slash("platform compare", user=h.dave)
    b = await h.add_server(configure=False)
    for n in range(3):
        fresh = p.FakeUser(p.snowflake(), f"sock{n}", joined_at=h.clock.now())
        await h.gateway("GUILD_MEMBER_ADD", {**fresh.member_json(), "guild_id": str(b.guild_id)})
        sent = await h.slash(
            "platform review",
            user=fresh,
            world=b,
            platform="mturk",
            worked_for="2y_plus",
            text="Terrible, avoid",
            **ONE_STARS,
        )
        assert sent.ephemeral and sent.content == NOT_SET_UP
    # B's owner too, whatever their standing there: the refusal is the server's.
    owners = await review(h, user=b.owner, world=b, platform="mturk", **ONE_STARS)
    assert owners.content == NOT_SET_UP
    # The same words as a requester review from there.
    refused = await requester_review(h, b.alice, world=b)
    assert refused.content == NOT_SET_UP
    assert [r["guild_id"] for r in await platform_reviews(h)] == [h.world.guild_id] * 3
    after = await h.slash("platform compare", user=h.dave)
    assert after.embed["description"] == before.embed["description"]
    assert table_line(after, "MTurk").split()[1] == "4.0"  # pay, as A's members rated it


async def test_new_members_wait_as_they_do_for_requester_reviews(configured: Harness) -> None:
    h = await configure_server(configured, new_member_days=7)
    newbie = await h.add_member("newbie")
    sent = await review(h, user=newbie, platform="mturk", **ONE_STARS)
    assert sent.ephemeral and "7 days" in sent.content and "/platform info" in sent.content
    # word for word what a requester review says
    assert sent.content == (await requester_review(h, newbie)).content
    french = await review(h, user=newbie, platform="mturk", locale="fr")
    assert "7 jours" in french.content and "/plateforme fiche" in french.content
    assert await count(h, "reviews") == 0 and await count(h, "requesters") == 0
    h.clock.advance(days=8)
    settled = await h.add_member("settled", joined_at=h.clock.now() - timedelta(days=8))
    saved = await review(h, user=settled, platform="mturk")
    assert saved.embed["title"] == "Your review of MTurk is saved"
    assert [(r["author_id"], r["subject_id"]) for r in await platform_reviews(h)] == [
        (settled.id, MTURK_ID)
    ]


async def test_the_daily_limit_counts_platform_and_requester_reviews_together(
    configured: Harness,
) -> None:
    h = await configure_server(configured, reports_per_day=2)
    assert (await review(h, platform="mturk")).embed["title"] == "Your review of MTurk is saved"
    assert (await review(h, platform="prolific")).embed["title"].endswith("is saved")
    refused = await review(h, platform="clickworker")
    assert refused.ephemeral and refused.content == t(
        "requesters.errors.review_daily_limit", "en-US", limit=2
    )
    assert "2 new reviews in the last 24 hours" in refused.content
    # one budget: a requester review is refused too, and creates no requester
    assert (await requester_review(h, h.alice)).content == refused.content
    assert await count(h, "requesters") == 0
    assert len(await platform_reviews(h)) == 2
    # Editing one's own review is always allowed; other members have their own limit.
    edited = await review(h, platform="prolific", pay=1)
    assert edited.embed["title"] == "Your review of Prolific is updated (version 2)"
    assert (await review(h, user=h.bob, platform="clickworker")).embed["title"].endswith("saved")
    h.clock.advance(hours=25)
    assert (await review(h, platform="clickworker")).embed["title"].endswith("is saved")
    assert len(await platform_reviews(h)) == 4
