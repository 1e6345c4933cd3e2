"""`/profile`: set, show and clear a private eligibility profile."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

from db import members
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_an_empty_profile(harness: Harness) -> None:
    h = harness
    sent = await h.slash("profile show", user=h.alice)
    assert sent.ephemeral
    assert sent.embed["title"] == "Your eligibility profile"
    assert "Only you can see this" in sent.embed["description"]
    assert sent.field("Country") == "Not set"
    assert sent.field("Qualifications") == "None"
    assert [b["label"] for b in sent.buttons] == ["Edit qualifications", "Clear my profile"]


async def test_set_country_by_name_with_autocomplete(harness: Harness) -> None:
    h = harness
    choices = await h.autocomplete("profile country", "country", user=h.alice, country="fra")
    assert choices[0] == {"name": "France (FR)", "value": "FR"}
    sent = await h.slash("profile country", user=h.alice, country="France")
    assert sent.ephemeral and sent.content == "Country set to France (FR)."
    assert sent.field("Country") == "France (FR)"
    assert (await members.get(h.db, h.alice.id)).country == "FR"


async def test_french_member_gets_french_names(harness: Harness) -> None:
    h = harness
    choices = await h.autocomplete(
        "profile country", "country", user=h.bob, locale="fr", country="allem"
    )
    assert choices[0] == {"name": "Allemagne (DE)", "value": "DE"}
    sent = await h.slash("profile country", user=h.bob, locale="fr", country="DE")
    assert sent.content == "Pays enregistré : Allemagne (DE)."
    assert sent.field("Pays") == "Allemagne (DE)"


async def test_unknown_country_is_refused_and_nothing_stored(harness: Harness) -> None:
    h = harness
    for bad in ("Atlantis", "EU", "<@&123> @everyone", "x" * 10_000):
        sent = await h.slash("profile country", user=h.alice, country=bad)
        assert sent.ephemeral and "do not know the country" in sent.content
        assert "@everyone" not in sent.content
    assert (await members.get(h.db, h.alice.id)).country is None
    h.api.assert_never_pinged()


async def test_qualifications_through_the_modal(harness: Harness) -> None:
    h = harness
    modal = await h.slash("profile qualifications", user=h.alice)
    assert modal.kind == "modal" and modal.payload["title"] == "Your qualifications"
    replies = await h.submit_modal(
        modal, {"qualifications": "Masters\nHIT approval 98%\nUK residents"}, user=h.alice
    )
    answer = replies[-1]
    assert answer.ephemeral and answer.content == "3 qualifications saved."
    assert (await members.get(h.db, h.alice.id)).qualifications == frozenset(
        {"masters", "approval ≥98%", "uk residents"}
    )
    listed = answer.field("Qualifications").splitlines()
    assert len(listed) == 3 and "• uk residents" in listed

    # the form opens prefilled with what is stored
    again = await h.slash("profile qualifications", user=h.alice)
    inputs = [c for c in again.walk_components() if c.get("custom_id") == "qualifications"]
    assert set(inputs[0]["value"].splitlines()) == {"masters", "approval ≥98%", "uk residents"}

    # emptying the box clears the list
    replies = await h.submit_modal(again, {"qualifications": ""}, user=h.alice)
    assert replies[-1].content == "Your qualifications list is now empty."
    assert (await members.get(h.db, h.alice.id)).qualifications == frozenset()


async def test_a_bad_list_is_refused_and_the_old_one_kept(harness: Harness) -> None:
    h = harness
    modal = await h.slash("profile qualifications", user=h.alice)
    await h.submit_modal(modal, {"qualifications": "Masters"}, user=h.alice)
    modal = await h.slash("profile qualifications", user=h.alice)
    too_many = "\n".join(f"qualification {n}" for n in range(30))
    replies = await h.submit_modal(modal, {"qualifications": too_many}, user=h.alice)
    assert replies[-1].ephemeral and "25 qualifications" in replies[-1].content
    assert (await members.get(h.db, h.alice.id)).qualifications == frozenset({"masters"})


async def test_edit_button_opens_the_form(harness: Harness) -> None:
    h = harness
    card = await h.slash("profile show", user=h.alice)
    replies = await h.click(card, "Edit qualifications", user=h.alice)
    assert replies[-1].kind == "modal"


async def test_clear_parts_or_everything(harness: Harness) -> None:
    h = harness
    await h.slash("profile country", user=h.alice, country="CA")
    modal = await h.slash("profile qualifications", user=h.alice)
    await h.submit_modal(modal, {"qualifications": "Masters"}, user=h.alice)
    await members.set_timezone(h.db, h.alice.id, "America/Toronto", 0)

    sent = await h.slash("profile clear", user=h.alice, what="country")
    assert sent.content == "Your country has been forgotten."
    prefs = await members.get(h.db, h.alice.id)
    assert prefs.country is None and prefs.qualifications == frozenset({"masters"})

    await h.slash("profile country", user=h.alice, country="CA")
    sent = await h.slash("profile clear", user=h.alice, what="qualifications")
    prefs = await members.get(h.db, h.alice.id)
    assert prefs.country == "CA" and prefs.qualifications == frozenset()

    sent = await h.slash("profile clear", user=h.alice)
    assert "cleared" in sent.content
    prefs = await members.get(h.db, h.alice.id)
    assert prefs.country is None and prefs.qualifications == frozenset()
    assert prefs.timezone == "America/Toronto"  # other preferences are not the profile's


async def test_clear_refuses_a_value_outside_the_choices(harness: Harness) -> None:
    h = harness
    await h.slash("profile country", user=h.alice, country="CA")
    sent = await h.slash("profile clear", user=h.alice, what="everything'; DROP TABLE members")
    assert sent.ephemeral and "Choose what to forget" in sent.content
    assert (await members.get(h.db, h.alice.id)).country == "CA"


async def test_clear_button_on_the_card(harness: Harness) -> None:
    h = harness
    await h.slash("profile country", user=h.alice, country="CA")
    card = await h.slash("profile show", user=h.alice)
    replies = await h.click(card, "Clear my profile", user=h.alice)
    assert replies[-1].kind == "update"
    assert h.current(card).embeds[0]["fields"][0]["value"] == "Not set"
    assert (await members.get(h.db, h.alice.id)).country is None


async def test_nobody_else_sees_or_changes_a_profile(harness: Harness) -> None:
    h = harness
    await h.slash("profile country", user=h.alice, country="FR")
    card = await h.slash("profile show", user=h.alice)
    # Bob sees his own, empty profile
    bobs = await h.slash("profile show", user=h.bob)
    assert bobs.field("Country") == "Not set" and "France" not in bobs.text
    # and Alice's card buttons refuse him
    replies = await h.click(card, "Clear my profile", user=h.bob)
    assert replies[-1].ephemeral and "someone else" in replies[-1].content
    assert (await members.get(h.db, h.alice.id)).country == "FR"
    # every profile answer was private
    for sent in h.api.sent:
        if sent.kind in ("response", "followup", "update") and sent.message is not None:
            assert sent.ephemeral, sent


async def test_profile_works_in_direct_messages(harness: Harness) -> None:
    h = harness
    sent = await h.slash("profile country", user=h.alice, country="GB", dm=True)
    assert sent.content == "Country set to United Kingdom (GB)."
    assert (await members.get(h.db, h.alice.id)).country == "GB"


async def test_privacy_export_and_erase_are_registered(harness: Harness) -> None:
    h = harness
    await h.slash("profile country", user=h.alice, country="FR")
    modal = await h.slash("profile qualifications", user=h.alice)
    await h.submit_modal(modal, {"qualifications": "Masters"}, user=h.alice)
    await h.slash("alerts subscribe", user=h.alice, platform="mturk")  # not set up: refused
    sections = {s.name: s for s in h.bot.privacy.sections}
    assert {"profile", "alerts"} <= set(sections)
    exported = await sections["profile"].export(h.db, h.alice.id)
    assert exported == {"country": "FR", "qualifications": ["masters"]}
    assert await sections["profile"].erase(h.db, h.alice.id) == 1
    assert await sections["profile"].export(h.db, h.alice.id) == {
        "country": None,
        "qualifications": [],
    }
    assert await sections["profile"].erase(h.db, h.alice.id) == 0


async def test_absurd_numbers_in_qualifications_are_refused_and_nothing_is_saved(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A 310-digit number used to reach `int(inf)` and get the apology."""
    h = harness
    modal = await h.slash("profile qualifications", user=h.alice)
    await h.submit_modal(modal, {"qualifications": "Masters"}, user=h.alice)
    for typed in ("HIT approval " + "9" * 310, "approved HITs " + "9" * 400, "5" + "0" * 20):
        modal = await h.slash("profile qualifications", user=h.alice)
        with caplog.at_level(logging.ERROR):
            replies = await h.submit_modal(modal, {"qualifications": typed}, user=h.alice)
        assert replies[-1].ephemeral
        assert "holds a number no qualification can have" in replies[-1].content
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert (await members.get(h.db, h.alice.id)).qualifications == frozenset({"masters"})


