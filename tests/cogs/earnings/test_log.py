"""Logging entries and fixing them, through real dispatch."""

from __future__ import annotations

import pytest

from bot.ui import Colours
from db import earnings as E
from tests.cogs.earnings.helpers import colour, log, stored
from tests.harness.driver import Harness

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends


async def test_log_a_task(harness: Harness) -> None:
    h = harness
    sent = await log(h, h.alice, amount="1.50", minutes=10, platform="mturk", requester="Acme")
    assert sent.kind == "response" and sent.ephemeral
    assert sent.embed["title"] == "Entry #1 logged"
    assert sent.field("Amount") == "$1.50" and sent.field("Hourly") == "$9.00/h"
    assert sent.field("Status") == "Pending" and sent.field("Platform") == "MTurk"
    assert sent.field("Date") == "Nov 26, 2026"
    assert colour(sent) == Colours.WARNING.value
    assert [b["label"] for b in sent.buttons] == ["Approved", "Rejected", "Returned", "Delete"]
    (entry,) = await stored(h, h.alice)
    assert (entry.amount_cents, entry.currency, entry.minutes, entry.platform) == (
        150,
        "USD",
        10,
        "MTurk",
    )
    assert (entry.status, entry.work_date, entry.source) == ("pending", "2026-11-26", "manual")
    assert "Only you can see this" in sent.text
    h.api.assert_never_pinged()


