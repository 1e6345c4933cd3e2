"""Opt-in community statistics and their k-anonymity floor."""

from __future__ import annotations

from tests.cogs.earnings.helpers import log
from tests.harness.driver import Harness


async def test_statistics_appear_only_with_five_contributors(harness: Harness) -> None:
    h = harness
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    for n, person in enumerate(people[:4], start=1):
        await log(h, person, amount=str(n * 2), minutes=60, status="approved")
        on = await h.slash("earnings share on", user=person)
        assert on.ephemeral and "at least 5 members" in on.content
    await log(h, h.mod, amount="10", minutes=60, status="approved")  # not sharing yet
    await log(h, h.admin, amount="50", minutes=60, status="approved")  # never shares
    four = await h.slash("earnings community", user=h.carol)
    assert "Not enough members share yet" in four.embed["description"]
    assert not four.embed.get("fields")
    await h.slash("earnings share on", user=h.mod)
    five = await h.slash("earnings community", user=h.admin)
    assert five.embed["fields"][0]["name"] == "MTurk (USD)"
    value = five.embed["fields"][0]["value"]
    assert "Median **$6.00/h**" in value and "$4.00/h – $8.00/h" in value and "5 members" in value
    assert "$50.00" not in five.text
    for person in [*people, h.admin]:
        assert person.name not in five.text.lower()
    assert "You can contribute" in five.embed["footer"]["text"]
    mine = await h.slash("earnings community", user=h.alice)
    assert "You contribute" in mine.embed["footer"]["text"]


async def test_opting_out_and_leaving_remove_a_member(harness: Harness) -> None:
    h = harness
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    for person in people:
        await log(h, person, amount="6", minutes=60, status="approved")
        await h.slash("earnings share on", user=person)
    assert (await h.slash("earnings community", user=h.alice)).embed.get("fields")
    off = await h.slash("earnings share off", user=h.bob)
    assert "no longer feed" in off.content
    assert "Not enough" in (await h.slash("earnings community", user=h.alice)).embed["description"]
    await h.slash("earnings share on", user=h.bob)
    await h.remove_member(h.carol)
    assert "Not enough" in (await h.slash("earnings community", user=h.alice)).embed["description"]
    settings = await h.slash("earnings settings", user=h.bob)
    assert settings.field("Sharing") == "yes"


async def test_sharing_needs_a_server(harness: Harness) -> None:
    sent = await harness.slash("earnings share on", user=harness.alice, dm=True)
    assert "only works inside a server" in sent.content
    sent = await harness.slash("earnings community", user=harness.alice, dm=True)
    assert "only works inside a server" in sent.content


async def test_earnings_work_in_direct_messages_with_default_settings(harness: Harness) -> None:
    h = harness
    sent = await h.slash(
        "earnings log", user=h.alice, dm=True, amount="2", minutes=10, platform="MTurk"
    )
    assert sent.embed["title"] == "Entry #1 logged"
    summary = await h.slash("earnings summary", user=h.alice, dm=True)
    assert "America/Los_Angeles" in summary.embed["description"]
