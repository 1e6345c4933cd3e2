"""`/platform add|remove`: moderators only (checked on the server), audit-logged."""

from __future__ import annotations

import pytest

from db import audit
from db import platforms as platforms_db
from tests.cogs.platforms.helpers import review
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def added_here(h: Harness) -> list[str]:
    return [p.key for p in await platforms_db.visible(h.db, h.world.guild_id) if not p.builtin]


async def test_a_moderator_adds_a_platform_members_can_then_review(configured: Harness) -> None:
    h = configured
    sent = await h.slash("platform add", user=h.mod, name="  Remotasks ")
    assert sent.ephemeral and sent.content.startswith("Remotasks is now listed")
    assert await added_here(h) == ["remotasks"]
    [entry] = await audit.page(h.db, h.world.guild_id)
    assert (entry.actor_id, entry.action, entry.target_kind) == (
        h.mod.id,
        "platform_add",
        "platform",
    )
    assert entry.detail == {"name": "Remotasks", "key": "remotasks"}

    choices = await h.autocomplete("platform review", "platform", platform="remo")
    assert choices == [{"name": "Remotasks (added by this server)", "value": "remotasks"}]
    receipt = await review(h, user=h.alice, platform="remotasks")
    assert receipt.embed["title"] == "Your review of Remotasks is saved"
    info = await h.slash("platform info", user=h.bob, platform="Remotasks")
    assert "Added by this server's moderators." in info.embed["description"]


async def test_a_server_manager_counts_as_a_moderator(configured: Harness) -> None:
    h = configured
    sent = await h.slash("platform add", user=h.admin, name="Outlier")
    assert "Outlier is now listed" in sent.content


@pytest.mark.parametrize("person", ["alice", "bob"])
async def test_members_cannot_add_or_remove(configured: Harness, person: str) -> None:
    h = configured
    user = getattr(h, person)
    sent = await h.slash("platform add", user=user, name="Remotasks")
    assert sent.ephemeral and sent.content == "Only moderators can do that."
    assert await added_here(h) == []
    await h.slash("platform add", user=h.mod, name="Remotasks")
    refused = await h.slash("platform remove", user=user, platform="remotasks")
    assert refused.content == "Only moderators can do that."
    assert await added_here(h) == ["remotasks"]
    assert [e.action for e in await audit.page(h.db, h.world.guild_id)] == ["platform_add"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("@everyone", "platform names may contain letters, digits"),
        ("<@&1234567890>", "platform names may contain letters, digits"),
        ("**Scam**", "platform names may contain letters, digits"),
        ("x" * 100, "platform names are at most 40"),
        ("contact me@example.com", "remove the e-mail address from the platform name"),
        ("Other", "cannot be a platform name"),
        ("12345", "needs at least one letter"),
        ("mturk", "MTurk is already listed on every server"),
        ("Amazon Mechanical Turk", "MTurk is already listed on every server"),
    ],
)
async def test_bad_names_are_refused_and_nothing_is_stored(
    configured: Harness, name: str, expected: str
) -> None:
    h = configured
    before = await h.db.fetch_value("SELECT COUNT(*) FROM platforms")
    sent = await h.slash("platform add", user=h.mod, name=name)
    assert sent.ephemeral and expected in sent.content, sent.content
    assert await h.db.fetch_value("SELECT COUNT(*) FROM platforms") == before
    assert await audit.page(h.db, h.world.guild_id) == []
    h.api.assert_never_pinged()


async def test_adding_twice_is_refused(configured: Harness) -> None:
    h = configured
    await h.slash("platform add", user=h.mod, name="Remotasks")
    sent = await h.slash("platform add", user=h.mod, name="REMOTASKS")
    assert sent.content == "Remotasks is already listed on this server."
    assert len(await audit.page(h.db, h.world.guild_id)) == 1


async def test_the_number_of_added_platforms_is_limited(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    h = configured
    monkeypatch.setattr(importlib.import_module("cogs.platforms.rules"), "MAX_ADDED_PER_SERVER", 2)
    await h.slash("platform add", user=h.mod, name="Alpha")
    await h.slash("platform add", user=h.mod, name="Beta")
    sent = await h.slash("platform add", user=h.mod, name="Gamma")
    assert "already lists 2 platforms of its own" in sent.content
    assert await added_here(h) == ["alpha", "beta"]
    assert await h.db.fetch_value("SELECT COUNT(*) FROM platforms WHERE key = 'gamma'") == 0


async def test_a_moderator_removes_an_added_platform_and_reviews_come_back_with_it(
    configured: Harness,
) -> None:
    h = configured
    await h.slash("platform add", user=h.mod, name="Remotasks")
    await review(h, user=h.alice, platform="remotasks", text="Kept.")
    only_added = await h.autocomplete("platform remove", "platform", user=h.mod, platform="")
    assert [c["value"] for c in only_added] == ["remotasks"]
    sent = await h.slash("platform remove", user=h.mod, platform="remotasks")
    assert sent.content.startswith("Remotasks is no longer listed on this server.")
    assert await added_here(h) == []
    gone = await h.slash("platform info", user=h.bob, platform="remotasks")
    assert "is not a platform this server lists" in gone.content
    actions = [e.action for e in await audit.page(h.db, h.world.guild_id)]
    assert actions == ["platform_remove", "platform_add"]

    await h.slash("platform add", user=h.mod, name="Remotasks")
    back = await h.slash("platform info", user=h.bob, platform="remotasks")
    assert "Kept." in back.text


async def test_built_in_platforms_cannot_be_removed(configured: Harness) -> None:
    h = configured
    sent = await h.slash("platform remove", user=h.mod, platform="prolific")
    assert sent.content == "Prolific is listed on every server and cannot be removed."
    assert await platforms_db.find(h.db, h.world.guild_id, "prolific") is not None


async def test_moderation_answers_in_french(configured: Harness) -> None:
    h = configured
    added = await h.slash("platform add", user=h.mod, name="Remotasks", locale="fr")
    assert added.content.startswith("Remotasks est maintenant listée")
    refused = await h.slash("platform add", user=h.alice, name="Outlier", locale="fr")
    assert refused.ephemeral and refused.content == "Seuls les modérateurs peuvent faire cela."
    bad = await h.slash("platform add", user=h.mod, name="@here", locale="fr")
    assert "ne contient que des lettres" in bad.content


async def test_another_servers_platform_cannot_be_removed_from_here(configured: Harness) -> None:
    h = configured
    async with h.db.transaction():
        theirs = await platforms_db.add_to_server(h.db, 999, "outlier", "Outlier", 1, limit=40)
    sent = await h.slash("platform remove", user=h.mod, platform="outlier")
    assert "is not a platform this server lists" in sent.content
    assert await platforms_db.find(h.db, 999, "outlier") == theirs
    assert await audit.page(h.db, h.world.guild_id) == []