async def test_the_date_follows_the_members_time_zone(harness: Harness) -> None:
    h = harness  # 17:00 UTC: still the 26th in Los Angeles, already the 27th in Tokyo
    await h.slash("earnings settings", user=h.alice, timezone="asia/tokyo")
    await log(h, h.alice)
    await log(h, h.bob)
    assert (await stored(h, h.alice))[0].work_date == "2026-11-27"
    assert (await stored(h, h.bob))[0].work_date == "2026-11-26"
    # the 27th is today for Alice, the future for Bob
    ok = await log(h, h.alice, date="2026-11-27")
    assert ok.embed["title"] == "Entry #2 logged"
    refused = await log(h, h.bob, date="2026-11-27")
    assert refused.ephemeral and "future" in refused.content


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"amount": "-3"}, "cannot be negative"),
        ({"amount": "100000.01"}, "typo"),
        ({"amount": "lots"}, "not an amount"),
        ({"amount": "1.999"}, "decimals"),
        ({"minutes": 0}, "at least one minute"),
        ({"minutes": -20}, "at least one minute"),
        ({"minutes": 1441}, "at most 1440 minutes"),
        ({"currency": "ZZZ"}, "not a currency"),
        ({"date": "2026-12-01"}, "in the future"),
        ({"date": "tomorrow"}, "not a date"),
        ({"title": "x" * 10_000}, "title is too long"),
        ({"requester": "r" * 5_000}, "requester name is too long"),
        ({"platform": "   "}, "which platform"),
        ({"status": "paid"}, "not a status"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(
    harness: Harness, options: dict[str, object], words: str
) -> None:
    sent = await log(harness, harness.alice, **options)
    assert sent.ephemeral and words in sent.content, sent.content
    assert not sent.embeds
    assert await stored(harness, harness.alice) == []
    assert await harness.db.fetch_value("SELECT COUNT(*) FROM earnings_daily") == 0


async def test_hostile_text_never_pings_nor_breaks_the_card(harness: Harness) -> None:
    h = harness
    title = "@everyone <@&123> **free** [click](javascript:alert(1)) `x`"
    sent = await log(h, h.alice, title=title, requester="@here")
    shown = sent.field("Task")
    assert "@everyone" not in shown and "**free**" not in shown
    assert "\\[click\\]" in shown  # escaped brackets: no masked link
    assert "@here" not in sent.field("Requester")
    (entry,) = await stored(h, h.alice)
    assert entry.title == title  # stored as typed, neutralised only on display
    h.api.assert_never_pinged()


async def test_status_buttons_belong_to_their_owner(harness: Harness) -> None:
    h = harness
    sent = await log(h, h.alice)
    updated = await h.click(sent, "Approved", user=h.alice)
    assert updated[-1].kind == "update" and colour(updated[-1]) == Colours.GOOD.value
    assert updated[-1].field("Status") == "Approved"
    assert "Approved" not in [b["label"] for b in updated[-1].buttons]
    stolen = await h.click(sent, "Rejected", user=h.bob)
    assert stolen[-1].ephemeral and "not yours" in stolen[-1].content
    assert (await stored(h, h.alice))[0].status == "approved"
    gone = await h.click(sent, "Delete", user=h.alice)
    assert gone[-1].embed["title"] == "Entry #1 deleted" and not gone[-1].buttons
    assert await stored(h, h.alice) == []


async def test_buttons_keep_working_after_a_restart(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = await log(harness, harness.alice)
    message = harness.api.messages[sent.message_id]
    h = await harness.restart(monkeypatch=monkeypatch)
    h.api.messages[sent.message_id] = message  # the message lives on in Discord
    try:
        replies = await h.click(sent.message_id, "Returned", user=h.alice)
    finally:
        await h.stop()
    assert replies[-1].field("Status") == "Returned"


async def test_status_command_only_reaches_own_entries(harness: Harness) -> None:
    h = harness
    await log(h, h.alice)
    sent = await h.slash("earnings status", user=h.alice, entry=1, status="rejected")
    assert sent.field("Status") == "Rejected" and colour(sent) == Colours.BAD.value
    other = await h.slash("earnings status", user=h.bob, entry=1, status="approved")
    assert other.ephemeral and "no entry #1" in other.content
    unknown = await h.slash("earnings status", user=h.alice, entry=999, status="approved")
    assert "no entry #999" in unknown.content
    assert (await stored(h, h.alice))[0].status == "rejected"
    await h.slash("earnings unpaid", user=h.alice, minutes=15)
    unpaid = await h.slash("earnings status", user=h.alice, entry=2, status="approved")
    assert "no status" in unpaid.content


async def test_pending_list_with_buttons(harness: Harness) -> None:
    h = harness
    for n in range(3):
        await log(h, h.alice, title=f"Task {n}")
    await log(h, h.bob)
    listing = await h.slash("earnings pending", user=h.alice)
    assert (
        listing.embed["title"] == "Pending entries: 3"
        and "Task" not in listing.embed["description"]
    )
    assert "#1" in listing.embed["description"] and listing.ephemeral
    nothing = await h.click(listing, "Approved", user=h.alice)
    assert "Pick at least one" in nothing[-1].content
    intruder = await h.select(listing, "earnings:pending:pick", ["1"], user=h.bob)
    assert "someone else" in intruder[-1].content
    await h.select(listing, "earnings:pending:pick", ["1", "3"], user=h.alice)
    done = await h.click(listing, "Approved", user=h.alice)
    assert done[-1].content == "2 entries marked Approved."
    assert done[-1].embed["title"] == "Pending entries: 1"
    statuses = [e.status for e in await stored(h, h.alice)]
    assert statuses == ["approved", "pending", "approved"]
    assert [e.status for e in await stored(h, h.bob)] == ["pending"]
    await h.select(listing, "earnings:pending:pick", ["2"], user=h.alice)
    last = await h.click(listing, "Returned", user=h.alice)
    assert "Nothing is pending" in last[-1].embed["description"] and not last[-1].buttons


async def test_bonus_and_unpaid_time(harness: Harness) -> None:
    h = harness
    bonus = await h.slash(
        "earnings bonus", user=h.alice, amount="0.75", platform="prolific", currency="GBP"
    )
    assert bonus.embed["title"] == "Bonus #1 logged" and bonus.field("Amount") == "£0.75"
    assert bonus.field("Status") == "Approved"
    zero = await h.slash("earnings bonus", user=h.alice, amount="0", platform="MTurk")
    assert "more than zero" in zero.content
    unpaid = await h.slash("earnings unpaid", user=h.alice, minutes=25, reason="qualification")
    assert unpaid.embed["title"] == "Unpaid time #2 logged"
    assert unpaid.field("Spent on") == "Qualification test" and unpaid.field("Time") == "25 min"
    assert [b["label"] for b in unpaid.buttons] == ["Delete"]
    odd = await h.slash("earnings unpaid", user=h.alice, minutes=5, reason="between_tasks")
    assert "not a reason" in odd.content
    too_long = await h.slash("earnings unpaid", user=h.alice, minutes=2000)
    assert "at most 1440" in too_long.content
    assert [e.kind for e in await stored(h, h.alice)] == ["bonus", "unpaid"]


async def test_recent_and_delete(harness: Harness) -> None:
    h = harness
    empty = await h.slash("earnings recent", user=h.alice)
    assert "not logged anything" in empty.embed["description"]
    await log(h, h.alice, requester="Acme")
    await log(h, h.alice, amount="2")
    recent = await h.slash("earnings recent", user=h.alice)
    lines = recent.embed["description"].splitlines()
    assert lines[0].startswith("#2") and lines[1].startswith("#1") and "Acme" in lines[1]
    deleted = await h.slash("earnings delete", user=h.alice, entry=1)
    assert deleted.embed["title"] == "Entry #1 deleted"
    again = await h.slash("earnings delete", user=h.alice, entry=1)
    assert "no entry #1" in again.content
    theirs = await h.slash("earnings delete", user=h.bob, entry=2)
    assert "no entry #2" in theirs.content
    assert [e.number for e in await stored(h, h.alice)] == [2]


async def test_autocomplete_only_offers_the_members_own_requesters(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, requester="Acme Research")
    await log(h, h.bob, requester="Acme Secret Lab")
    choices = await h.autocomplete("earnings log", "requester", user=h.alice, requester="acme")
    assert [c["value"] for c in choices] == ["Acme Research"]
    entries = await h.autocomplete("earnings status", "entry", user=h.bob, entry="")
    assert len(entries) == 1 and "Secret" in entries[0]["name"]
    platforms = await h.autocomplete("earnings log", "platform", user=h.alice, platform="pro")
    assert [c["value"] for c in platforms] == ["Prolific"]
    dates = await h.autocomplete("earnings log", "date", user=h.alice, date="")
    assert dates[0]["value"] == "2026-11-26" and dates[0]["name"].startswith("Today")
    zones = await h.autocomplete("earnings settings", "timezone", user=h.alice, timezone="paris")
    assert zones[0]["value"] == "Europe/Paris"


async def test_french_member(harness: Harness) -> None:
    h = harness
    sent = await log(h, h.alice, amount="1,50", locale="fr")
    assert sent.embed["title"] == "Entrée n° 1 notée"
    assert sent.field("Montant") == "1,50\xa0$US" and sent.field("Statut") == "En attente"
    assert [b["label"] for b in sent.buttons][-1] == "Supprimer"
    bad = await log(h, h.alice, minutes=0, locale="fr")
    assert "au moins une minute" in bad.content


async def test_goal_progress_on_the_confirmation(harness: Harness) -> None:
    h = harness
    set_goal = await h.slash("earnings goal", user=h.alice, amount="20")
    assert "$20.00" in set_goal.content
    sent = await log(h, h.alice, amount="5", status="approved")
    assert "$5.00 of $20.00 today (25%)" in sent.embed["description"]
    refused = await h.slash("earnings goal", user=h.alice, amount="-5")
    assert "negative" in refused.content
    cleared = await h.slash("earnings goal", user=h.alice, amount="0")
    assert "removed" in cleared.content
    ctx = await E.context(h.db, h.alice.id, h.world.guild_id)
    assert ctx.goal is None


# -- a currency symbol names the currency (issue #12, item 10) ---------------------------------


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("earnings log", {"amount": "£4.50", "minutes": 10}, (450, "GBP")),
        ("earnings log", {"amount": "€5", "minutes": 10}, (500, "EUR")),
        ("earnings log", {"amount": "4,50 €", "minutes": 10}, (450, "EUR")),
        ("earnings log", {"amount": "4.50 GBP", "minutes": 10}, (450, "GBP")),
        ("earnings log", {"amount": "C$2", "minutes": 10}, (200, "CAD")),
        ("earnings log", {"amount": "$3", "minutes": 10, "currency": "CAD"}, (300, "CAD")),
        ("earnings bonus", {"amount": "£0.80"}, (80, "GBP")),
    ],
)
async def test_a_symbol_names_the_currency(
    harness: Harness, command: str, options: dict, expected: tuple[int, str]
) -> None:
    h = harness
    sent = await h.slash(command, user=h.alice, platform="Prolific", **options)
    assert sent.ephemeral and "logged" in sent.embed["title"], sent.text
    (entry,) = await stored(h, h.alice)
    assert (entry.amount_cents, entry.currency) == expected


