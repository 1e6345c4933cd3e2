"""What a member gets back from /privacy export and what /privacy delete removes."""

from __future__ import annotations

import json

import pytest

from db import requesters
from tests.cogs.requesters.helpers import act, cards, count, report, review
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def _section(h: Harness):
    (section,) = [s for s in h.bot.privacy.sections if s.name == "requesters"]
    return section


async def test_export_has_reviews_with_history_flags_and_own_reports(configured: Harness) -> None:
    h = configured
    await review(h, h.alice, text="first words")
    await review(h, h.alice, text="second words")
    await review(h, h.bob, "Beta", text="someone else's")
    info = await h.slash("requester info", user=h.alice, requester="Beta")
    opened = await h.click(info, "Flag review", user=h.alice)
    await h.submit_modal(opened[-1], {"flag_reason": "not true"}, user=h.alice)
    await report(h, h.alice, "Gamma")
    await act(h, cards(h)[-1], "Ask for more", "Which task?")
    data = await _section(h).export(h.db, h.alice.id)
    json.dumps(data)  # what the member downloads must be plain data
    (mine,) = data["reviews"]
    assert mine["text"] == "second words"
    assert [v["body"] for v in mine["earlier_versions"]] == ["first words"]
    assert [f["reason"] for f in data["flags"]] == ["not true"]
    (filed,) = data["reports"]
    assert filed["requester"] == "Gamma" and filed["state"] == "open"
    assert [n["kind"] for n in filed["notes"]] == ["question"]
    assert str(h.mod.id) not in json.dumps(data)  # moderators stay anonymous to reporters
    assert data["moderation"] == []
    moderator = await _section(h).export(h.db, h.mod.id)
    assert [m["action"] for m in moderator["moderation"]] == ["report_ask"]


async def test_erase_removes_reviews_and_flags_and_anonymises_reports(
    configured: Harness,
) -> None:
    h = configured
    await review(h, h.alice, text="mine")
    await review(h, h.bob, text="theirs")
    info = await h.slash("requester info", user=h.alice, requester="Acme")
    opened = await h.click(info, "Flag review #2", user=h.alice)
    await h.submit_modal(opened[-1], {}, user=h.alice)
    await report(h, h.alice)
    (card,) = cards(h)
    changed = await _section(h).erase(h.db, h.alice.id)
    assert changed == 3  # one review, one flag, one report
    assert await count(h, "reviews") == 1
    assert await count(h, "review_flags") == 0
    assert await h.db.fetch_value("SELECT reporter_id FROM reports") is None
    assert await h.db.fetch_value("SELECT description FROM reports")  # the record stays
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert (await requesters.reputation(h.db, acme.id)).review_count == 1
    # The card still works for moderators, and says the reporter left.
    await act(h, card, "Dismiss", "No evidence")
    assert "erased their data" in h.current(card).field("Reporter")
    assert h.dms_to(h.alice) == []


async def test_erasing_redraws_the_cards_that_named_the_reporter_and_the_closer(
    configured: Harness,
) -> None:
    """The rows forget who reported and who closed; the cards already posted in the
    moderators' channel are drawn again without them (a hostile probe found them kept).
    """
    h = configured
    await report(h, h.alice, "Acme")
    card = cards(h)[-1]
    await act(h, card, "Confirm", "Seen it myself")

    def names(user_id: int) -> bool:
        return str(user_id) in json.dumps(h.api.messages[card.message_id]["embeds"])

    assert names(h.alice.id) and names(h.mod.id)
    for member in (h.alice, h.mod):
        await _section(h).erase(h.db, member.id)  # what /privacy delete runs
        await h.settle()
        assert not names(member.id)
    assert "Acme" in json.dumps(h.api.messages[card.message_id]["embeds"])  # the card stays
    h.api.assert_never_pinged()
