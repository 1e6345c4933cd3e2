"""Opt-in community statistics and their k-anonymity floor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cogs.earnings.community import community_hourly
from tests.cogs.earnings.helpers import log
from tests.harness.driver import Harness

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends


def at(day: int, month: int = 11) -> datetime:
    """17:00 UTC on a day of 2026 (the harness starts on Thursday 26 November)."""
    return datetime(2026, month, day, 17, 0, tzinfo=UTC)


async def community(h: Harness, user: Any, period: str = "last_week") -> Any:
    return await h.slash("earnings community", user=user, period=period)


async def test_statistics_appear_only_with_five_contributors(harness: Harness) -> None:
    h = harness
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    for n, person in enumerate(people[:4], start=1):
        await log(h, person, amount=str(n * 2), minutes=60, status="approved")
        on = await h.slash("earnings share on", user=person)
        assert on.ephemeral and "at least 5 members" in on.content
        assert "from next Monday" in on.content
    await log(h, h.mod, amount="10", minutes=60, status="approved")  # not sharing yet
    await log(h, h.admin, amount="50", minutes=60, status="approved")  # never shares
    h.clock.set(at(30))  # Monday: last week's snapshot
    four = await community(h, h.carol)
    assert "Not enough members share yet" in four.embed["description"]
    assert not four.embed.get("fields")
    await h.slash("earnings share on", user=h.mod)
    assert "Not enough" in (await community(h, h.carol)).embed["description"]  # from next week
    for n, person in enumerate(people, start=1):  # a new week of work, dated 30 November
        await log(h, person, amount=str(n * 2), minutes=60, status="approved")
    h.clock.set(at(7, 12))
    five = await community(h, h.admin)
    assert five.embed["fields"][0]["name"] == "MTurk (USD)"
    value = five.embed["fields"][0]["value"]
    assert value == "Median **$6.00/h**\nMiddle half: $4.00/h – $8.00/h\n5–9 members"
    assert "$50.00" not in five.text
    for person in [*people, h.admin]:
        assert person.name not in five.text.lower()
    assert "You can contribute" in five.embed["footer"]["text"]
    mine = await community(h, h.alice)
    assert "You contribute" in mine.embed["footer"]["text"]


async def test_opting_out_and_leaving_count_from_the_next_snapshot(harness: Harness) -> None:
    h = harness
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    for person in people:
        await log(h, person, amount="6", minutes=60, status="approved")
        await h.slash("earnings share on", user=person)
    h.clock.set(at(30))
    before = await community(h, h.alice)
    assert before.embed.get("fields")
    off = await h.slash("earnings share off", user=h.bob)
    assert "no longer feed" in off.content
    # the day's snapshot is not recomputed: the opt-out cannot be differenced out of it
    assert (await community(h, h.alice)).embed == before.embed
    h.clock.set(at(1, 12))
    assert "Not enough" in (await community(h, h.alice)).embed["description"]
    await h.slash("earnings share on", user=h.bob)
    await h.remove_member(h.carol)
    h.clock.set(at(2, 12))
    assert "Not enough" in (await community(h, h.alice)).embed["description"]
    settings = await h.slash("earnings settings", user=h.bob)
    assert settings.field("Sharing") == "yes"


@pytest.mark.parametrize("victim", ["9.10", "9.40"])
async def test_a_before_after_pair_does_not_reveal_a_members_rate(
    harness: Harness, victim: str
) -> None:
    """#12.19: the differencing attack, tried. Five members earn $8.00–$10.00/h; then one
    more opts in. Exact figures went from "median $9.00, 5 members" to a median that gives
    the newcomer's rate as 2 × after − before. Published figures must not."""
    h = harness
    people = [h.alice, h.bob, h.carol, h.dave, h.mod]
    for person, amount in zip(people, ["8", "8.50", "9", "9.50", "10"], strict=True):
        await log(h, person, amount=amount, minutes=60, status="approved")
        await h.slash("earnings share on", user=person)
    h.clock.set(at(30))
    before = await community(h, h.bob)
    assert before.embed["fields"][0]["value"] == (
        "Median **$9.00/h**\nMiddle half: $8.50/h – $9.50/h\n5–9 members"
    )
    # The victim opts in and logs their week (back-dated into the published week, too).
    await log(h, h.admin, amount=victim, minutes=60, status="approved", date="2026-11-26")
    await h.slash("earnings share on", user=h.admin)
    assert (await community(h, h.bob)).embed["fields"] == before.embed[
        "fields"
    ]  # same day: nothing moves
    h.clock.set(at(1, 12))
    assert (await community(h, h.bob)).embed["fields"] == before.embed[
        "fields"
    ]  # same week: not counted yet
    # Next week the victim counts, with everyone's work of that week.
    for person, amount in zip(
        [*people, h.admin], ["8", "8.50", "9", "9.50", "10", victim], strict=True
    ):
        await log(h, person, amount=amount, minutes=60, status="approved", date="2026-12-01")
    h.clock.set(at(7, 12))
    after = await community(h, h.bob)
    value = after.embed["fields"][0]["value"]
    # The same figures whatever the victim earns between $9.10 and $9.40: 2 × 9.00 − 9.00
    # = 9.00 is not their rate, and the count did not move (still a band).
    assert value == "Median **$9.00/h**\nMiddle half: $8.50/h – $9.50/h\n5–9 members"
    exact = await community_hourly(h.db, h.world.guild_id, date(2026, 11, 30), date(2026, 12, 6))
    assert exact[0].members == 6 and exact[0].median_cents != 900  # what used to be shown


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