async def assert_refused(h: Harness, options: dict, words: str) -> None:
    """Alice's /earnings log with `options` is refused (saying `words`) and stores nothing."""
    sent = await log(h, h.alice, **options)
    assert sent.ephemeral and words in sent.content, sent.content
    assert await stored(h, h.alice) == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"amount": "£4.50", "currency": "USD"}, "currency chosen is USD"),
        ({"amount": "4.50 EUR", "currency": "GBP"}, "currency chosen is GBP"),
        ({"amount": "¥500"}, "several currencies"),
    ],
)
async def test_a_symbol_that_is_ambiguous_or_contradicts_is_refused(
    harness: Harness, options: dict, words: str
) -> None:
    await assert_refused(harness, options, words)


async def test_a_dollar_sign_in_a_euro_members_log_is_refused(harness: Harness) -> None:
    h = harness
    await h.slash("earnings settings", user=h.alice, minimum_wage="9 EUR")
    sent = await log(h, h.alice, amount="$3")
    assert sent.ephemeral and "several currencies" in sent.content, sent.content
    assert await stored(h, h.alice) == []
    ok = await log(h, h.alice, amount="US$3")
    assert ok.embed["title"] == "Entry #1 logged"
    assert [(e.amount_cents, e.currency) for e in await stored(h, h.alice)] == [(300, "USD")]


