"""`/platform compare`: the side-by-side table, its pages, its picture and the k floor."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from cogs.platforms import rules
from tests.cogs.platforms.helpers import (
    BLUE,
    GREY,
    MTURK_ID,
    PROLIFIC_ID,
    contribute,
    seed_reviews,
    table_line,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

BASE_MEMBER = 5_000
REFRESH = rules.HOURLY_REFRESH_SECONDS


async def test_without_enough_reviews_nothing_is_compared(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 2)
    sent = await h.slash("platform compare", user=h.alice)
    assert sent.ephemeral
    assert sent.embed["color"] == GREY
    assert "No platform has 3 reviews yet" in sent.embed["description"]
    assert "```" not in sent.embed["description"]
    waiting = sent.field("Not enough reviews yet")
    assert waiting.splitlines()[0] == "Prolific: 2/3 reviews"
    for name in ("MTurk", "Clickworker", "Toloka", "UHRS", "Appen"):
        assert f"{name}: 0/3 reviews" in waiting
    assert sent.buttons == []


async def test_platforms_with_enough_reviews_are_compared_side_by_side(
    configured: Harness,
) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    await seed_reviews(
        h,
        MTURK_ID,
        4,
        scores={"pay": 2, "rejections": 1, "support": 1, "payouts": 4, "unpaid_work": 3},
        first_author=7_000,
    )
    await seed_reviews(h, 3, 2, first_author=8_000)  # Clickworker: not yet
    sent = await h.slash("platform compare", user=h.alice)
    assert sent.embed["color"] == BLUE
    description = sent.embed["description"]
    assert "```" in description
    header = description.split("```")[1].strip().splitlines()[0]
    assert header.split() == ["Platform", "Pay", "Rej", "Sup", "Out", "Unp", "n", "Hourly"]
    assert table_line(sent, "Prolific").split() == [
        "Prolific",
        "4.0",
        "4.0",
        "3.0",
        "5.0",
        "2.0",
        "3",
        "—",
    ]
    assert table_line(sent, "MTurk").split() == [
        "MTurk",
        "2.0",
        "1.0",
        "1.0",
        "4.0",
        "3.0",
        "4",
        "—",
    ]
    rows = [line.split()[0] for line in description.split("```")[1].strip().splitlines()[1:]]
    assert rows == ["Prolific", "MTurk"]  # best rated first
    waiting = sent.field("Not enough reviews yet")
    assert "Clickworker: 2/3 reviews" in waiting
    assert "Prolific" not in waiting
    assert "at least 5 members" in sent.field("Reading the table")


async def test_hidden_reviews_do_not_count(configured: Harness) -> None:
    h = configured
    ids = await seed_reviews(h, PROLIFIC_ID, 3)
    await h.db.execute("UPDATE reviews SET hidden_at = 1 WHERE id = ?", (ids[0],))
    sent = await h.slash("platform compare", user=h.alice)
    assert "Prolific: 2/3 reviews" in sent.field("Not enough reviews yet")


# -- the community hourly and its k-anonymity floor -------------------------------------------


async def _compare_hourly(h: Harness, name: str = "Prolific") -> str:
    sent = await h.slash("platform compare", user=h.alice)
    return table_line(sent, name).split()[-1]


async def test_four_contributors_are_not_enough_five_are(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    # Effective hourly of $8, $9, $10, $11 (an approved $X task of 60 minutes each).
    for n, cents in enumerate((800, 900, 1000, 1100)):
        await contribute(h, BASE_MEMBER + n, cents=cents, minutes=60)
    assert await _compare_hourly(h) == "—"
    info = await h.slash("platform info", user=h.alice, platform="prolific")
    assert "Not shown yet" in info.field("Community hourly")
    assert "$" not in info.field("Community hourly")

    await contribute(h, BASE_MEMBER + 4, cents=1200, minutes=60)
    # The figure is a daily snapshot: the same all day, whatever changes (#12.19).
    h.clock.advance(seconds=REFRESH)
    assert await _compare_hourly(h) == "—"
    h.clock.advance(days=1)
    assert await _compare_hourly(h) == "$10.00"
    info = await h.slash("platform info", user=h.alice, platform="prolific")
    hourly = info.field("Community hourly")
    assert "Median **$10.00**" in hourly and "$9.00–$11.00" in hourly
    assert "5–9 members" in hourly


async def test_only_members_who_opted_in_on_this_server_count(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    for n in range(4):
        await contribute(h, BASE_MEMBER + n)
    await contribute(h, BASE_MEMBER + 10, sharing=False)  # logged work, never opted in
    await contribute(h, BASE_MEMBER + 11, share_with=424242)  # shares with another server
    assert await _compare_hourly(h) == "—"


async def test_only_recent_work_counts(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    for n in range(4):
        await contribute(h, BASE_MEMBER + n)
    await contribute(h, BASE_MEMBER + 9, day=date(2026, 6, 1))  # before the 90-day window
    assert await _compare_hourly(h) == "—"
    await contribute(h, BASE_MEMBER + 9, day=date(2026, 9, 1))  # inside it
    h.clock.advance(days=1)
    assert await _compare_hourly(h) == "$10.00"


async def test_the_hourly_is_matched_to_the_platform_whatever_the_spelling(
    configured: Harness,
) -> None:
    h = configured
    await h.slash("platform add", user=h.mod, name="Data Annotation")
    await seed_reviews(h, await _platform_id(h, "dataannotation"), 3)
    for n in range(5):
        await contribute(h, BASE_MEMBER + n, platform="DataAnnotation", cents=2000, minutes=60)
    assert await _compare_hourly(h, "DataAnnotation") == "$20.00"


async def test_the_servers_currency_is_preferred(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    for n in range(5):
        await contribute(h, BASE_MEMBER + n, currency="GBP", cents=900, minutes=60)
    assert await _compare_hourly(h) == "£9.00"
    for n in range(5):
        await contribute(h, BASE_MEMBER + 20 + n, currency="USD", cents=1500, minutes=60)
    h.clock.advance(days=1)
    assert await _compare_hourly(h) == "$15.00"


async def _platform_id(h: Harness, key: str) -> int:
    return int(await h.db.fetch_value("SELECT id FROM platforms WHERE key = ?", (key,)))


# -- pages and the picture -----------------------------------------------------------------------


def set_page_size(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Patch the rules module the running bot uses.

    discord.py drops an extension's modules from `sys.modules` when a bot closes, so each
    harness imports `cogs.platforms.rules` afresh; patch the current one.
    """
    monkeypatch.setattr(importlib.import_module("cogs.platforms.rules"), "PAGE_SIZE", size)


