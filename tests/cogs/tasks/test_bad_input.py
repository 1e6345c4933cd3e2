"""The issue's bad inputs, through real dispatch: a clear ephemeral answer, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.tasks.conftest import share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

BAD: list[tuple[dict[str, Any], str]] = [
    ({"reward": 0.0}, "must be more than zero"),
    ({"reward": -5.0}, "must be more than zero"),
    ({"reward": 10_000.5}, "cannot be more than 10000 per task"),
    ({"reward": 1e15}, "cannot be more than 10000 per task"),
    ({"minutes": 0}, "between 1 and 1440"),
    ({"minutes": -10}, "between 1 and 1440"),
    ({"minutes": 1441}, "between 1 and 1440"),
    ({"minutes": 10**9}, "between 1 and 1440"),
    ({"title": "T" * 257}, "The title field is 257 characters long; the limit is 256."),
    ({"notes": "n" * 10_000}, "The notes field is 10000 characters long"),
    ({"title": "Easy money @everyone"}, "contains a mention (“@everyone”)"),
    ({"notes": "ping <@&123456789012345678>"}, "contains a mention"),
    ({"requester": "@here"}, "contains a mention"),
    ({"title": "**URGENT** task"}, "contains formatting (“**URGENT**”)"),
    ({"notes": "[free](https://evil.example)"}, "contains formatting"),
    ({"limits": "`US`"}, "contains formatting"),
    ({"link": "javascript:alert(document.cookie)"}, "Only http:// and https:// links"),
    ({"link": "ftp://files.example.com/hit"}, "Only http:// and https:// links"),
    ({"link": "https://user:pw@example.com/"}, "not a valid web address"),
    ({"currency": "ABC"}, "“ABC” is not a currency I know"),
    ({"reward": 1.005}, "cannot have that many decimals"),
    ({"link": None, "title": None}, "Give at least a link or a title"),
    ({"available": 0}, "between 1 and 1000000"),
    ({"platform": "prolific"}, "The link is a MTurk link, but you chose Prolific"),
    ({"requester_id": "A"}, "MTurk requester ids look like"),
    # personal data, however it is disguised (issue #12, item 8)
    ({"notes": "questions? john.doe@example.com"}, "remove the e-mail address from the notes"),
    ({"notes": "john.doe＠example.com"}, "remove the e-mail address from the notes"),
    ({"notes": "john (at) example (dot) com"}, "remove the e-mail address from the notes"),
    ({"notes": "text me 0 6 1 2 3 4 5 6 7 8"}, "remove the phone number from the notes"),
    ({"title": "Call +1 (555) 123-4567"}, "remove the phone number from the title"),
    ({"requester": "john.doe@example.com"}, "remove the e-mail address from the requester"),
    ({"limits": "US only, ask jane[at]mail[dot]org"}, "from the limits field"),
    ({"link": "https://s.example.com/?email=jo%40mail.com"}, "e-mail address from the link"),
]


@pytest.mark.parametrize(("options", "expected"), BAD)
async def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    configured: Harness, options: dict[str, Any], expected: str
) -> None:
    h = configured
    sent = await share(h, **options)
    assert sent.ephemeral
    assert expected in sent.content
    assert "Traceback" not in sent.content and "Sorry" not in sent.content
    assert await stored(h) == []
    assert await h.db.fetch_value("SELECT count(*) FROM requesters") == 0
    assert h.in_channel(h.world.alerts) == []
    h.api.assert_never_pinged()


async def test_bad_input_is_explained_in_french_too(configured: Harness) -> None:
    sent = await share(configured, locale="fr", title="**gros** titre")
    assert sent.ephemeral and "Le champ « titre » contient de la mise en forme" in sent.content


async def test_bad_search_and_delete_input(configured: Harness) -> None:
    h = configured
    sent = await h.slash("task search", min_hourly=-3.0)
    assert sent.ephemeral and "between 0 and 10000" in sent.content
    sent = await h.slash("task search", text="x" * 500)
    assert sent.ephemeral and "limit is 100" in sent.content
    sent = await h.slash("task delete", user=h.mod, alert="the bad one", reason="spam")
    assert sent.ephemeral and "not an alert number" in sent.content
    sent = await h.slash("task delete", user=h.mod, alert="999", reason="@everyone look")
    assert sent.ephemeral and "mention" in sent.content


async def test_ordinary_task_text_is_not_mistaken_for_personal_data(configured: Harness) -> None:
    h = configured
    sent = await share(
        h,
        title="Survey at 10:30, 1.50 for 12-15 min",
        notes="Requester A1B2C3D4E5F6G7, batch 99887766, see https://example.com/x?id=1234567890",
        limits="HIT approval rate 98%, 1000 approved",
    )
    assert "posted" in sent.content, sent.content
    assert len(await stored(h)) == 1


async def test_personal_data_is_refused_in_french_naming_the_field(configured: Harness) -> None:
    sent = await share(configured, locale="fr", notes="écrivez à jean＠exemple.fr")
    assert sent.ephemeral and "Retirez l'adresse e-mail du champ « notes »" in sent.content
    assert await stored(configured) == []


@pytest.mark.parametrize(
    "notes",
    [
        "Survey: https://survey.example.com/s?MID=A2BCDEFGH3IJKLM",
        "Form https://docs.google.com/forms/d/e/1FA/viewform?entry.1=A2BCDEFGH3IJKLM.",
        "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks?workerId=A2X",
        "https://q.example.com/f?PROLIFIC_PID=5f0c1e2d3b4a59687766aabb",
    ],
)
async def test_a_worker_id_in_a_link_inside_the_notes_is_refused(
    configured: Harness, notes: str
) -> None:
    h = configured
    sent = await share(h, notes=notes)
    assert sent.ephemeral and "looks like your own worker or participant id" in sent.content
    assert await stored(h) == [] and h.in_channel(h.world.alerts) == []


async def test_links_in_notes_without_a_members_id_are_fine(configured: Harness) -> None:
    h = configured
    sent = await share(
        h,
        notes="Requester page https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects "
        "and https://example.com/?ref=abc&utm_source=x",
    )
    assert "posted" in sent.content, sent.content


async def test_a_task_paid_in_dong_or_rupiah_can_be_shared(configured: Harness) -> None:
    """The reward ceiling was 10,000 units of any currency: forty cents in dong, sixty in
    rupiah, so an ordinary task in those currencies could not be shared (found by a
    hostile probe). It is 10,000 dollar-sized units in every currency."""
    h = configured
    sent = await share(h, reward=25_000.0, currency="VND", title="Label photos")
    assert "cannot be more" not in sent.content, sent.content
    sent = await share(h, reward=15_000.0, currency="IDR", title="Survey", link=None)
    assert "cannot be more" not in sent.content, sent.content
    assert [(a.reward_cents, a.currency) for a in await stored(h)] == [
        (25_000, "VND"),
        (15_000, "IDR"),
    ]
    typo = await share(h, reward=150_000_000.0, currency="VND", title="Typo", link=None)
    assert typo.ephemeral and "cannot be more than 100000000 per task" in typo.content
    dollars = await share(h, reward=15_000.0, title="Dollars", link=None)
    assert "cannot be more than 10000 per task" in dollars.content
    assert len(await stored(h)) == 2


@pytest.mark.parametrize(
    "link",
    [
        "https://discord.gg/freemoney",
        "discord.gg/freemoney",
        "https://discord.com/invite/freemoney",
        "https://ptb.discordapp.com/invite/freemoney",
        "https://discord.gift/NITRO4FREE",
    ],
)
async def test_a_discord_invite_or_gift_is_not_a_task(configured: Harness, link: str) -> None:
    """Found by a hostile probe: an invite shared as a task went to the alerts channel and
    to every subscriber's DM behind an "Open the task" button."""
    h = configured
    sent = await share(h, link=link, title="Easy $50 survey")
    assert sent.ephemeral and "Discord invite or gift link" in sent.content, sent.content
    assert await stored(h) == [] and h.in_channel(h.world.alerts) == []


@pytest.mark.parametrize("field", ["title", "notes", "limits", "requester"])
async def test_a_discord_invite_in_the_text_is_refused(configured: Harness, field: str) -> None:
    h = configured
    sent = await share(h, **{field: "Join us at discord.gg/freemoney for more"})
    assert sent.ephemeral and "Discord invite or gift link" in sent.content, sent.content
    assert await stored(h) == []


async def test_other_discord_links_and_lookalike_words_are_fine(configured: Harness) -> None:
    h = configured
    sent = await share(h, notes="Asked in https://discord.com/channels/1/2 about mydiscord.gg")
    assert "posted" in sent.content, sent.content