async def test_two_members_forms_never_reach_each_other(harness: Harness) -> None:
    """Open forms are found by custom_id alone: each one's is unique and unguessable."""
    h = harness
    alices = await h.slash("profile qualifications", user=h.alice)
    bobs = await h.slash("profile qualifications", user=h.bob)
    assert alices.payload["custom_id"] != bobs.payload["custom_id"]
    done = await h.submit_modal(alices, {"qualifications": "Masters"}, user=h.alice)
    assert "saved" in done[-1].content.lower()
    done = await h.submit_modal(bobs, {"qualifications": "HIT approval 99%"}, user=h.bob)
    assert "saved" in done[-1].content.lower()
    assert (await members.get(h.db, h.alice.id)).qualifications == frozenset({"masters"})
    assert (await members.get(h.db, h.bob.id)).qualifications == frozenset({"approval ≥99%"})
    # A submit carrying the fixed prefix only (what a forger could guess) reaches nothing.
    carols = await h.slash("profile qualifications", user=h.carol)
    forged = dataclasses.replace(
        carols, payload={**carols.payload, "custom_id": "profile:qualifications"}
    )
    assert await h.submit_modal(forged, {"qualifications": "Masters"}, user=h.dave) == []
    assert (await members.get(h.db, h.dave.id)).qualifications == frozenset()


