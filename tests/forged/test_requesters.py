"""Forged requester, review and platform buttons: report cards, answers, flags, lists."""

from __future__ import annotations

from bot.i18n import t
from tests.forged.helpers import (
    APOLOGY,
    GUILD_ONLY,
    NOT_MODERATOR,
    Errors,
    assert_untouched,
    refused,
    report,
    state,
)
from tests.harness.driver import Harness


async def test_report_card_buttons_need_a_moderator_of_the_reports_server(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    report_id = await report(h)
    before = state(h)
    other = t("requesters.errors.other_server_report", "en-US", number=report_id)
    for action in ("confirm", "dismiss", "ask", "reopen"):
        custom_id = f"requesters:report:{action}:{report_id}"
        refused(await h.press(custom_id, user=b.mod, world=b), other)
        refused(await h.press(custom_id, user=b.alice, world=b), NOT_MODERATOR)
        refused(await h.press(custom_id, user=h.bob), NOT_MODERATOR)  # A, not a moderator
        refused(await h.press(custom_id, user=h.mod, dm=True), GUILD_ONLY)
    assert_untouched(h, before, errors)
    # A's moderator still gets the form.
    opened = await h.press(f"requesters:report:confirm:{report_id}", user=h.mod)
    assert opened[-1].kind == "modal"


async def test_only_the_reporter_can_answer_their_report(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    report_id = await report(h)
    before = state(h)
    unknown = t("requesters.errors.unknown_report", "en-US", number=report_id)
    for who, where in [(h.bob, {"dm": True}), (b.mod, {"world": b}), (h.mod, {})]:
        refused(await h.press(f"requesters:answer:{report_id}", user=who, **where), unknown)
    assert_untouched(h, before, errors)


async def test_review_flags_need_a_server(configured: Harness, errors: Errors) -> None:
    """Reviews are one shared registry (shown in every server), so a member of any
    server may flag one; a DM click names no server and is refused before the form."""
    h = configured
    b = await h.add_server()
    sent = await h.slash(
        "requester review",
        user=h.alice,
        requester="Acme",
        platform="mturk",
        pay=4,
        fast=5,
        fair=4,
        communication=3,
        tasks_done="6-20",
    )
    assert sent.content != APOLOGY
    review_id = await h.db.fetch_value("SELECT max(id) FROM reviews")
    before = state(h)
    refused(await h.press(f"reviews:flag:{review_id}", user=h.bob, dm=True), GUILD_ONLY)
    missing = t("requesters.errors.unknown_review", "en-US", number=review_id + 1000)
    refused(await h.press(f"reviews:flag:{review_id + 1000}", user=b.bob, world=b), missing)
    assert_untouched(h, before, errors)
    opened = await h.press(f"reviews:flag:{review_id}", user=b.bob, world=b)
    assert opened[-1].kind == "modal"  # legitimate: the review is shown in B too


async def test_review_lists_read_only_what_the_clickers_server_sees(
    configured: Harness, errors: Errors
) -> None:
    """The All-reviews buttons carry a subject id: a platform only another server lists
    is refused, and nothing is written by paging."""
    from db import platforms

    h = configured
    b = await h.add_server()
    async with h.db.transaction():
        theirs = await platforms.add_to_server(
            h.db, b.guild_id, "remotasks", "Remotasks", 1, limit=40
        )
    before = state(h)
    gone = t("requesters.errors.unknown_review_subject", "en-US")
    refused(await h.press(f"reviews:all:platform:{theirs.id}:1", user=h.alice, dm=True))
    refused(await h.press(f"reviews:all:platform:{theirs.id}:1", user=h.alice), gone)
    refused(await h.press("reviews:page:requester:999999:1", user=h.alice), gone)
    opened = await h.press(f"reviews:all:platform:{theirs.id}:1", user=b.alice, world=b)
    assert opened and opened[-1].content != APOLOGY  # B lists it: legitimate
    assert_untouched(h, before, errors)


async def test_comparison_pages_read_the_clickers_server_only(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    before = state(h)
    refused(await h.press("platforms:compare:next:1", user=h.alice, dm=True), GUILD_ONLY)
    replies = await h.press("platforms:compare:next:999", user=b.alice, world=b)
    assert replies and replies[-1].content != APOLOGY
    assert_untouched(h, before, errors)
