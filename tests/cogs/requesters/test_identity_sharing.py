"""A requester is one identity everywhere: shares, reviews, reports and /requester info.

Issue #12, items 1 and 2: a confirmed scam shared by name alone (MTurk project links carry
no requester id), however the name is typed, carries its warning or is held; the sharer
can confirm it is another requester and moderators can see and undo that; a refused share
stores nothing and never renames the requester for every server.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import UserError
from db import audit
from tests.cogs.requesters.conftest import WITH_TASKS, configure
from tests.cogs.requesters.helpers import GROUP, act, cards, count, report, review
from tests.cogs.requesters.helpers import share_task as share
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends

SCAM_ID = "A1B2C3D4E5F6G7"
OTHER_BUTTON = "It's a different requester — post it"
#: "Acme Research" as members type it: spacing, case, accents, a Cyrillic "А" (U+0410)
#: and a Cyrillic "е" (U+0435), a zero-width space, full-width letters, punctuation.
SPELLINGS = [
    "Acme Research",
    "ACME  research",
    "Acmé Research",
    "\u0410cm\u0435 Research",
    "Ac\u200bme Research",
    "\uff21\uff43\uff4d\uff45 Research",
    "Acme-Research",
    "AcmeResearch.",
    # Found by a hostile member's probing: a Hangul filler that shows as a space (U+3164,
    # its half-width form U+FFA0), small capitals, a Cherokee "Ꭺ" (U+13AA).
    "Acme\u3164Research",
    "Acme\uffa0Research",
    "\u1d00\u1d04\u1d0d\u1d07 \u0280\u1d07\ua731\u1d07\u1d00\u0280\u1d04\u029c",
    "\u13aacme Research",
]
#: The flagged requester's MTurk id typed where its name goes: as is, in lower case,
#: spaced, dashed, with a zero-width space, full width.
ID_AS_NAME = [
    SCAM_ID,
    SCAM_ID.lower(),
    " a1b2 c3d4 e5f6 g7",
    "A1B2-C3D4-E5F6-G7",
    SCAM_ID + "\u200b",
    "".join(chr(ord(c) + 0xFEE0) for c in SCAM_ID),
]


@pytest.fixture
def extensions() -> list[str]:
    return WITH_TASKS


async def confirmed_scam(
    h: Harness, name: str = "Acme Research", *, requester_id: str = SCAM_ID, **options: Any
) -> int:
    """Moderators confirm a harvesting report on a requester (by default "Acme Research",
    with its MTurk id)."""
    await report(
        h,
        h.bob,
        name,
        requester_id=requester_id,
        category="harvesting",
        description="The survey asks for bank logins and passwords",
        **options,
    )
    await act(h, cards(h)[-1], "Confirm", "Login form seen in the screenshot")
    row = await h.db.fetch_one(
        "SELECT id, status FROM requesters WHERE platform_requester_id = ?", (requester_id,)
    )
    assert row is not None and row["status"] == "scam"
    return int(row["id"])


async def requester_rows(h: Harness) -> list[tuple[Any, ...]]:
    rows = await h.db.fetch_all(
        "SELECT id, name, platform_requester_id, status FROM requesters ORDER BY id"
    )
    return [tuple(r) for r in rows]


def alerts_posted(h: Harness) -> list[Sent]:
    return h.in_channel(h.world.alerts)


# -- item 1: a name alone ------------------------------------------------------------------


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_a_confirmed_scam_shared_by_name_alone_is_held(
    configured: Harness, spelling: str
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    before = await requester_rows(h)

    held = await share(h, h.alice, 1, requester=spelling)

    assert held.ephemeral
    assert "Held, nothing was posted" in held.content
    assert "**Acme Research**" in held.content and SCAM_ID in held.content
    assert "flagged as a scam" in held.content and "harvesting" in held.content
    assert held.button(OTHER_BUTTON)
    assert alerts_posted(h) == []
    assert await count(h, "task_alerts") == 0
    assert await requester_rows(h) == before  # no clean duplicate, nothing renamed
    assert await count(h, "requester_names") == 0
    assert scam == before[0][0]
    h.api.assert_never_pinged()


@pytest.mark.parametrize("typed", ID_AS_NAME)
async def test_a_flagged_requesters_id_typed_as_its_name_is_refused_like_its_id(
    configured: Harness, typed: str
) -> None:
    """A record's id in the name box is that record, as the id option is: no way round."""
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)

    refused = await share(h, h.alice, 1, requester=typed)

    assert refused.ephemeral and "flagged as a scam" in refused.content
    assert "not posted" in refused.content and not refused.buttons
    assert alerts_posted(h) == [] and await count(h, "task_alerts") == 0
    assert await requester_rows(h) == before  # no clean record named after the id
    h.api.assert_never_pinged()