async def test_qualifications_refuse_personal_data(harness: Harness) -> None:
    h = harness
    modal = await h.slash("profile qualifications", user=h.alice)
    replies = await h.submit_modal(
        modal, {"qualifications": "Masters\ncontact me: alice＠example.com"}, user=h.alice
    )
    answer = replies[-1]
    assert answer.ephemeral and "from the qualifications field" in answer.content
    assert (await members.get(h.db, h.alice.id)).qualifications == frozenset()


def text_inputs(modal: Any) -> list[dict[str, Any]]:
    """The text boxes of a modal payload, wherever they are nested."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == 4:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(modal.payload.get("components"))
    return found


async def test_the_longest_list_that_can_be_stored_still_opens_its_form(
    harness: Harness,
) -> None:
    """Stored forms can be longer than what was typed (`ﬃ` → `ffi`): 25 such lines were
    saved, and then the form prefilled with them was longer than its own box, which Discord
    refuses, so "Edit qualifications" could not open any more (found by a hostile probe)."""
    h = harness
    typed = "\n".join(
        "ﬃ" * 19 + "x" + chr(ord("a") + n // 5) + chr(ord("a") + n % 5) for n in range(25)
    )
    modal = await h.slash("profile qualifications", user=h.alice)
    saved = await h.submit_modal(modal, {"qualifications": typed}, user=h.alice)
    assert saved[-1].content == "25 qualifications saved."
    stored = (await members.get(h.db, h.alice.id)).qualifications
    assert len(stored) == 25 and all(len(q) == 60 for q in stored)
    card = await h.slash("profile show", user=h.alice)
    for opened in (
        await h.slash("profile qualifications", user=h.alice),
        (await h.click(card, "Edit qualifications", user=h.alice))[-1],
    ):
        assert opened.kind == "modal"
        (box,) = text_inputs(opened)
        assert box["value"] == "\n".join(sorted(stored))
        assert len(box["value"]) <= box["max_length"] <= 4000  # what Discord accepts
    # and sending the prefilled form back unchanged keeps the list
    again = await h.slash("profile qualifications", user=h.alice)
    (box,) = text_inputs(again)
    kept = await h.submit_modal(again, {"qualifications": box["value"]}, user=h.alice)
    assert kept[-1].content == "25 qualifications saved."
    assert (await members.get(h.db, h.alice.id)).qualifications == stored
