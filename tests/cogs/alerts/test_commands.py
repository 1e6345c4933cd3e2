"""`/alerts subscribe|list|remove` through real dispatch: what members see, what is stored."""

from __future__ import annotations

import pytest

from db import guilds, requesters, subscriptions
from tests.cogs.alerts.helpers import subscribe
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def stored(h: Harness, user) -> list[subscriptions.Subscription]:
    return await subscriptions.for_member(h.db, h.world.guild_id, user.id)


async def test_subscribe_with_every_filter(configured: Harness) -> None:
    h = configured
    sent = await h.slash(
        "alerts subscribe",
        user=h.alice,
        platform="Prolific",
        min_hourly=9.5,
        min_reward=1,
        currency="gbp",
        keywords='Survey, "decision making"',
        requester="Oxford Psych",
        no_warned=True,
    )
    assert sent.ephemeral
    assert sent.embed["title"] == "Subscription saved"
    description = sent.embed["description"]
    for part in ("Prolific", "≥ £9.50/h", "reward ≥ £1.00", "“survey”", "“decision making”"):
        assert part in description
    assert "requester “oxford psych”" in description and "no warned tasks" in description
    assert "at most 10 alert messages per hour" in sent.field("Good to know")
    [sub] = await stored(h, h.alice)
    assert (sub.platform, sub.min_hourly_cents, sub.min_reward_cents, sub.currency) == (
        "prolific",
        950,
        100,
        "GBP",
    )
    assert sub.keywords == ("survey", "decision making")
    assert (sub.requester, sub.no_warned, sub.locale) == ("oxford psych", True, "en")
    h.api.assert_never_pinged()


async def test_money_filters_default_to_the_servers_currency(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, currency="EUR")
    await subscribe(h, h.alice, min_hourly=8)
    [sub] = await stored(h, h.alice)
    assert (sub.min_hourly_cents, sub.currency) == (800, "EUR")


async def test_a_subscription_without_filters_is_allowed_and_explained(configured: Harness) -> None:
    h = configured
    sent = await subscribe(h, h.alice)
    assert sent.embed["description"] == "Every task"
    assert "every task shared here" in sent.field("Good to know")
    [sub] = await stored(h, h.alice)
    assert sub.platform is None and sub.currency is None and sub.keywords == ()


async def test_french_member_subscribes_in_french(configured: Harness) -> None:
    h = configured
    sent = await h.slash("alerts subscribe", user=h.bob, locale="fr", min_hourly=10.5)
    assert sent.embed["title"] == "Abonnement enregistré"
    assert "10,50" in sent.embed["description"] and "Bon à savoir" in sent.text
    [sub] = await stored(h, h.bob)
    assert sub.locale == "fr"


async def test_dms_turned_off_by_moderators_is_said(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, alert_dms_per_hour=0)
    sent = await subscribe(h, h.alice, platform="mturk")
    assert "turned alert messages off" in sent.field("Good to know")


