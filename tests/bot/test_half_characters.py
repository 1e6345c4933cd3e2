"""Half a character (a lone UTF-16 surrogate) is turned back at the door, for every feature.

A JSON `\\uD800` escape is valid syntax, so a modified client can put one in any string
option or form field. No store can encode it, and Discord refuses it in a message: each
feature failed in its own way ("something went wrong", a form that never answered). The
command tree and every form now answer with one clear, ephemeral refusal naming the field,
before anything runs; autocomplete looks up what is typed without the halves. (The
personal API and the export readers refuse it on their own, tests/cogs/intake.)
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.error_handler import has_half_character
from db.store import row_counts
from tests.cogs.requesters.helpers import DESCRIPTION, RATINGS
from tests.harness.driver import Harness

HALF = "\ud800"

COMMANDS: list[tuple[str, dict[str, Any], str]] = [
    ("earnings log", {"amount": "1.50", "minutes": 10, "title": f"Survey {HALF}"}, "title"),
    ("task share", {"title": f"Rate {HALF} images", "reward": 1.0, "minutes": 5}, "title"),
    (
        "requester review",
        {"requester": "Acme", "platform": "mturk", **RATINGS, "text": f"ok {HALF}"},
        "text",
    ),
    (
        "requester report",
        {
            "requester": f"Acme{HALF}",
            "platform": "mturk",
            "category": "non_payment",
            "description": DESCRIPTION,
        },
        "requester",
    ),
]


async def _counts(h: Harness) -> list[tuple[str, int]]:
    """Rows in every table (either backend): a refusal stores nothing anywhere."""
    return await row_counts(h.db)


@pytest.mark.parametrize(("path", "options", "field"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_a_command_with_half_a_character_is_refused_saying_where(
    configured: Harness, path: str, options: dict[str, Any], field: str
) -> None:
    h = configured
    before = await _counts(h)
    sent = await h.slash(path, user=h.alice, **options)
    assert sent.ephemeral and "broken character" in sent.content, sent.content
    assert f"“{field}”" in sent.content
    assert await _counts(h) == before
    # The same command typed whole goes through (the refusal was the half character).
    whole = {k: v.replace(HALF, "") if isinstance(v, str) else v for k, v in options.items()}
    again = await h.slash(path, user=h.alice, **whole)
    assert "broken character" not in again.content
    h.api.assert_never_pinged()


async def test_in_french_too(configured: Harness) -> None:
    h = configured
    sent = await h.slash(
        "earnings log", user=h.alice, locale="fr", amount="1.50", minutes=10, title=HALF
    )
    assert sent.ephemeral and "caractère cassé" in sent.content, sent.content


async def test_a_form_with_half_a_character_is_refused_and_stays_open(
    configured: Harness,
) -> None:
    h = configured
    await h.slash("requester review", user=h.alice, requester="Acme", platform="mturk", **RATINGS)
    review_id = await h.db.fetch_value("SELECT max(id) FROM reviews")
    opened = await h.press(f"reviews:flag:{review_id}", user=h.bob)
    form = opened[-1]
    assert form.kind == "modal"
    refused = await h.submit_modal(form, {"flag_reason": f"spam {HALF}"}, user=h.bob)
    assert refused[-1].ephemeral and "broken character" in refused[-1].content
    assert "“What is wrong with it? (optional)”" in refused[-1].content, refused[-1].content
    assert await h.db.fetch_value("SELECT count(*) FROM review_flags") == 0
    # The form is still open: sent again whole, it is taken.
    taken = await h.submit_modal(form, {"flag_reason": "spam"}, user=h.bob)
    assert "flagged" in taken[-1].content, taken[-1].content
    assert await h.db.fetch_value("SELECT count(*) FROM review_flags") == 1


async def test_autocomplete_looks_up_what_is_typed_without_the_halves(
    configured: Harness,
) -> None:
    h = configured
    await h.slash("requester review", user=h.alice, requester="Acme", platform="mturk", **RATINGS)
    choices = await h.autocomplete("task search", "requester", requester=f"ac{HALF}")
    assert choices == await h.autocomplete("task search", "requester", requester="ac")
    assert not any(has_half_character(c["name"]) for c in choices)


def test_only_lone_halves_count() -> None:
    assert has_half_character("a\udc00") and has_half_character("\ud83d")
    assert not has_half_character("🙂 fine")  # a whole pair decodes to one character
    assert not has_half_character(None) and not has_half_character(42)