async def test_recent_says_how_many_older_entries_are_not_listed(harness: Harness) -> None:
    h = harness
    for _ in range(17):
        await log(h, h.alice)
    recent = await h.slash("earnings recent", user=h.alice)
    lines = recent.embed["description"].splitlines()
    assert len(lines) == 16
    assert lines[-1] == "…and 2 older entries: /earnings export has them all."
    await h.slash("earnings delete", user=h.alice, entry=1)
    await h.slash("earnings delete", user=h.alice, entry=2)
    fits = await h.slash("earnings recent", user=h.alice)
    assert "older" not in fits.embed["description"]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"requester": "bob.smith@example.com"}, "from the requester name field"),
        ({"title": "call 06 12 34 56 78"}, "phone number from the title field"),
        ({"platform": "jo (at) mail (dot) com"}, "from the platform field"),
    ],
)
async def test_personal_data_is_refused_in_earnings_text(
    harness: Harness, options: dict, words: str
) -> None:
    await assert_refused(harness, options, words)


@pytest.mark.parametrize(
    ("options", "meant"),
    [
        ({"amount": "1,500"}, "1500"),  # fifteen hundred to an English reader, not $1.50
        ({"amount": "2.000", "currency": "JPY"}, "2000"),  # two thousand yen, not ¥2
        ({"amount": "¥1,500", "currency": "JPY"}, "1500"),  # as the bot itself shows yen
    ],
)
async def test_a_thousands_separator_is_never_read_as_decimals(
    harness: Harness, options: dict[str, object], meant: str
) -> None:
    """(Found by a hostile probe: `1,500` was stored as $1.50, a thousand times less.)"""
    h = harness
    sent = await log(h, h.alice, **options)
    assert sent.ephemeral and not sent.embeds
    assert f"Write it without a thousands separator ({meant})" in sent.content, sent.content
    assert "decimals" in sent.content
    assert await stored(h, h.alice) == []
    # a currency with three decimals reads the same text as decimals, as it should, and
    # zeros a spreadsheet adds to yen are not a thousands separator
    kwd = await log(h, h.alice, amount="1,500", currency="KWD")
    assert kwd.embed["title"] == "Entry #1 logged"
    yen = await log(h, h.alice, amount="1500.00", currency="JPY")
    assert yen.embed["title"] == "Entry #2 logged"
    assert [(e.amount_cents, e.currency) for e in await stored(h, h.alice)] == [
        (1500, "KWD"),
        (1500, "JPY"),
    ]