async def test_a_server_not_set_up_refuses(harness: Harness) -> None:
    sent = await harness.slash("alerts subscribe", user=harness.alice, platform="mturk")
    assert sent.ephemeral and "/setup" in sent.content
    assert await stored(harness, harness.alice) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"platform": "myspace"}, "is not a platform I know"),
        ({"min_hourly": -5.0}, "more than zero"),
        ({"min_hourly": 0.0}, "more than zero"),
        ({"min_hourly": 1e12}, "higher than any task pays"),
        ({"min_reward": 25_000.0}, "higher than any task pays"),
        ({"min_reward": float("nan")}, "is not an amount"),
        ({"min_hourly": 10.555}, "cannot have that many decimals"),
        ({"min_hourly": 9.0, "currency": "XYZ"}, "not a currency I know"),
        ({"min_hourly": 9.0, "currency": "XXX"}, "not a currency I know"),  # ISO "no currency"
        ({"min_hourly": 9.0, "currency": "XTS"}, "not a currency I know"),  # ISO "testing"
        ({"min_reward": 1.0, "currency": "FRF"}, "not a currency I know"),  # withdrawn
        ({"currency": "XXX"}, "not a currency I know"),  # even without a money filter
        ({"keywords": "x" * 10_000}, "at most 200 characters"),
        ({"keywords": "a"}, "at least 2 letters"),
        ({"keywords": "**__~~||"}, "found no words"),
        ({"requester": "r" * 10_000}, "at most 100 characters"),
        ({"keywords": "survey john.doe＠example.com"}, "from the keywords field"),
        ({"requester": "john (at) example (dot) com"}, "from the requester name field"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(
    configured: Harness, options: dict[str, object], expected: str
) -> None:
    h = configured
    sent = await h.slash("alerts subscribe", user=h.alice, **options)
    assert sent.ephemeral, sent
    assert expected in sent.content, sent.content
    assert await stored(h, h.alice) == []


async def test_hostile_text_is_folded_and_never_pings(configured: Harness) -> None:
    h = configured
    sent = await subscribe(
        h,
        h.alice,
        keywords="@everyone <@&123> **bold**",
        requester="@here [x](javascript:alert(1))",
    )
    assert "@everyone" not in sent.text and "<@&" not in sent.text
    [sub] = await stored(h, h.alice)
    assert sub.keywords == ("everyone", "123", "bold")
    assert sub.requester == "here x javascript alert 1"
    listing = await h.slash("alerts list", user=h.alice)
    assert "@" not in listing.embed["description"]
    h.api.assert_never_pinged()


async def test_duplicates_and_the_limit(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="mturk", keywords="audio")
    again = await h.slash("alerts subscribe", user=h.alice, platform="MTurk", keywords="AUDIO")
    assert "already have a subscription with exactly these filters" in again.content
    for n in range(9):
        await subscribe(h, h.alice, keywords=f"word{n}")
    assert len(await stored(h, h.alice)) == 10
    over = await h.slash("alerts subscribe", user=h.alice, keywords="eleventh")
    assert over.ephemeral and "10 subscriptions" in over.content
    assert len(await stored(h, h.alice)) == 10
    # the limit is per member: Bob is not affected by Alice's ten
    await subscribe(h, h.bob, keywords="eleventh")


async def test_list_is_numbered_private_and_removable(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="mturk")
    await subscribe(h, h.alice, min_hourly=12)
    await subscribe(h, h.alice, keywords="transcription")
    await subscribe(h, h.bob, platform="appen")
    listing = await h.slash("alerts list", user=h.alice)
    assert listing.ephemeral
    lines = listing.embed["description"].splitlines()
    assert lines[:3] == ["**1.** MTurk", "**2.** ≥ $12.00/h", "**3.** words “transcription”"]
    assert "3 of 10 subscriptions used." in listing.embed["description"]
    assert "Appen" not in listing.text  # Bob's
    assert listing.embed["footer"]["text"] == "Alert messages this hour: 0 of 10."
    labels = [b["label"] for b in listing.buttons]
    assert labels == ["Remove #1", "Remove #2", "Remove #3", "Remove all"]

    replies = await h.click(listing, "Remove #2", user=h.alice)
    assert replies[-1].kind == "update"
    assert replies[-1].content == "Subscription removed: ≥ $12.00/h"
    now = h.current(listing)
    assert now.embed["description"].splitlines()[:2] == [
        "**1.** MTurk",
        "**2.** words “transcription”",
    ]
    assert [b["label"] for b in now.buttons] == ["Remove #1", "Remove #2", "Remove all"]
    assert [s.platform for s in await stored(h, h.alice)] == ["mturk", None]

    replies = await h.click(now, "Remove all", user=h.alice)
    assert replies[-1].content == "2 subscriptions removed."
    assert "no subscriptions" in h.current(listing).embed["description"]
    assert h.current(listing).buttons == []
    assert await stored(h, h.alice) == []
    assert len(await stored(h, h.bob)) == 1


async def test_someone_elses_buttons_do_nothing(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="mturk")
    listing = await h.slash("alerts list", user=h.alice)
    replies = await h.click(listing, "Remove #1", user=h.bob)
    assert (
        replies[-1].ephemeral and "does not exist any more (or is not yours)" in replies[-1].content
    )
    replies = await h.click(listing, "Remove all", user=h.bob)
    assert replies[-1].ephemeral and "someone else" in replies[-1].content
    assert len(await stored(h, h.alice)) == 1


async def test_list_buttons_survive_a_restart(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    await subscribe(h, h.alice, platform="mturk")
    listing = await h.slash("alerts list", user=h.alice)
    h2 = await h.restart(monkeypatch=monkeypatch)
    h2.api.messages.update(h.api.messages)
    replies = await h2.click(listing.message, "Remove #1", user=h2.alice)
    assert replies[-1].content.startswith("Subscription removed")
    assert await stored(h2, h2.alice) == []
    await h2.stop()


async def test_empty_list(configured: Harness) -> None:
    sent = await configured.slash("alerts list", user=configured.carol)
    assert sent.ephemeral and "/alerts subscribe" in sent.embed["description"]
    assert sent.buttons == []


async def test_remove_by_number_autocomplete_and_all(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="mturk")
    await subscribe(h, h.alice, platform="prolific")
    await subscribe(h, h.alice, platform="toloka")
    choices = await h.autocomplete("alerts remove", "which", user=h.alice, which="")
    assert [c["name"] for c in choices] == [
        "#1 · MTurk",
        "#2 · Prolific",
        "#3 · Toloka",
        "All 3 subscriptions",
    ]
    narrowed = await h.autocomplete("alerts remove", "which", user=h.alice, which="tol")
    assert [c["name"] for c in narrowed] == ["#3 · Toloka"]

    sent = await h.slash("alerts remove", user=h.alice, which="2")
    assert sent.ephemeral and sent.content == "Subscription removed: Prolific"
    sent = await h.slash("alerts remove", user=h.alice, which=narrowed[0]["value"])
    assert sent.content == "Subscription removed: Toloka"
    assert [s.platform for s in await stored(h, h.alice)] == ["mturk"]
    sent = await h.slash("alerts remove", user=h.alice, which="all")
    assert sent.content == "1 subscription removed."
    assert await stored(h, h.alice) == []


async def test_remove_refuses_bad_numbers_and_other_peoples_records(configured: Harness) -> None:
    h = configured
    none = await h.slash("alerts remove", user=h.alice, which="1")
    assert "no subscriptions" in none.content
    await subscribe(h, h.alice, platform="mturk")
    await subscribe(h, h.bob, platform="appen")
    [bobs] = await stored(h, h.bob)
    for which, expected in [
        ("5", "between 1 and 1"),
        ("0", "between 1 and 1"),
        ("-1", "number shown by /alerts list"),
        ("two", "number shown by /alerts list"),
        (f"s{bobs.id}", "not yours"),
    ]:
        sent = await h.slash("alerts remove", user=h.alice, which=which)
        assert sent.ephemeral and expected in sent.content, (which, sent.content)
    assert len(await stored(h, h.alice)) == 1
    assert len(await stored(h, h.bob)) == 1


async def test_subscribe_autocompletes(configured: Harness) -> None:
    h = configured
    platforms = await h.autocomplete("alerts subscribe", "platform", platform="pro")
    assert platforms == [{"name": "Prolific", "value": "prolific"}]
    everything = await h.autocomplete("alerts subscribe", "platform", platform="")
    assert len(everything) == 7
    currencies = await h.autocomplete("alerts subscribe", "currency", currency="gb")
    assert {"name": "GBP", "value": "GBP"} in currencies
    await requesters.upsert(h.db, "mturk", "A1B2C3D4", "Acme Research", 0)
    await requesters.upsert(h.db, "prolific", None, "Academic Lab", 0)
    found = await h.autocomplete("alerts subscribe", "requester", requester="AC")
    assert [c["name"] for c in found] == ["Academic Lab (Prolific)", "Acme Research (MTurk)"]


async def test_french_command_names_are_registered(configured: Harness) -> None:
    from bot.cli import command_tree_json

    payload = await command_tree_json(configured.bot)
    alerts = next(c for c in payload if c["name"] == "alerts")
    assert alerts["name_localizations"]["fr"] == "alertes"
    names = {o["name"]: o["name_localizations"]["fr"] for o in alerts["options"]}
    assert names == {"subscribe": "suivre", "list": "liste", "remove": "retirer"}


async def test_an_unknown_platform_is_quoted_back_without_mentions(configured: Harness) -> None:
    h = configured
    sent = await h.slash("alerts subscribe", user=h.alice, platform="@everyone")
    assert "not a platform I know" in sent.content and "@everyone" not in sent.content
    h.api.assert_never_pinged()


async def test_alerts_commands_need_a_server(configured: Harness) -> None:
    h = configured
    sent = await h.slash("alerts list", user=h.alice, dm=True)
    assert sent.ephemeral and "only works inside a server" in sent.content


async def test_the_list_shows_every_subscription_however_long_its_filters(
    configured: Harness,
) -> None:
    """Ten subscriptions with the longest filters still each get their line, and the count."""
    h = configured
    words = " ".join(f"{chr(97 + n)}{'x' * 20}" for n in range(8))[:200]
    for n in range(10):
        await subscribe(
            h, h.alice, keywords=words, requester=f"{n:02d} {'r' * 95}", min_hourly=10 + n
        )
    shown = await h.slash("alerts list", user=h.alice)
    description = shown.embed["description"]
    assert len(description) <= 4096
    lines = description.split("\n")
    assert [line.split(" ", 1)[0] for line in lines[:10]] == [f"**{n}.**" for n in range(1, 11)]
    assert "10" in lines[-1]