async def test_a_flagged_id_of_a_platform_that_keeps_case_typed_as_its_name_is_refused(
    configured: Harness,
) -> None:
    """Found by a hostile probe: a Toloka id (case and punctuation kept, unlike MTurk's)
    typed exactly where the name goes matched nobody; the share went out clean, and
    /requester info showed the clean record it made instead of the scam."""
    h = configured
    await confirmed_scam(h, "Shady Toloka", platform="toloka", requester_id="Scam-Co.42")
    before = await requester_rows(h)

    refused = await h.slash(
        "task share",
        user=h.alice,
        link="https://toloka.ai/tasks/1",
        title="Label photos",
        reward=1.0,
        minutes=5,
        requester="Scam-Co.42",
    )
    assert refused.ephemeral and "flagged as a scam" in refused.content
    info = await h.slash("requester info", user=h.carol, requester=" Scam-Co.42", platform="toloka")
    assert "Shady Toloka" in info.embed["title"] and "Confirmed scam" in info.text
    assert alerts_posted(h) == [] and await requester_rows(h) == before


async def test_a_prolific_researcher_id_in_capitals_is_the_same_researcher(
    configured: Harness,
) -> None:
    h = configured
    researcher = "5f3e2a1b9c8d7e6f5a4b3c2d"
    await confirmed_scam(h, "Evil Lab", platform="prolific", requester_id=researcher)
    before = await requester_rows(h)
    refused = await h.slash(
        "task share",
        user=h.alice,
        reward=1.5,
        minutes=6,
        title="Survey",
        platform="prolific",
        requester="Nice Lab",
        requester_id=researcher.upper(),
    )
    assert refused.ephemeral and "flagged as a scam" in refused.content
    assert await count(h, "task_alerts") == 0 and await requester_rows(h) == before


@pytest.mark.parametrize(
    "written",
    [
        f"Acme Labs ({SCAM_ID})",
        f"Nice Research {SCAM_ID.lower()}",
        f"Survey team [{SCAM_ID}] - fast pay",
        f"Totally Legit/{SCAM_ID}",
    ],
)
async def test_a_flagged_id_written_inside_a_made_up_name_is_held(
    configured: Harness, written: str
) -> None:
    """Found by a hostile probe: "Acme Labs (A1B2…)" matched no name and no id, so the
    share went out clean with the flagged id shown in its requester line."""
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)
    held = await share(h, h.alice, 1, requester=written)
    assert held.ephemeral and "Held, nothing was posted" in held.content, held.content
    assert SCAM_ID in held.content and "flagged as a scam" in held.content
    assert alerts_posted(h) == [] and await count(h, "task_alerts") == 0
    assert await requester_rows(h) == before
    # A name with an id-like word of nobody flagged is an ordinary new requester.
    fine = await share(h, h.alice, 2, requester="Lab 2024B survey team")
    assert "posted" in fine.content, fine.content
    assert len(alerts_posted(h)) == 1