async def test_pages_turn_with_buttons_that_survive_a_restart(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    set_page_size(monkeypatch, 2)
    for offset, platform_id in enumerate((1, 2, 3, 4, 5)):
        pay = 5 - offset  # MTurk best, then Prolific, …
        await seed_reviews(
            h,
            platform_id,
            3,
            scores={"pay": pay, "rejections": 3, "support": 3, "payouts": 3, "unpaid_work": 3},
            first_author=10_000 * (offset + 1),
        )
    sent = await h.slash("platform compare", user=h.alice)
    assert "Page 1/3" in sent.embed["footer"]["text"]
    assert sent.button("Previous")["disabled"] and not sent.button("Next")["disabled"]
    assert table_line(sent, "MTurk") and table_line(sent, "Prolific")

    replies = await h.click(sent, "Next", user=h.alice)
    page2 = replies[-1]
    assert page2.kind == "update"
    assert "Page 2/3" in page2.embed["footer"]["text"]
    assert table_line(page2, "Clickworker") and table_line(page2, "Toloka")
    assert "MTurk" not in page2.embed["description"]

    message = dict(h.api.messages[page2.message_id])
    h2 = await h.restart(monkeypatch=monkeypatch)
    try:
        set_page_size(monkeypatch, 2)
        h2.api.messages[page2.message_id] = message
        page3 = (await h2.click(page2.message_id, "Next", user=h2.alice))[-1]
        assert "Page 3/3" in page3.embed["footer"]["text"]
        assert table_line(page3, "UHRS")
        assert page3.button("Next")["disabled"] and not page3.button("Previous")["disabled"]
        back = (await h2.click(page2.message_id, "Previous", user=h2.alice))[-1]
        assert "Page 2/3" in back.embed["footer"]["text"]
    finally:
        await h2.stop()


async def test_a_stale_page_button_shows_the_last_page_that_exists(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    set_page_size(monkeypatch, 1)
    await seed_reviews(h, 1, 3)
    await seed_reviews(h, 2, 3, first_author=20_000)
    sent = await h.slash("platform compare", user=h.alice)
    await h.db.execute("UPDATE reviews SET hidden_at = 1 WHERE subject_id = 2")
    page = (await h.click(sent, "Next", user=h.alice))[-1]
    assert "Page 1/1" in page.embed["footer"]["text"]
    assert page.buttons == []


async def test_the_table_as_a_picture(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    replies = await h.slash_all("platform compare", user=h.alice, image=True)
    assert replies[0].kind == "deferred" and replies[0].ephemeral
    final = replies[-1]
    assert final.kind == "followup" and final.ephemeral
    assert table_line(final, "Prolific")
    [(name, data)] = final.files
    assert name == "platforms.png"
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000


async def test_pictures_are_limited_per_member(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    assert (await h.slash_all("platform compare", user=h.alice, image=True))[-1].files
    again = await h.slash_all("platform compare", user=h.alice, image=True)
    assert len(again) == 1 and again[0].ephemeral
    assert "another in 30 s" in again[0].content and again[0].files == []
    plain = await h.slash("platform compare", user=h.alice)
    assert table_line(plain, "Prolific")  # the table itself is never limited
    assert (await h.slash_all("platform compare", user=h.bob, image=True))[-1].files
    h.clock.advance(seconds=rules.IMAGE_COOLDOWN_SECONDS)
    assert (await h.slash_all("platform compare", user=h.alice, image=True))[-1].files


async def test_no_picture_when_nothing_can_be_compared(configured: Harness) -> None:
    h = configured
    final = (await h.slash_all("platform compare", user=h.alice, image=True))[-1]
    assert final.files == []
    assert "No platform has 3 reviews yet" in final.embed["description"]


async def test_compare_in_french(configured: Harness) -> None:
    h = configured
    await seed_reviews(h, PROLIFIC_ID, 3)
    for n in range(5):
        await contribute(h, BASE_MEMBER + n, cents=1000, minutes=60)
    sent = await h.slash("platform compare", user=h.alice, locale="fr")
    assert sent.embed["title"] == "Les plateformes comparées par les travailleurs"
    line = table_line(sent, "Prolific")
    assert line.split()[1:6] == ["4,0", "4,0", "3,0", "5,0", "2,0"]
    assert "10,00" in line and "$" in line
    assert "MTurk : 0/3 avis" in sent.field("Pas encore assez d'avis")
