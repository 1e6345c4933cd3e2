"""`/platform info`: one platform in detail, reviewers never named, flags that hide."""

from __future__ import annotations

import pytest

from db import reviews
from tests.cogs.platforms.helpers import (
    GREEN,
    GREY,
    PROLIFIC_ID,
    platform_reviews,
    review,
    seed_reviews,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_info_shows_scores_with_counts_and_anonymous_reviews(configured: Harness) -> None:
    h = configured
    await review(h, user=h.alice, text="Steady studies, fair pay.")
    await review(h, user=h.bob, pay=2, text="Screeners everywhere.")
    h.clock.advance(days=1)
    await review(h, user=h.carol, support=5, worked_for="2y_plus", text="Support answered.")
    sent = await h.slash("platform info", user=h.dave, platform="prolific")
    assert sent.ephemeral
    assert sent.embed["title"] == "Prolific"
    assert sent.embed["color"] == GREEN
    assert "Overall **" in sent.embed["description"]
    assert sent.field("Pay") == "**3.3** / 5 (3)"
    assert sent.field("Support") == "**3.7** / 5 (3)"
    assert sent.field("Reviews") == "3 (3 in the last 90 days)"
    headings = [f["name"] for f in sent.embed["fields"] if f["name"].startswith("A member of")]
    assert headings[0] == "A member of Turkers United · 4.0 / 5"  # Carol's, the newest
    assert len(headings) == 3
    assert "Support answered." in sent.text and "Worked there: More than 2 years" in sent.text
    for person in (h.alice, h.bob, h.carol):
        assert person.name not in sent.text and str(person.id) not in sent.text
    labels = [b["label"] for b in sent.buttons]
    assert len(labels) == 3 and all(label.startswith("Flag review #") for label in labels)


async def test_own_reviews_get_no_flag_button(configured: Harness) -> None:
    h = configured
    await review(h, user=h.alice)
    sent = await h.slash("platform info", user=h.alice, platform="prolific")
    assert sent.buttons == []


async def test_info_for_a_platform_without_reviews(configured: Harness) -> None:
    h = configured
    sent = await h.slash("platform info", user=h.alice, platform="uhrs")
    assert sent.embed["color"] == GREY
    assert "0 of the 3 reviews needed" in sent.embed["description"]
    assert sent.field("Pay") == "**—** / 5 (0)"
    assert "No reviews yet" in sent.field("Recent reviews")


async def test_review_text_is_neutralised_on_the_card(configured: Harness) -> None:
    h = configured
    hostile = f"@everyone <@&{h.world.mod_role}> __under__ [x](javascript:alert(1))"
    await review(h, user=h.alice, text=hostile)
    sent = await h.slash("platform info", user=h.bob, platform="prolific")
    shown = next(f["value"] for f in sent.embed["fields"] if f["name"].startswith("A member"))
    assert "@\u200beveryone" in shown and "<@\u200b&" in shown
    assert "\\_\\_under\\_\\_" in shown
    assert "\\[x\\]" in shown and " [x](" not in shown  # the link syntax is broken
    h.api.assert_never_pinged()


async def test_unknown_platform_is_a_clear_error(configured: Harness) -> None:
    h = configured
    sent = await h.slash("platform info", user=h.alice, platform="Nowhere")
    assert sent.ephemeral
    assert "“Nowhere” is not a platform this server lists" in sent.content
    fr = await h.slash("platform info", user=h.alice, platform="Nowhere", locale="fr")
    assert "« Nowhere » n'est pas une plateforme listée" in fr.content


async def test_two_flags_one_from_a_moderator_hide_a_review(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 2)
    await review(h, user=h.alice, text="Buy my course, it pays more!")
    alice_review = (await platform_reviews(h))[-1]["id"]
    card = await h.slash("platform info", user=h.bob, platform="prolific")
    assert "Buy my course" in card.text
    assert card.field("Reviews").startswith("3 ")

    modal = (await h.click(card, f"Flag review #{alice_review}", user=h.bob))[-1]
    assert modal.kind == "modal"
    done = await h.submit_modal(modal, {"flag_reason": "Advertising"}, user=h.bob)
    assert done[-1].ephemeral and f"review #{alice_review} is flagged" in done[-1].content
    assert (await reviews.get(h.db, alice_review)).hidden_at is None  # one flag: still shown

    card = await h.slash("platform info", user=h.mod, platform="prolific")
    modal = (await h.click(card, f"Flag review #{alice_review}", user=h.mod))[-1]
    await h.submit_modal(modal, {"flag_reason": "Spam"}, user=h.mod)
    assert (await reviews.get(h.db, alice_review)).hidden_at is not None

    member_view = await h.slash("platform info", user=h.carol, platform="prolific")
    assert "Buy my course" not in member_view.text
    assert member_view.field("Reviews").startswith("2 ")
    assert "Hidden reviews" not in member_view.text
    compare = await h.slash("platform compare", user=h.carol)
    assert "Prolific: 2/3 reviews" in compare.field("Not enough reviews yet")

    mod_view = await h.slash("platform info", user=h.mod, platform="prolific")
    hidden = mod_view.field("Hidden reviews (moderators only)")
    assert f"#{alice_review} · 2 flags" in hidden and "Buy my course" in hidden


async def test_a_member_cannot_flag_twice(configured: Harness) -> None:
    h = configured
    await review(h, user=h.alice)
    card = await h.slash("platform info", user=h.bob, platform="prolific")
    modal = (await h.click(card, "Flag review", user=h.bob))[-1]
    first = (await h.submit_modal(modal, {"flag_reason": ""}, user=h.bob))[-1]
    assert "is flagged" in first.content
    second = (await h.click(card, "Flag review", user=h.bob))[-1]
    assert second.kind != "modal" and "already flagged" in second.content
    count = await h.db.fetch_value("SELECT COUNT(*) FROM review_flags")
    assert count == 1


async def test_info_in_french(configured: Harness) -> None:
    h = configured
    await review(h, user=h.alice, text="Bien.")
    sent = await h.slash("platform info", user=h.bob, platform="prolific", locale="fr")
    assert sent.field("Paie") == "**4,0** / 5 (1)"
    assert any(f["name"] == "Un membre de Turkers United · 3,6 / 5" for f in sent.embed["fields"])
    assert "Pas encore affiché" in sent.field("Taux horaire de la communauté")
    assert "1 des 3 avis nécessaires" in sent.embed["description"]


async def test_erasing_a_members_data_removes_their_platform_reviews(
    configured: Harness,
) -> None:
    h = configured
    await review(h, user=h.alice, text="Mine.")
    await review(h, user=h.bob, text="Bob's.")
    exported = {}
    for section in h.bot.privacy.sections:
        exported[section.name] = await section.export(h.db, h.alice.id)
    mine = [r for r in exported["requesters"]["reviews"] if r["subject_kind"] == "platform"]
    assert [r["text"] for r in mine] == ["Mine."]
    for section in h.bot.privacy.sections:
        await section.erase(h.db, h.alice.id)
    rows = await platform_reviews(h)
    assert [r["author_id"] for r in rows] == [h.bob.id]


async def test_reviews_from_servers_the_bot_is_not_in_are_still_anonymous(
    configured: Harness,
) -> None:
    h = configured
    await reviews.save(
        h.db,
        "platform",
        PROLIFIC_ID,
        author_id=4242424242,
        guild_id=987654321,
        scores={"pay": 5, "rejections": 5, "support": 5, "payouts": 5, "unpaid_work": 5},
        experience="lt_1m",
        body="Elsewhere.",
        now=int(h.clock.now().timestamp()),
    )
    sent = await h.slash("platform info", user=h.alice, platform="prolific")
    names = [f["name"] for f in sent.embed["fields"]]
    assert "A member of another server · 5.0 / 5" in names
    assert "4242424242" not in sent.text


async def test_every_review_of_a_platform_is_reachable_and_flaggable(configured: Harness) -> None:
    """#12.20: the card shows the 3 newest; "All reviews" pages through the rest."""
    h = configured
    ids = await seed_reviews(h, PROLIFIC_ID, 6)
    card = await h.slash("platform info", user=h.dave, platform="prolific")
    assert card.buttons[-1]["label"] == "All reviews (6)"
    opened = (await h.click(card, "All reviews (6)", user=h.dave))[-1]
    assert opened.ephemeral and opened.embed["title"] == "Reviews of Prolific"
    await h.click(opened, "Older ▶", user=h.dave)
    page2 = h.current(opened)
    assert page2.embed["footer"]["text"] == "Page 2 of 2 · 6 visible reviews, newest first"
    oldest = min(ids)
    form = await h.click(page2, f"Flag review #{oldest}", user=h.dave)
    await h.submit_modal(form[-1], {}, user=h.dave)
    assert (
        await h.db.fetch_value("SELECT count(*) FROM review_flags WHERE review_id = ?", (oldest,))
        == 1
    )


async def test_a_forged_list_button_cannot_read_another_servers_platform(
    configured: Harness,
) -> None:
    """The list's buttons carry a platform id: one this server does not list is refused."""
    import copy

    from db import platforms

    h = configured
    async with h.db.transaction():
        theirs = await platforms.add_to_server(h.db, 999, "remotasks", "Remotasks", 1, limit=40)
    await seed_reviews(h, theirs.id, 2)
    await seed_reviews(h, PROLIFIC_ID, 6, first_author=8_000)
    card = await h.slash("platform info", user=h.dave, platform="prolific")
    opened = (await h.click(card, "All reviews (6)", user=h.dave))[-1]
    forged = copy.deepcopy(h.current(opened).message)
    for row in forged["components"]:
        for item in row["components"]:
            if item.get("custom_id", "").startswith("reviews:page:"):
                item["custom_id"] = f"reviews:page:platform:{theirs.id}:1"
                item["disabled"] = False
    answer = await h.click(forged, "Older ▶", user=h.dave)
    assert answer[-1].ephemeral and "not available here" in answer[-1].content
    assert "Remotasks" not in answer[-1].text