@pytest.mark.parametrize("platform", ["other", None])
async def test_choosing_other_as_platform_is_no_way_round_a_flagged_name(
    configured: Harness, platform: str | None
) -> None:
    """Found by a hostile probe: a name flagged on MTurk, shared with no link under the
    platform "other", matched nothing (names are compared per platform) and went out
    clean. A task whose platform nobody knows meets the flagged names of every platform;
    a task on another named platform does not (namesakes there are other requesters)."""
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)

    async def unlinked(requester: str, **options: Any) -> Sent:
        return await h.slash(
            "task share",
            user=h.alice,
            title="Quick survey",
            reward=1.0,
            minutes=5,
            requester=requester,
            **options,
        )

    held = await unlinked("ACME research", **({"platform": platform} if platform else {}))
    assert held.ephemeral and "Held, nothing was posted" in held.content, held.content
    assert "**Acme Research**" in held.content and SCAM_ID in held.content
    assert alerts_posted(h) == [] and await requester_rows(h) == before
    # An id of its own changes nothing: an id cannot be compared across platforms.
    with_id = await unlinked("Acme Research", requester_id="lab-77", platform="other")
    assert with_id.ephemeral and "Held" in with_id.content, with_id.content
    assert alerts_posted(h) == []
    # The same name on Prolific is another requester: posted.
    prolific = await unlinked("Acme Research", platform="prolific")
    assert "posted" in prolific.content, prolific.content


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_under_the_warn_policy_the_alert_carries_the_records_warning(
    configured: Harness, spelling: str
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    await configure(h, scam_policy="warn")
    before = await requester_rows(h)

    sent = await share(h, h.alice, 1, requester=spelling)

    assert sent.ephemeral and "Alert posted" in sent.content
    assert "matches **Acme Research**" in sent.content and SCAM_ID in sent.content
    posted = alerts_posted(h)[-1]
    assert "flagged this requester as a scam" in posted.embed["description"]
    requester_field = posted.field("Requester")
    assert "Acme Research" in requester_field and SCAM_ID in requester_field
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") == scam
    assert await requester_rows(h) == before


async def test_a_name_matching_only_a_flagged_alias_or_other_name_is_held(
    configured: Harness,
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    # Someone shares the scam's id under a new name (warn policy): the name is not applied
    # but kept as another name of the record...
    await configure(h, scam_policy="warn")
    await share(h, h.alice, 1, requester="Fresh Surveys Ltd", requester_id=SCAM_ID)
    assert await h.db.fetch_value("SELECT name FROM requesters WHERE id = ?", (scam,)) == (
        "Acme Research"
    )
    # ...so that name alone now carries the warning too.
    await configure(h, scam_policy="refuse")
    held = await share(h, h.carol, 2, requester="fresh  surveys ltd")
    assert "Held" in held.content and SCAM_ID in held.content
    # An alias merged into the scam resolves to it as well.
    await review(h, h.dave, "Acme Old Name")
    old = await h.db.fetch_value("SELECT id FROM requesters WHERE name = 'Acme Old Name'")
    await h.slash(
        "requester merge", user=h.mod, alias=f"#{old}", survivor=f"#{scam}", reason="Renamed"
    )
    held = await share(h, h.carol, 3, requester="ACME OLD NAME")
    assert "Held" in held.content and "**Acme Research**" in held.content


async def test_a_new_id_with_the_name_of_a_flagged_name_only_record_is_held(
    configured: Harness,
) -> None:
    h = configured
    await report(
        h,
        h.bob,
        "Quick Polls",
        category="malware",
        description="The survey made me download an installer",
    )
    await act(h, cards(h)[-1], "Confirm", "Installer is malware")
    before = await requester_rows(h)
    held = await share(h, h.alice, 1, requester="Quick Polls", requester_id="A9Z8Y7X6W5V4U3")
    assert "Held" in held.content and "**Quick Polls**" in held.content
    assert await requester_rows(h) == before  # the unknown id was not created either


@pytest.mark.parametrize("command", ["review", "report"])
async def test_a_review_or_report_cannot_make_a_clean_twin_of_a_flagged_name(
    configured: Harness, command: str
) -> None:
    """Found by a hostile probe: a review (or report) naming a flagged name-only record
    with a made-up id created a clean record of that name and id; shares with the id then
    found it and were posted under the scam's name without any warning."""
    h = configured
    await report(
        h, h.bob, "Quick Polls", category="malware", description="The survey made me download it"
    )
    await act(h, cards(h)[-1], "Confirm", "Installer is malware")
    before = await requester_rows(h)

    options: dict[str, Any] = {"requester_id": "A9Z8Y7X6W5V4U3"}
    if command == "report":
        options |= {"category": "other", "description": "Same lab, new account id"}
        sent = await report(h, h.carol, "Quick Polls", **options)
    else:
        sent = await review(h, h.carol, "Quick Polls", **options)
    assert sent.ephemeral and "Quick Polls" in sent.text
    assert await requester_rows(h) == before  # no clean "Quick Polls" with that id

    held = await share(h, h.alice, 1, requester="Quick Polls", requester_id="A9Z8Y7X6W5V4U3")
    assert "Held" in held.content and "**Quick Polls**" in held.content
    assert alerts_posted(h) == []


async def test_the_sharer_confirms_another_requester_and_a_moderator_undoes_it(
    configured: Harness,
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    before = await requester_rows(h)
    held = await share(h, h.alice, 1, requester="Acmé Research")

    replies = await h.click(held, OTHER_BUTTON, user=h.alice)

    answer = replies[-1]
    assert answer.ephemeral and "Alert posted" in answer.content
    assert "You confirmed this is not **Acme Research**" in answer.content
    posted = alerts_posted(h)[-1]
    assert "scam" not in (posted.embed.get("description") or "")
    alert = await h.db.fetch_one("SELECT id, requester_id, requester_name FROM task_alerts")
    assert alert["requester_id"] is None and alert["requester_name"] == "Acmé Research"
    assert await requester_rows(h) == before  # no clean duplicate record
    entry = await h.db.fetch_one(
        "SELECT * FROM audit_log WHERE action = 'requester_other_confirmed'"
    )
    assert entry["actor_id"] == h.alice.id and entry["target_id"] == scam
    assert f'"alert": {alert["id"]}' in entry["detail"]

    # Moderators see it: in /mod log, and as a notice with an undo button.
    log = await h.slash("mod log", user=h.mod)
    assert "Another requester, said the sharer" in str(log.embed)
    await h.settle()
    notices = [
        s
        for s in h.in_channel(h.world.mods)
        if any(b.get("label") == "Undo: show the warning" for b in s.buttons)
    ]
    assert len(notices) == 1
    notice = notices[0]
    assert f"<@{h.alice.id}>" in notice.embed["description"]
    assert SCAM_ID in notice.embed["description"]

    # Only a moderator may undo it.
    refused = await h.click(notice, "Undo: show the warning", user=h.bob)
    assert refused[-1].ephemeral and "moderator" in refused[-1].content.lower()
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") is None

    # And on the requester's card, for moderators only.
    line = f"Alert #{alert['id']} · <@{h.alice.id}>"
    card = await h.slash("requester info", user=h.mod, requester=f"#{scam}")
    assert line in str(card.embed) and "— undone" not in str(card.embed)
    card = await h.slash("requester info", user=h.carol, requester=f"#{scam}")
    assert line not in str(card.embed)

    undone = await h.click(notice, "Undo: show the warning", user=h.mod)
    assert "points at Acme Research" in undone[-1].content
    card = await h.slash("requester info", user=h.mod, requester=f"#{scam}")
    assert f"{line} · " in str(card.embed) and "— undone" in str(card.embed)
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") == scam
    assert "flagged this requester as a scam" in h.current(posted).embed["description"]
    assert (
        await h.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'requester_other_undone'"
        )
        == 1
    )
    assert h.current(notice).button("Undo: show the warning").get("disabled")
    confirmation = entry["id"]
    with pytest.raises(UserError, match="already_undone"):
        await h.bot.get_cog("Tasks").service.undo_other_confirmed(
            h.world.guild_id, confirmation, moderator_id=h.mod.id
        )
    # Another server's moderator cannot undo this server's confirmation.
    with pytest.raises(UserError, match="unknown_confirmation"):
        await h.bot.get_cog("Tasks").service.undo_other_confirmed(
            h.world.guild_id + 1, confirmation, moderator_id=h.mod.id
        )
    h.api.assert_never_pinged()


async def test_a_sharer_who_erased_their_data_is_named_as_such_on_the_card(
    configured: Harness,
) -> None:
    """Found by a hostile probe: after the sharer erased their data, the moderators' card
    showed their confirmation as by "<@0>" (an unknown user) rather than saying so."""
    h = configured
    scam = await confirmed_scam(h)
    held = await share(h, h.alice, 1, requester="Acmé Research")
    await h.click(held, OTHER_BUTTON, user=h.alice)
    (section,) = [s for s in h.bot.privacy.sections if s.name == "requesters"]
    await section.erase(h.db, h.alice.id)

    card = await h.slash("requester info", user=h.mod, requester=f"#{scam}")

    assert "Alert #1 · a member who erased their data · " in str(card.embed)
    assert "<@0>" not in str(card.embed) and str(h.alice.id) not in str(card.embed)


async def test_only_the_sharer_can_press_their_confirmation_button(configured: Harness) -> None:
    h = configured
    await confirmed_scam(h)
    held = await share(h, h.alice, 1, requester="Acme Research")
    other = await h.click(held, OTHER_BUTTON, user=h.bob)
    assert other[-1].ephemeral
    assert await count(h, "task_alerts") == 0


# -- item 2: a refused share stores nothing ------------------------------------------------


async def test_a_refused_share_with_the_scams_id_and_a_new_name_stores_nothing(
    configured: Harness,
) -> None:
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)
    audit_before = await count(h, "audit_log")

    refused = await share(h, h.alice, 1, requester="Totally Legit Co", requester_id=SCAM_ID)

    assert refused.ephemeral and "flagged as a scam" in refused.content
    assert await requester_rows(h) == before  # still "Acme Research" for every server
    assert await count(h, "requester_names") == 0
    assert await count(h, "task_alerts") == 0
    assert await count(h, "audit_log") == audit_before
    info = await h.slash("requester info", user=h.carol, requester=SCAM_ID)
    assert "Acme Research" in info.embed["title"]


async def test_a_name_given_with_a_flagged_id_is_kept_for_moderators_not_applied(
    configured: Harness,
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    await configure(h, scam_policy="warn")
    await share(h, h.alice, 1, requester="Totally Legit Co", requester_id=SCAM_ID)
    assert await h.db.fetch_value("SELECT name FROM requesters WHERE id = ?", (scam,)) == (
        "Acme Research"
    )
    names = await h.db.fetch_all("SELECT name, source, guild_id FROM requester_names")
    assert [tuple(r) for r in names] == [("Totally Legit Co", "share", h.world.guild_id)]
    # Moderators see the other names on the card; members do not.
    mod_view = await h.slash("requester info", user=h.mod, requester=SCAM_ID)
    assert "Totally Legit Co" in str(mod_view.embed)
    member_view = await h.slash("requester info", user=h.carol, requester=SCAM_ID)
    assert "Totally Legit Co" not in str(member_view.embed)


async def test_a_clean_requester_takes_a_new_name_and_keeps_the_old_one_known(
    configured: Harness,
) -> None:
    h = configured
    await share(h, h.alice, 1, requester="Good Labs", requester_id="A7B7C7D7E7F7G7")
    await share(h, h.alice, 2, requester="Good Labs Inc", requester_id="A7B7C7D7E7F7G7")
    rows = await requester_rows(h)
    assert [r[1] for r in rows] == ["Good Labs Inc"]
    # The old name alone still finds the record (no clean duplicate is made for it).
    await share(h, h.bob, 3, requester="good labs")
    assert await count(h, "requesters") == 1
    ids = {r[0] for r in await h.db.fetch_all("SELECT requester_id FROM task_alerts")}
    assert ids == {rows[0][0]}


# -- one identity for shares, reviews, reports and info -------------------------------------


async def test_look_alike_names_are_one_record_everywhere(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1, requester="Bright Studies")
    await share(h, h.bob, 2, requester="BRIGHT  studies")
    await review(h, h.carol, "Bright Stüdies")
    await report(h, h.dave, "Bright Studi\u0435s")  # Cyrillic "е"
    assert await count(h, "requesters") == 1
    rid = await h.db.fetch_value("SELECT id FROM requesters")
    assert {r[0] for r in await h.db.fetch_all("SELECT requester_id FROM task_alerts")} == {rid}
    assert await h.db.fetch_value("SELECT subject_id FROM reviews") == rid
    assert await h.db.fetch_value("SELECT requester_id FROM reports") == rid
    info = await h.slash("requester info", user=h.carol, requester="bright \u200bstudies")
    assert info.embed["title"] == "Bright Studies"


async def test_info_finds_the_scam_by_a_look_alike_name(configured: Harness) -> None:
    h = configured
    await confirmed_scam(h)
    info = await h.slash("requester info", user=h.carol, requester="\u0410CME research")
    assert "Acme Research" in info.embed["title"]
    assert SCAM_ID in str(info.embed)


#: The flagged requester's MTurk page (or a task link naming it) pasted where a requester
#: goes, as members copy it from their browser. Found by a hostile probe: each was taken
#: for a name, matched nobody, and dodged the warning (a share was posted clean, a report
#: made a new record named after the link).
REQUESTER_LINKS = [
    f"https://worker.mturk.com/requesters/{SCAM_ID}/projects",
    f"worker.mturk.com/requesters/{SCAM_ID.lower()}",
    f"<https://worker.mturk.com/requesters/{SCAM_ID}/projects?ref=w_pl_prvw>",
    f"https://worker.mturk.com/projects?requesterId={SCAM_ID}",
]


@pytest.mark.parametrize("pasted", REQUESTER_LINKS)
async def test_a_flagged_requesters_page_pasted_as_the_requester_is_that_requester(
    configured: Harness, pasted: str
) -> None:
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)

    info = await h.slash("requester info", user=h.carol, requester=pasted)
    assert "Acme Research" in info.embed["title"] and "Confirmed scam" in info.text
    by_id_box = await h.slash("requester info", user=h.carol, requester="x", requester_id=pasted)
    assert "Acme Research" in by_id_box.embed["title"]

    filed = await report(h, h.carol, pasted)
    assert "Report #2 about Acme Research received" in filed.content
    assert await h.db.fetch_value("SELECT requester_id FROM reports WHERE id = 2") == before[0][0]

    shared = await share(h, h.alice, 1, requester=pasted)
    assert shared.ephemeral and "flagged as a scam" in shared.content
    shared = await share(h, h.alice, 2, requester="Nice Lab", requester_id=pasted)
    assert shared.ephemeral and "flagged as a scam" in shared.content
    assert alerts_posted(h) == [] and await count(h, "task_alerts") == 0

    assert await requester_rows(h) == before  # no record named after the link
    h.api.assert_never_pinged()


@pytest.mark.parametrize("typed", ID_AS_NAME[1:2] + ID_AS_NAME[-2:])
async def test_a_flagged_id_typed_oddly_in_the_id_box_is_that_requester(
    configured: Harness, typed: str
) -> None:
    """Found by a hostile probe: a full-width or zero-width-spaced copy of a flagged id
    was found in the name box but refused as invalid in the id box."""
    h = configured
    await confirmed_scam(h)
    before = await requester_rows(h)
    info = await h.slash("requester info", user=h.carol, requester="x", requester_id=typed)
    assert "Acme Research" in info.embed["title"] and "Confirmed scam" in info.text
    filed = await report(h, h.carol, "Acme Research", requester_id=typed)
    assert "Report #2 about Acme Research received" in filed.content
    assert await requester_rows(h) == before


async def test_a_link_that_names_no_requester_is_refused_not_stored_as_a_name(
    configured: Harness,
) -> None:
    h = configured
    project = f"https://worker.mturk.com/projects/{GROUP}/tasks"
    for sent in (
        await report(h, h.carol, project),
        await h.slash("requester info", user=h.carol, requester="https://example.com/lab"),
        await share(h, h.alice, 1, requester=project),
    ):
        assert sent.ephemeral and "does not say who the requester is" in sent.content
    wrong_platform = await report(
        h, h.carol, f"https://worker.mturk.com/requesters/{SCAM_ID}", platform="prolific"
    )
    assert "That link is on MTurk, but you chose Prolific" in wrong_platform.content
    assert await count(h, "requesters") == 0
    assert await count(h, "reports") == 0
    assert await count(h, "task_alerts") == 0


async def test_several_clean_namesakes_make_no_new_record(configured: Harness) -> None:
    h = configured
    await share(h, h.alice, 1, requester="Same Name", requester_id="A1111111111111")
    await share(h, h.alice, 2, requester="Same Name", requester_id="A2222222222222")
    sent = await share(h, h.bob, 3, requester="same name")
    assert "Several requesters have this name" in sent.content
    assert await count(h, "requesters") == 2
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts WHERE id = 3") is None


# -- the smaller thing: a link-only alert ----------------------------------------------------


async def test_a_link_only_alert_says_the_requester_is_unknown_and_how_to_add_it(
    configured: Harness,
) -> None:
    h = configured
    sent = await h.slash(
        "task share",
        user=h.alice,
        link=f"https://worker.mturk.com/projects/{GROUP}/tasks",
        reward=1.0,
        minutes=5,
    )
    assert "No requester was given" in sent.content
    posted = alerts_posted(h)[-1]
    assert "Requester unknown" in posted.field("Requester")
    assert "requester_id" in posted.field("Requester")
    # Sharing again with the name adds it to the live alert.
    await h.slash(
        "task share",
        user=h.bob,
        link=f"https://worker.mturk.com/projects/{GROUP}/tasks",
        reward=1.0,
        minutes=5,
        requester="Acme Research",
    )
    await h.settle()
    assert "Acme Research" in h.current(posted).field("Requester")
    assert await h.db.fetch_value("SELECT requester_name FROM task_alerts") == "Acme Research"


async def test_under_warn_the_sharer_can_say_it_is_another_requester_after_posting(
    configured: Harness,
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    await configure(h, scam_policy="warn")
    sent = await share(h, h.alice, 1, requester="acme research")
    posted = alerts_posted(h)[-1]
    assert "flagged this requester as a scam" in posted.embed["description"]
    button = "It's a different requester — remove the warning"
    # Only the sharer: someone else cannot strip the warning.
    await h.click(sent, button, user=h.bob)
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") == scam

    replies = await h.click(sent, button, user=h.alice)
    assert "You confirmed this is not **Acme Research**" in replies[-1].content
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") is None
    assert "scam" not in (h.current(posted).embed.get("description") or "")
    await h.settle()
    notice = [
        s
        for s in h.in_channel(h.world.mods)
        if any(b.get("label") == "Undo: show the warning" for b in s.buttons)
    ][-1]
    await h.click(notice, "Undo: show the warning", user=h.mod)
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") == scam
    assert "flagged this requester as a scam" in h.current(posted).embed["description"]


async def test_moderators_can_forget_a_name_a_sharer_gave_by_mistake(configured: Harness) -> None:
    h = configured
    scam = await confirmed_scam(h)
    await configure(h, scam_policy="warn")
    # A hostile (or mistaken) share gives the scam's id with a clean requester's name.
    await share(h, h.alice, 1, requester="Good Labs", requester_id=SCAM_ID)
    await configure(h, scam_policy="refuse")
    held = await share(h, h.bob, 2, requester="Good Labs")
    assert "Held" in held.content

    refused = await h.slash(
        "requester forget-name", user=h.bob, requester=f"#{scam}", name="Good Labs", reason="No"
    )
    assert refused.ephemeral and "moderator" in refused.content.lower()
    assert await count(h, "requester_names") == 1

    done = await h.slash(
        "requester forget-name",
        user=h.mod,
        requester=f"#{scam}",
        name="good  labs",
        reason="Good Labs is another requester",
    )
    assert "no longer a name of Acme Research" in done.content
    assert await count(h, "requester_names") == 0
    assert (
        await h.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'requester_name_forgotten'"
        )
        == 1
    )
    posted = await share(h, h.bob, 3, requester="Good Labs")
    assert "Alert posted" in posted.content
    again = await h.slash(
        "requester forget-name", user=h.mod, requester=f"#{scam}", name="Good Labs", reason="x"
    )
    assert "is not one of the other names" in again.content


async def test_another_server_cannot_forget_the_names_a_warning_it_does_not_hold_rides_on(
    configured: Harness,
) -> None:
    """Found by a hostile probe: a second server's moderator forgot the other names of a
    scam confirmed here, and shares by those names went out with no warning, as a status
    lowered from there would (which is refused)."""
    h = configured
    scam = await confirmed_scam(h)
    await configure(h, scam_policy="warn")
    await share(h, h.alice, 1, requester="Acme Labs", requester_id=SCAM_ID)  # its new name
    await configure(h, scam_policy="refuse")
    rogue = await h.add_server("Rogue")

    refused = await h.slash(
        "requester forget-name",
        user=rogue.mod,
        world=rogue,
        requester=f"#{scam}",
        name="Acme Labs",
        reason="Not the scam",
    )

    assert refused.ephemeral and "another server" in refused.content, refused.content
    assert await count(h, "requester_names") == 1
    assert await audit.page(h.db, rogue.guild_id) == []
    held = await share(h, h.bob, 2, requester="Acme Labs")
    assert "Held" in held.content and "**Acme Research**" in held.content
    # The server whose confirmation flagged it still may.
    done = await h.slash(
        "requester forget-name", user=h.mod, requester=f"#{scam}", name="Acme Labs", reason="x"
    )
    assert "no longer a name of Acme Research" in done.content
    h.api.assert_never_pinged()


async def test_a_forged_undo_button_for_another_servers_confirmation_changes_nothing(
    configured: Harness,
) -> None:
    h = configured
    scam = await confirmed_scam(h)
    held = await share(h, h.alice, 1, requester="Acme Research")
    await h.click(held, OTHER_BUTTON, user=h.alice)
    await h.settle()
    notice = next(
        s
        for s in h.in_channel(h.world.mods)
        if any(b.get("label") == "Undo: show the warning" for b in s.buttons)
    )
    # Another server's confirmation (ids are sequential): a forged custom_id points at it.
    other = await h.db.fetch_value(
        "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, detail, "
        "created_at) VALUES (?, 1, 'requester_other_confirmed', 'requester', ?, "
        "'{\"alert\": 1}', 0) RETURNING id",
        (h.world.guild_id + 1, scam),
    )
    forged = dict(h.api.messages[int(notice.message["id"])])
    forged["components"] = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 4, "label": "Undo", "custom_id": f"tasks:undo-other:{other}"}
            ],
        }
    ]
    replies = await h.click(forged, "Undo", user=h.mod)
    assert replies[-1].ephemeral and "not one of this server's" in replies[-1].content
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") is None
    # An absurd id in the custom_id is not a button of ours: nothing happens, no error.
    forged["components"][0]["components"][0]["custom_id"] = "tasks:undo-other:" + "9" * 30
    await h.click(forged, "Undo", user=h.mod)
    assert await h.db.fetch_value("SELECT requester_id FROM task_alerts") is None
