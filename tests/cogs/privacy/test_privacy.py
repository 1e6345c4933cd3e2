"""/privacy export and /privacy delete walk every feature's registered data."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from bot.i18n import SUPPORTED, catalogs
from cogs.privacy.rules import fit_attachment
from db import earnings as E
from db import members
from tests.harness.driver import Harness


async def seed(h: Harness) -> None:
    await h.slash(
        "earnings log", user=h.alice, amount="1.50", minutes=10, platform="MTurk", requester="Acme"
    )
    await h.slash("earnings settings", user=h.alice, timezone="Europe/Paris")
    await h.slash("earnings goal", user=h.alice, amount="20")
    await h.slash("earnings share on", user=h.alice)
    await h.slash("earnings log", user=h.bob, amount="9", minutes=10, platform="MTurk")


def document(sent: Any) -> dict[str, Any]:
    ((name, data),) = sent.files
    assert name.endswith(".json")
    return json.loads(data)


async def test_export_gathers_every_registered_section(harness: Harness) -> None:
    h = harness
    await seed(h)
    replies = await h.slash_all("privacy export", user=h.alice)
    assert [r.kind for r in replies] == ["deferred", "followup"]
    sent = replies[-1]
    assert sent.ephemeral and "Only you can see this" in sent.content
    doc = document(sent)
    assert doc["format"] == "entraide-export/1" and doc["user_id"] == str(h.alice.id)
    assert doc["incomplete"] == []
    assert set(doc["sections"]) == {s.name for s in h.bot.privacy.sections}
    earnings = doc["sections"]["earnings"]
    assert [e["amount_minor"] for e in earnings["entries"]] == [150]
    assert earnings["settings"]["daily_goal_minor"] == 2000
    assert earnings["community_sharing"][0]["guild_id"] == str(h.world.guild_id)
    assert doc["sections"]["member_preferences"] == {"timezone": "Europe/Paris", "locale": None}
    assert "900" not in json.dumps(earnings)  # nothing of Bob's


async def test_a_failing_section_is_reported_not_hidden(harness: Harness) -> None:
    h = harness

    async def broken(db: Any, user_id: int) -> Any:
        raise RuntimeError("boom")

    async def erase(db: Any, user_id: int) -> int:
        return 0

    h.bot.privacy.register("zz_broken", broken, erase)
    sent = await h.slash("privacy export", user=h.alice)
    assert "could not be read" in sent.content and "zz broken" in sent.content
    assert document(sent)["incomplete"] == ["zz_broken"]


async def test_delete_needs_the_members_own_confirmation(harness: Harness) -> None:
    h = harness
    await seed(h)
    ask = await h.slash("privacy delete", user=h.alice)
    assert ask.ephemeral and ask.embed["title"] == "Erase all your data?"
    assert "earnings log" in ask.embed["description"]
    intruder = await h.click(ask, "Erase everything", user=h.bob)
    assert "someone else" in intruder[-1].content
    assert len(await E.all_entries(h.db, h.alice.id)) == 1
    done = await h.click(ask, "Erase everything", user=h.alice)
    assert [r.kind for r in done] == ["update", "followup"]
    assert h.current(ask).embed["title"] == "Erasing your data…" and not h.current(ask).buttons
    report = done[-1]
    assert report.ephemeral and report.embed["title"] == "Your data is erased"
    assert "earnings log: 3 removed" in report.embed["description"]  # entry, goal, sharing
    assert await E.all_entries(h.db, h.alice.id) == []
    assert (await members.get(h.db, h.alice.id)).timezone is None
    ctx = await E.context(h.db, h.alice.id, h.world.guild_id)
    assert ctx.goal is None and not ctx.sharing
    assert len(await E.all_entries(h.db, h.bob.id)) == 1  # nobody else's data


async def test_cancel_erases_nothing(harness: Harness) -> None:
    h = harness
    await seed(h)
    ask = await h.slash("privacy delete", user=h.alice, locale="fr")
    assert ask.embed["title"] == "Effacer toutes vos données ?"
    await h.click(ask, "Annuler", user=h.alice, locale="fr")
    assert h.current(ask).embed["title"] == "Rien n'a été effacé."
    assert len(await E.all_entries(h.db, h.alice.id)) == 1


async def test_privacy_works_in_direct_messages(harness: Harness) -> None:
    h = harness
    await seed(h)
    sent = await h.slash("privacy export", user=h.alice, dm=True)
    assert document(sent)["sections"]["earnings"]["entries"]
    ask = await h.slash("privacy delete", user=h.alice, dm=True)
    await h.click(ask, "Erase everything", user=h.alice)
    assert await E.all_entries(h.db, h.alice.id) == []


def test_big_exports_are_compressed_or_refused() -> None:
    data = b'{"x": "' + b"a" * 5000 + b'"}'
    assert fit_attachment("d.json", data, 10_000) == ("d.json", data)
    name, packed = fit_attachment("d.json", data, 1000)
    assert name == "d.json.gz" and gzip.decompress(packed) == data
    import os

    from bot.errors import UserError

    with pytest.raises(UserError):
        fit_attachment("d.json", os.urandom(5000), 1000)


async def test_every_section_is_named_for_members_in_every_language(harness: Harness) -> None:
    """/privacy delete lists what it erases by section: never an internal name (a hostile
    probe read "intake" and "requesters", in English on a French screen).
    """
    names = {s.name for s in harness.bot.privacy.sections}
    assert {"tasks", "requesters", "intake", "earnings"} <= names  # every feature loaded
    for lang in SUPPORTED:
        for name in names:
            assert f"privacy.sections.{name}" in catalogs()[lang], (lang, name)
    ask = await harness.slash("privacy delete", user=harness.alice, locale="fr")
    assert "intake" not in ask.text and "jetons d'API" in ask.text