async def test_currencies_worth_far_less_than_a_dollar_have_room_for_real_pay(
    harness: Harness,
) -> None:
    """The "is there a typo?" ceiling was 100,000 units of any currency: four dollars in
    dong, six in rupiah, so an ordinary task or daily goal was refused (found by a hostile
    probe). It is now 100,000 dollar-sized units."""
    h = harness
    for options in (
        {"amount": "150000", "currency": "VND"},  # about six dollars
        {"amount": "95000", "currency": "IDR"},  # about six dollars too
        {"amount": "₩130000", "currency": "KRW"},
        {"amount": "¥20000", "currency": "JPY"},
    ):
        sent = await log(h, h.alice, **options)
        assert sent.embeds and sent.embed["title"].endswith("logged"), sent.content
    goal = await h.slash("earnings goal", user=h.alice, amount="500000", currency="VND")
    assert goal.ephemeral and "went wrong" not in goal.content and "typo" not in goal.content
    assert [(e.amount_cents, e.currency) for e in await stored(h, h.alice)] == [
        (150000, "VND"),
        (95000, "IDR"),
        (130000, "KRW"),
        (20000, "JPY"),
    ]
    # a typo is still a typo, in dong as in dollars
    typo = await log(h, h.alice, amount="1500000000", currency="VND")
    assert typo.ephemeral and "over 1,000,000,000" in typo.content and "typo" in typo.content
    dollars = await log(h, h.alice, amount="150000")
    assert "over 100,000" in dollars.content
    assert len(await stored(h, h.alice)) == 4


async def test_an_old_cards_buttons_never_reach_the_entry_that_took_its_number(
    harness: Harness,
) -> None:
    """Entry numbers are the member's highest plus one, so deleting the last entry (or
    erasing everything) hands its number to the next one. The first entry's card stayed
    on screen, and its buttons then changed or deleted the new entry (found by a hostile
    probe)."""
    h = harness
    old_card = await log(h, h.alice, amount="1.50", title="First")
    assert old_card.embed["title"] == "Entry #1 logged"
    await h.slash("earnings delete", user=h.alice, entry=1)
    h.clock.advance(seconds=3)  # a person types the next command
    new_card = await log(h, h.alice, amount="9.99", title="Second")
    assert new_card.embed["title"] == "Entry #1 logged"
    for label in ("Rejected", "Delete"):
        stale = await h.click(old_card, label, user=h.alice)
        assert stale[-1].ephemeral and "no longer exists" in stale[-1].content, stale[-1]
    (entry,) = await stored(h, h.alice)
    assert (entry.title, entry.status) == ("Second", "pending")
    # the same after /privacy delete: numbering starts again at 1
    ask = await h.slash("privacy delete", user=h.alice)
    await h.click(ask, "Erase everything", user=h.alice)
    h.clock.advance(seconds=5)
    await log(h, h.alice, amount="4", title="After erasure")
    stale = await h.click(new_card, "Delete", user=h.alice)
    assert "no longer exists" in stale[-1].content
    assert [e.title for e in await stored(h, h.alice)] == ["After erasure"]
    # a card's own buttons still work, and so do those of cards sent before the change
    # (their custom_id names the number only)
    card = await log(h, h.alice, amount="5", title="Third")
    assert (await h.click(card, "Approved", user=h.alice))[-1].field("Status") == "Approved"
    legacy = await h.press(f"earnings:entry:{h.alice.id}:2:rejected", user=h.alice)
    assert legacy[-1].field("Status") == "Rejected"


async def test_the_pending_list_never_reaches_the_entry_that_took_a_listed_number(
    harness: Harness,
) -> None:
    """The same for `/earnings pending`: the list stays open ten minutes (found by a
    hostile probe)."""
    h = harness
    await log(h, h.alice, title="Listed")
    listing = await h.slash("earnings pending", user=h.alice)
    await h.slash("earnings delete", user=h.alice, entry=1)
    h.clock.advance(seconds=3)
    await log(h, h.alice, title="Logged since")
    await h.select(listing, "earnings:pending:pick", ["1"], user=h.alice)
    done = await h.click(listing, "Rejected", user=h.alice)
    assert done[-1].content == "0 entries marked Rejected.", done[-1].content
    assert [(e.title, e.status) for e in await stored(h, h.alice)] == [("Logged since", "pending")]
    # the fresh list the answer carries reaches it
    await h.select(listing, "earnings:pending:pick", ["1"], user=h.alice)
    again = await h.click(listing, "Approved", user=h.alice)
    assert again[-1].content == "1 entry marked Approved."
