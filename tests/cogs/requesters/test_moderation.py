"""The moderators' side: card buttons, reasons, status, merges, /mod log and /mod queue."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from db import audit, guilds, requesters
from tests.cogs.requesters.helpers import act, cards, count, report, review
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


@pytest.fixture
def status_events(configured: Harness) -> list[int]:
    """Requester ids of every `requester_status_changed` the bot dispatches."""
    seen: list[int] = []

    async def listener(requester_id: int) -> None:
        seen.append(requester_id)

    configured.bot.add_listener(listener, "on_requester_status_changed")
    return seen


async def _state(h: Harness, report_id: int = 1) -> str:
    return str(await h.db.fetch_value("SELECT state FROM reports WHERE id = ?", (report_id,)))


async def test_members_pressing_moderator_buttons_change_nothing(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    (card,) = cards(h)
    before = copy.deepcopy(h.current(card).message)
    for button in ("Confirm", "Dismiss", "Ask for more"):
        for who in (h.alice, h.bob):  # a bystander, and the reporter themself
            replies = await h.click(card, button, user=who)
            assert [r.kind for r in replies] == ["response"]
            assert replies[0].ephemeral and replies[0].content == "Only moderators can do that."
    assert await _state(h) == "open"
    assert await count(h, "audit_log") == 0
    assert h.current(card).message == before


async def test_confirming_a_harvesting_report_makes_a_confirmed_scam(
    configured: Harness, status_events: list[int]
) -> None:
    h = configured
    await report(h, h.bob, category="harvesting", description="The survey asks for my bank login")
    (card,) = cards(h)
    opened = await h.click(card, "Confirm", user=h.mod)
    modal = opened[-1]
    assert modal.kind == "modal" and modal.payload["title"] == "Confirm report #1"
    done = await h.submit_modal(
        modal, {"reason": "The screenshot shows the login form"}, user=h.mod
    )
    assert done[-1].ephemeral
    assert done[-1].content == "Report #1 confirmed.\nAcme is now: Confirmed scam."
    now = h.current(card)
    assert now.embed["color"] == 0xE74C3C
    assert now.field("State") == "Confirmed"
    assert now.field("Requester status") == "Confirmed scam"
    outcome = now.field("Outcome")
    assert f"<@{h.mod.id}>" in outcome and "The screenshot shows the login form" in outcome
    assert [b["label"] for b in now.buttons] == ["Reopen"]
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert acme.status == "scam" and acme.status_source == "reports"
    assert status_events == [acme.id]
    rep = await requesters.reputation(h.db, acme.id)
    assert rep.standing == "scam" and rep.confirmed == {"harvesting": 1}
    entries = await audit.page(h.db, h.world.guild_id)
    assert [(e.action, e.actor_id) for e in entries] == [
        ("requester_status_auto", h.mod.id),
        ("report_confirm", h.mod.id),
    ]
    assert entries[1].reason == "The screenshot shows the login form"
    (dm,) = h.dms_to(h.bob)
    assert "report #1 about Acme" in dm.content and "confirmed" in dm.content
    assert "mod" not in dm.content.lower().replace("moderators", "")
    h.api.assert_never_pinged()


async def test_non_payment_escalates_from_caution_to_scam(
    configured: Harness, status_events: list[int]
) -> None:
    h = configured
    for number, member in enumerate((h.alice, h.bob, h.carol), start=1):
        await report(h, member)
        done = await act(h, cards(h)[-1], "Confirm", f"Checked report {number}")
        expected = "Caution" if number < 3 else "Confirmed scam"
        assert f"Acme is now: {expected}." in done[-1].content or number == 2
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert acme.status == "scam"
    assert status_events == [acme.id, acme.id]  # none → caution, caution → scam


async def test_a_closed_report_answers_clearly_and_changes_nothing(configured: Harness) -> None:
    h = configured
    await report(h, h.bob, category="malware")
    (card,) = cards(h)
    stale = copy.deepcopy(h.current(card).message)  # another moderator's screen
    await act(h, card, "Dismiss", "Link is a normal survey site")
    for button in ("Confirm", "Dismiss", "Ask for more"):
        replies = await h.click(stale, button, user=h.admin)
        assert [r.kind for r in replies] == ["response"]
        assert "already dismissed; nothing changed" in replies[0].content
    assert await _state(h) == "dismissed"
    assert await count(h, "audit_log") == 1
    assert (await requesters.find_by_name(h.db, "Acme"))[0].status == "none"


async def test_two_moderators_at_once_only_one_decision_counts(configured: Harness) -> None:
    h = configured
    await report(h, h.bob, category="off_platform")
    (card,) = cards(h)
    first = (await h.click(card, "Confirm", user=h.mod))[-1]
    second = (await h.click(card, "Dismiss", user=h.admin))[-1]
    await h.submit_modal(first, {"reason": "Asked for PayPal"}, user=h.mod)
    late = await h.submit_modal(second, {"reason": "Seems fine"}, user=h.admin)
    assert "already confirmed; nothing changed" in late[-1].content
    assert await _state(h) == "confirmed"
    assert await count(h, "audit_log") == 2  # the confirmation and its status change


async def test_reasons_are_checked_like_any_text(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    (card,) = cards(h)
    done = await act(h, card, "Confirm", "   ")
    assert "cannot be empty" in done[-1].content
    done = await act(h, card, "Confirm", "Reporter's number is 555-123-4567")
    assert "no personal information" in done[-1].content
    assert await _state(h) == "open" and await count(h, "audit_log") == 0


async def test_reopening_a_confirmed_report_lifts_the_status_it_caused(
    configured: Harness, status_events: list[int]
) -> None:
    h = configured
    await report(h, h.bob)
    (card,) = cards(h)
    await act(h, card, "Confirm", "Rejections verified")
    again = await h.click(card, "Reopen", user=h.alice)
    assert again[-1].content == "Only moderators can do that."
    done = await act(h, card, "Reopen", "The requester paid after all")
    assert done[-1].content == "Report #1 is open again.\nAcme is now: No warning."
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert acme.status == "none" and status_events == [acme.id, acme.id]
    assert [b["label"] for b in h.current(card).buttons] == ["Confirm", "Dismiss", "Ask for more"]
    stale = copy.deepcopy(h.current(card).message)
    stale["components"] = [
        {
            "type": 1,
            "components": [
                {
                    "type": 2,
                    "style": 2,
                    "label": "Reopen",
                    "custom_id": "requesters:report:reopen:1",
                }
            ],
        }
    ]
    replies = await h.click(stale, "Reopen", user=h.mod)
    assert "already open" in replies[-1].content
    actions = [e.action for e in await audit.page(h.db, h.world.guild_id)]
    assert actions[:2] == ["requester_status_auto", "report_reopen"]


async def test_ask_for_more_reaches_the_reporter_and_their_answer_the_card(
    configured: Harness,
) -> None:
    h = configured
    await report(h, h.bob)
    (card,) = cards(h)
    done = await act(h, card, "Ask for more", "Which batch was it? A screenshot would help.")
    assert done[-1].content == "Question sent to the reporter of report #1."
    assert h.current(card).field("State") == "Open · waiting for the reporter"
    assert "Which batch" in h.current(card).field("Moderators asked")
    (dm,) = h.dms_to(h.bob)
    assert "Turkers United" in dm.content and "Which batch was it?" in dm.content
    assert f"<@{h.mod.id}>" not in dm.content and "mod" not in dm.content.split("\n")[1]
    assert [b["custom_id"] for b in dm.buttons] == ["requesters:answer:1"]
    intruder = await h.click(dm, "Answer", user=h.carol)
    assert "cannot find report #1" in intruder[-1].content
    opened = await h.click(dm, "Answer", user=h.bob)
    assert opened[-1].kind == "modal"
    answered = await h.submit_modal(
        opened[-1], {"answer": "Batch 4411, screenshot: https://imgur.com/a/b"}, user=h.bob
    )
    assert answered[-1].content == "Thank you — your answer was added to report #1."
    current = h.current(card)
    assert "Batch 4411" in current.field("Reporter answered")
    assert current.field("State") == "Open"
    notice = h.in_channel(h.world.mods)[-1]
    assert notice.content == "💬 The reporter answered the question on report #1."
    assert int(notice.payload["message_reference"]["message_id"]) == card.message_id
    assert [e.action for e in await audit.page(h.db, h.world.guild_id)] == [
        "report_answer",
        "report_ask",
    ]
    await act(h, card, "Dismiss", "Not enough evidence")
    late = await h.click(dm, "Answer", user=h.bob)
    assert "already closed, so nothing was added" in late[-1].content
    assert await count(h, "report_notes") == 2


async def test_closed_direct_messages_are_reported_to_the_moderator(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    h.api.fail(
        "POST",
        "/channels/{channel_id}/messages",
        403,
        code=50007,
        match=lambda call: int(call.params["channel_id"]) in h.api.dm_channels,
    )
    done = await act(h, cards(h)[0], "Ask for more", "Do you have a screenshot?")
    assert "their direct messages are closed" in done[-1].content


async def test_moderators_act_only_on_their_own_servers_reports(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    await h.db.execute("UPDATE reports SET guild_id = 777")
    replies = await h.click(cards(h)[0], "Confirm", user=h.mod)
    assert "belongs to another server's moderators" in replies[-1].content
    assert await _state(h) == "open"


async def test_another_server_cannot_lift_a_warning_this_server_stands_behind(
    configured: Harness,
) -> None:
    """The registry is shared: a server set up for it must not launder a scam for all
    (a hostile probe lifted a confirmed scam from a second server, unseen by the first).
    """
    h = configured
    await review(h, h.alice)
    sent = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="scam", reason="Phishing"
    )
    assert "Confirmed scam" in sent.content
    rogue = await h.add_server("Rogue")
    for lower in ("none", "caution"):
        refused = await h.slash(
            "requester status",
            user=rogue.mod,
            world=rogue,
            requester="Acme",
            status=lower,
            reason="legit",
        )
        assert refused.ephemeral and "another server" in refused.content, refused.content
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert (acme.status, acme.status_reason) == ("scam", "Phishing")
    assert [e.action for e in await audit.page(h.db, rogue.guild_id)] == []
    # The server that set it may lift it; another may make a status more severe.
    lifted = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="caution", reason="Paid in the end"
    )
    assert "Caution" in lifted.content
    raised = await h.slash(
        "requester status", user=rogue.mod, world=rogue, requester="Acme", status="scam", reason="x"
    )
    assert "Confirmed scam" in raised.content
    back = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="none", reason="sorted out"
    )
    assert "another server" in back.content  # the rogue server's decision now holds it
    # A status that follows from a report confirmed in one server holds the same way.
    await report(h, h.bob, "Beta", category="harvesting", description="Asks for passwords")
    await act(h, cards(h)[-1], "Confirm", "Seen it")
    refused = await h.slash(
        "requester status", user=rogue.mod, world=rogue, requester="Beta", status="none", reason="x"
    )
    assert "another server" in refused.content
    assert (await requesters.find_by_name(h.db, "Beta"))[0].status == "scam"


async def test_another_server_cannot_take_a_warning_over_and_then_lift_it(
    configured: Harness,
) -> None:
    """Found by a hostile probe: a second server laundered a scam for every server in two
    commands, by making itself the last to decide: setting the status again (or raising
    a fresh record and merging the flagged one into it), then lowering it."""
    h = configured
    await report(h, h.bob, "Beta", category="harvesting", description="Asks for passwords")
    await act(h, cards(h)[-1], "Confirm", "Seen it")
    await review(h, h.alice, "Acme")
    await h.slash("requester status", user=h.mod, requester="Acme", status="scam", reason="Phish")
    rogue = await h.add_server("Rogue")

    async def rogue_status(requester: str, status: str) -> str:
        sent = await h.slash(
            "requester status",
            user=rogue.mod,
            world=rogue,
            requester=requester,
            status=status,
            reason="legit",
        )
        return sent.content

    # Setting it again (with its own reason, shown on every server), then lowering it.
    for status in ("scam", "caution", "none"):
        assert "another server" in await rogue_status("Beta", status)
    beta = (await requesters.find_by_name(h.db, "Beta"))[0]
    assert (beta.status, beta.status_source, beta.status_reason) == ("scam", "reports", None)
    # A fresh record raised there, the flagged one merged into it, then lowered.
    await review(h, rogue.alice, "Fresh", world=rogue)
    assert "Confirmed scam" in await rogue_status("Fresh", "scam")
    merged = await h.slash(
        "requester merge", user=rogue.mod, world=rogue, alias="Acme", survivor="Fresh", reason="x"
    )
    assert "alias of Fresh" in merged.content
    assert "another server" in await rogue_status("Fresh", "none")
    for name in ("Beta", "Acme"):
        assert (await requesters.find_by_name(h.db, name))[0].status == "scam", name
    # What the rogue server decided alone is still its own to lift.
    await review(h, rogue.alice, "Gamma", world=rogue)
    assert "Confirmed scam" in await rogue_status("Gamma", "scam")
    assert "No warning" in await rogue_status("Gamma", "none")
    # Both ways: the rogue server's own scam on Fresh now holds the first server back too.
    lifted = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="none", reason="sorted out"
    )
    assert "another server" in lifted.content


async def test_a_requester_named_like_a_link_is_no_link_in_an_error(configured: Harness) -> None:
    """Found by a hostile probe: errors naming a stored requester (any member chooses its
    name) echoed it as typed, and `[Free money](https://…)` became a masked link."""
    h = configured
    name = "[Free money](https://evil.example/login)"
    await review(h, h.alice, name)
    await h.slash("requester status", user=h.mod, requester=name, status="scam", reason="Phish")
    rogue = await h.add_server("Rogue")
    refused = await h.slash(
        "requester status", user=rogue.mod, world=rogue, requester=name, status="none", reason="x"
    )
    assert "another server" in refused.content
    assert "\\[Free money\\](https://evil.example/login)" in refused.content
    assert "[Free money](" not in refused.content.replace("\\[", "").replace("\\]", "")


async def test_moderators_set_a_status_with_a_reason(
    configured: Harness, status_events: list[int]
) -> None:
    h = configured
    await review(h, h.alice)
    refused = await h.slash(
        "requester status", user=h.alice, requester="Acme", status="scam", reason="I say so"
    )
    assert refused.content == "Only moderators can do that."
    sent = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="caution", reason="Slow payer"
    )
    assert sent.ephemeral and sent.content.startswith("Acme is now: Caution.")
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert (acme.status, acme.status_reason, acme.status_source) == (
        "caution",
        "Slow payer",
        "moderator",
    )
    assert status_events == [acme.id]
    same = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="caution", reason="Slow payer"
    )
    assert "nothing changed" in same.content and status_events == [acme.id]
    bad = await h.slash(
        "requester status", user=h.mod, requester="Acme", status="banished", reason="x"
    )
    assert "not a status" in bad.content
    unknown = await h.slash(
        "requester status", user=h.mod, requester="Nobody", status="scam", reason="x"
    )
    assert "I do not know a requester named" in unknown.content
    info = await h.slash("requester info", user=h.carol, requester="Acme")
    assert "Caution — Slow payer" in info.embed["description"]
    (entry,) = await audit.page(h.db, h.world.guild_id)
    assert (entry.action, entry.reason) == ("requester_status", "Slow payer")
    assert entry.detail == {"from": "none", "to": "caution"}


async def test_a_moderators_decision_is_not_lowered_by_reports(configured: Harness) -> None:
    h = configured
    await review(h, h.alice, pay=3, fast=3, fair=3, communication=3, tasks_done="none")
    await h.slash(
        "requester status", user=h.mod, requester="Acme", status="scam", reason="Phishing"
    )
    await report(h, h.bob)
    done = await act(h, cards(h)[-1], "Confirm", "Yes")
    assert "is now" not in done[-1].content
    await act(h, cards(h)[-1], "Reopen", "Changed my mind")
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert (acme.status, acme.status_reason) == ("scam", "Phishing")


async def test_merging_two_records(configured: Harness, status_events: list[int]) -> None:
    h = configured
    await review(h, h.alice, "Acme Old", requester_id="A1B2C3D4E5F6G7")
    await review(h, h.bob, "Acme New", requester_id="A9Z8Y7X6W5V4U3")
    await report(h, h.carol, "Acme Old", category="malware")
    await act(h, cards(h)[-1], "Confirm", "Malware confirmed")
    old = (await requesters.find_by_name(h.db, "Acme Old"))[0]
    new = (await requesters.find_by_name(h.db, "Acme New"))[0]
    status_events.clear()
    refused = await h.slash(
        "requester merge", user=h.alice, alias=f"#{old.id}", survivor=f"#{new.id}", reason="x"
    )
    assert refused.content == "Only moderators can do that."
    same = await h.slash(
        "requester merge", user=h.mod, alias=f"#{new.id}", survivor=f"#{new.id}", reason="x"
    )
    assert "same requester twice" in same.content
    done = await h.slash(
        "requester merge",
        user=h.mod,
        alias=f"#{old.id}",
        survivor=f"#{new.id}",
        reason="Renamed in March",
    )
    assert done.content.startswith("Acme Old is now an alias of Acme New.")
    assert "Confirmed scam" in done.content
    assert set(status_events) == {old.id, new.id}
    again = await h.slash(
        "requester merge", user=h.mod, alias=f"#{old.id}", survivor=f"#{new.id}", reason="x"
    )
    assert "already an alias" in again.content
    info = await h.slash("requester info", user=h.dave, requester="Acme Old")
    assert info.embed["title"] == "Acme New"
    assert info.field("Known aliases") == "Acme Old"
    assert info.field("Reviews").startswith("2 ")
    assert "Malware or phishing link × 1" in info.field("Confirmed reports")
    choices = await h.autocomplete("requester info", "requester", requester="acme old")
    assert [c["value"] for c in choices] == [f"#{new.id}"]
    assert "(formerly Acme Old)" in choices[0]["name"]
    entry = (await audit.page(h.db, h.world.guild_id))[0]
    assert (entry.action, entry.reason, entry.target_id) == (
        "requester_merge",
        "Renamed in March",
        new.id,
    )


async def test_mod_log_pages_and_filters(configured: Harness) -> None:
    h = configured
    await review(h, h.alice)
    for number in range(12):
        status = ("caution", "none")[number % 2]
        await h.slash(
            "requester status", user=h.mod, requester="Acme", status=status, reason=f"step {number}"
        )
    await h.slash(
        "requester status", user=h.admin, requester="Acme", status="scam", reason="admin step"
    )
    refused = await h.slash("mod log", user=h.alice)
    assert refused.content == "Only moderators can do that."
    page = await h.slash("mod log", user=h.mod)
    assert page.ephemeral and page.embed["title"] == "Moderators' log"
    fields: list[dict[str, Any]] = page.embed["fields"]
    assert len(fields) == 10
    assert fields[0]["name"] == "🏷️ Status No warning → Confirmed scam · requester #1 (Acme)"
    assert f"by <@{h.admin.id}>" in fields[0]["value"] and "> admin step" in fields[0]["value"]
    assert page.embed["footer"]["text"] == "Page 1 · 13 entries"
    assert page.button("Newer")["disabled"] and not page.button("Older")["disabled"]
    stranger = await h.click(page, "Older", user=h.alice)
    assert "belong to someone else" in stranger[-1].content
    older = await h.click(page, "Older", user=h.mod)
    assert older[-1].kind == "update"
    current = h.current(page)
    assert len(current.embed["fields"]) == 3
    assert "> step 0" in current.embed["fields"][-1]["value"]
    assert current.embed["footer"]["text"] == "Page 2 · 13 entries"
    assert current.button("Older")["disabled"] and not current.button("Newer")["disabled"]
    await h.click(page, "Newer", user=h.mod)
    assert h.current(page).embed["footer"]["text"] == "Page 1 · 13 entries"
    mine = await h.slash("mod log", user=h.mod, moderator=h.admin)
    assert len(mine.embed["fields"]) == 1 and "Actions by" in mine.embed["description"]
    french = await h.slash("mod log", user=h.mod, locale="fr")
    assert french.embed["title"] == "Journal des modérateurs"
    assert french.embed["fields"][0]["name"].startswith(
        "🏷️ Statut Aucun avertissement → Arnaque confirmée"
    )


async def test_requester_names_in_the_mod_log_are_neutralised(configured: Harness) -> None:
    """Found by a hostile probe: a requester's name went into /mod log as typed (mentions
    and markdown live), unlike everywhere else it is shown."""
    h = configured
    hostile = "@everyone **Evil** Corp"
    await review(h, h.alice, hostile)
    await review(h, h.alice, "Plain Corp")
    await h.slash("requester status", user=h.mod, requester=hostile, status="caution", reason="x")
    await h.slash(
        "requester merge", user=h.mod, alias=hostile, survivor="Plain Corp", reason="Same lab"
    )
    page = await h.slash("mod log", user=h.mod)
    merged, status = (field["name"] for field in page.embed["fields"])
    assert "@\u200beveryone \\*\\*Evil\\*\\* Corp" in merged, merged
    assert "(@\u200beveryone \\*\\*Evil\\*\\* Corp)" in status, status
    assert "@everyone" not in str(page.embed) and "**Evil**" not in str(page.embed)
    h.api.assert_never_pinged()


async def test_mod_queue_lists_open_reports(configured: Harness) -> None:
    h = configured
    empty = await h.slash("mod queue", user=h.mod)
    assert empty.embed["description"] == "No open reports. 🎉"
    await report(h, h.bob)
    await report(h, h.carol, "Beta Lab")
    await act(h, cards(h)[-1], "Ask for more", "Which study?")
    queue = await h.slash("mod queue", user=h.mod)
    assert queue.ephemeral and queue.embed["title"] == "Open reports: 2"
    lines = queue.embed["description"].splitlines()
    assert lines[0].startswith("**#1** · Acme · Non-payment")
    assert "waiting for the reporter" in lines[1]
    assert f"/channels/{h.world.guild_id}/{h.world.mods}/" in lines[0]
    refused = await h.slash("mod queue", user=h.bob)
    assert refused.content == "Only moderators can do that."


async def test_an_erased_reporter_cannot_be_asked(configured: Harness) -> None:
    h = configured
    await report(h, h.bob)
    for section in h.bot.privacy.sections:
        if section.name == "requesters":
            await section.erase(h.db, h.bob.id)
    replies = await h.click(cards(h)[0], "Ask for more", user=h.mod)
    assert "erased their data" in replies[-1].content


async def test_a_card_in_an_archived_forum_post_is_still_updated(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, mod_channel_id=h.world.forum)
    await report(h, h.bob)
    (card,) = [s for s in h.api.sent if s.kind == "forum_post"]
    h.api.fail(
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        400,
        code=50083,
        message="Thread is archived",
    )
    await act(h, card, "Dismiss", "Duplicate of an older report")
    unarchive = h.api.calls_to("PATCH", "/channels/{channel_id}")
    assert unarchive and unarchive[-1].json == {"archived": False}
    assert h.current(card).field("State") == "Dismissed"
