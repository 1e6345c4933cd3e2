"""`/platform review`: one review per member per platform, editable, abuse rules enforced."""

from __future__ import annotations

import json
import re

import pytest

from db import reviews
from tests.cogs.platforms.helpers import (
    DEFAULT_PLATFORMS,
    GREEN,
    PROLIFIC_ID,
    SCORES,
    platform_reviews,
    review,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_a_review_is_saved_and_the_member_sees_a_private_receipt(configured: Harness) -> None:
    h = configured
    sent = await review(h, text="Good pay, slow support.")
    assert sent.kind == "response" and sent.ephemeral
    assert sent.embed["title"] == "Your review of Prolific is saved"
    assert sent.embed["color"] == GREEN
    assert sent.field("Pay") == "4 / 5"
    assert sent.field("Fair rejections") == "4 / 5"
    assert sent.field("Support") == "3 / 5"
    assert sent.field("Getting paid") == "5 / 5"
    assert sent.field("Little unpaid work") == "2 / 5"
    assert sent.field("Worked there") == "1 to 6 months"
    assert sent.field("Your text") == "Good pay, slow support."
    assert "never by name" in sent.embed["description"]
    rows = await platform_reviews(h)
    assert len(rows) == 1
    row = rows[0]
    assert (row["subject_id"], row["author_id"], row["guild_id"]) == (
        PROLIFIC_ID,
        h.alice.id,
        h.world.guild_id,
    )
    assert json.loads(row["scores"]) == SCORES
    assert row["experience"] == "1_6m" and row["body"] == "Good pay, slow support."
    assert f"Review #{row['id']}" in sent.embed["footer"]["text"]


async def test_reviewing_again_edits_the_review_and_keeps_its_history(configured: Harness) -> None:
    h = configured
    await review(h, text="First impression.")
    h.clock.advance(days=3)
    sent = await review(h, pay=1, text="They cut rates.", worked_for="6_24m")
    assert sent.embed["title"] == "Your review of Prolific is updated (version 2)"
    rows = await platform_reviews(h)
    assert len(rows) == 1
    assert json.loads(rows[0]["scores"])["pay"] == 1
    earlier = await reviews.history(h.db, rows[0]["id"])
    assert [r.body for r in earlier] == ["First impression."]
    assert earlier[0].scores["pay"] == 4


async def test_each_member_has_their_own_review_of_each_platform(configured: Harness) -> None:
    h = configured
    await review(h, user=h.alice)
    await review(h, user=h.bob)
    await review(h, user=h.alice, platform="mturk")
    rows = await platform_reviews(h)
    assert sorted((r["author_id"], r["subject_id"]) for r in rows) == sorted(
        [(h.alice.id, 2), (h.bob.id, 2), (h.alice.id, 1)]
    )


async def test_a_typed_name_finds_the_platform(configured: Harness) -> None:
    h = configured
    sent = await review(h, platform="Amazon Mechanical Turk")
    assert sent.embed["title"] == "Your review of MTurk is saved"


@pytest.mark.parametrize("bad", [0, 6, -3, 99, 10**12])
async def test_ratings_out_of_range_store_nothing(configured: Harness, bad: int) -> None:
    h = configured
    sent = await review(h, support=bad)
    assert sent.ephemeral
    assert "Ratings go from 1 to 5" in sent.content
    assert await platform_reviews(h) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"platform": "Nowhere Inc"}, "is not a platform this server lists"),
        ({"platform": "#99999"}, "is not a platform this server lists"),
        ({"worked_for": "forever"}, "is not one of the choices for how long"),
        ({"text": "x" * 2001}, "the limit is 2000"),
        ({"text": "y" * 10_000}, "the limit is 2000"),
        ({"text": "mail me: worker@example.com"}, "no personal information"),
        ({"text": "text me on 555-123-4567"}, "no personal information"),
    ],
)
async def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    configured: Harness, options: dict[str, object], expected: str
) -> None:
    h = configured
    sent = await review(h, **options)
    assert sent.ephemeral and expected in sent.content, sent.content
    assert await platform_reviews(h) == []


async def test_a_bad_edit_leaves_the_earlier_review_untouched(configured: Harness) -> None:
    h = configured
    await review(h, text="Original.")
    sent = await review(h, pay=7, text="Changed.")
    assert sent.ephemeral and "Ratings go from 1 to 5" in sent.content
    rows = await platform_reviews(h)
    assert rows[0]["body"] == "Original." and rows[0]["revision"] == 1


async def test_a_platform_another_server_added_cannot_be_reviewed_here(
    configured: Harness,
) -> None:
    h = configured
    from db import platforms

    async with h.db.transaction():
        await platforms.add_to_server(h.db, 999, "remotasks", "Remotasks", 1, limit=40)
    sent = await review(h, platform="remotasks")
    assert "is not a platform this server lists" in sent.content
    assert await platform_reviews(h) == []


async def test_hostile_text_is_stored_as_typed_but_never_pings(configured: Harness) -> None:
    h = configured
    text = f"@everyone <@&{h.world.mod_role}> **loud** [click](javascript:alert(1))"
    sent = await review(h, text=text)
    shown = sent.field("Your text")
    assert "@\u200beveryone" in shown and "\\*\\*loud\\*\\*" in shown
    assert (await platform_reviews(h))[0]["body"] == text
    h.api.assert_never_pinged()


async def test_review_answers_in_french(configured: Harness) -> None:
    h = configured
    sent = await review(h, locale="fr", text="Bien payé.")
    assert sent.embed["title"] == "Votre avis sur Prolific est enregistré"
    assert sent.field("Rejets équitables") == "4 / 5"
    assert sent.field("Ancienneté") == "1 à 6 mois"
    bad = await review(h, locale="fr", pay=0)
    assert bad.content.startswith("Les notes vont de 1 à 5")
    unknown = await review(h, locale="fr", platform="Nulle Part")
    assert "n'est pas une plateforme listée sur ce serveur" in unknown.content


async def test_autocomplete_offers_the_servers_platforms(configured: Harness) -> None:
    h = configured
    choices = await h.autocomplete("platform review", "platform", platform="pro")
    assert choices == [{"name": "Prolific", "value": "prolific"}]
    everything = await h.autocomplete("platform review", "platform", platform="")
    assert {c["value"] for c in everything} == set(DEFAULT_PLATFORMS)


#: A masked link Discord would draw: `[text](url)` whose `[` is not escaped.
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(")


async def test_a_second_masked_link_in_a_review_is_not_drawn_either(
    configured: Harness,
) -> None:
    """Found by a hostile probe: `escape_markdown` escapes only the first of two masked
    links, so the second ("https://prolific.com" pointing elsewhere) was drawn."""
    h = configured
    text = "Fine [ok](https://a.example) but [https://prolific.com](https://evil.example/login)"
    sent = await review(h, text=text)
    shown = sent.field("Your text")
    assert "evil.example" in shown and not MASKED_LINK.search(shown), shown
    info = await h.slash("platform info", user=h.bob, platform="prolific")
    texts = [e.get("description", "") for e in info.embeds] + [
        f["value"] for e in info.embeds for f in e.get("fields", [])
    ]
    assert any("evil.example" in x for x in texts), texts
    assert not any(MASKED_LINK.search(x) for x in texts), texts
