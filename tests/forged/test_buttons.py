"""One test per persistent component: a forged custom_id (another server's record, a DM,
a member who is not the owner or not a moderator) gets a kind refusal and changes nothing.

Grouped by feature: task alerts, requesters (reports, reviews, platform lists), alert
subscriptions, earnings (entries, quick logs, minutes under exports).
"""

from __future__ import annotations

from bot.i18n import t
from db import platforms
from db import tasks as tasks_db
from tests.cogs.platforms.helpers import review as platform_review
from tests.cogs.requesters.helpers import review
from tests.forged.helpers import (
    APOLOGY,
    GUILD_ONLY,
    NOT_MODERATOR,
    NOT_SET_UP,
    UNKNOWN_ALERT,
    Errors,
    assert_untouched,
    refused,
    report,
    share,
    state,
)
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent
from tests.harness.world import World, configure_guild

# -- task alerts -----------------------------------------------------------------------


async def test_the_harness_adds_a_second_server_with_its_own_moderators(
    configured: Harness,
) -> None:
    h = configured
    b = await h.add_server()
    assert b.guild_id != h.world.guild_id and b.bot_user == h.world.bot_user
    guild = h.bot.get_guild(b.guild_id)
    assert guild is not None and guild.get_member(b.mod.id) is not None
    assert guild.get_member(h.alice.id) is None
    sent = await h.slash("task search", user=b.alice, world=b)
    assert sent.ephemeral and sent.content != APOLOGY


async def test_alert_buttons_from_another_server_change_nothing(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    alert = await share(h)
    await h.click(h.in_channel(h.world.alerts)[-1], "Warn", user=h.bob)  # a picker, no write
    before = state(h)
    # B's moderator ends A's alert at once; two of B's members likewise; "live" extends it.
    for action, who in [
        ("gone", b.mod),
        ("gone", b.alice),
        ("gone", b.bob),
        ("live", b.carol),
        ("did", b.alice),
        ("warn", b.mod),
        ("confirm", b.mod),
    ]:
        refused(await h.press(f"tasks:{action}:{alert.id}", user=who, world=b), UNKNOWN_ALERT)
    # …and from a DM (the custom_id is all a DM click has).
    for action in ("gone", "live", "did", "warn", "confirm"):
        replies = await h.press(f"tasks:{action}:{alert.id}", user=h.mod, dm=True)
        assert refused(replies).content in (UNKNOWN_ALERT, GUILD_ONLY)
    assert_untouched(h, before)
    after = await tasks_db.get_alert(h.db, alert.id)
    assert after is not None and after.state == "live" and after.expires_at == alert.expires_at
    assert (after.live_votes, after.gone_votes) == (0, 0)
    assert not errors.records
    # The same buttons still work for A's own members.
    await h.click(h.in_channel(h.world.alerts)[-1], "Gone", user=h.mod)
    ended = await tasks_db.get_alert(h.db, alert.id)
    assert ended is not None and ended.state == "gone"


async def test_a_warning_picked_from_another_server_is_refused(configured: Harness) -> None:
    """The picker's select (a view, not persistent) acts through the same guarded writes."""
    h = configured
    b = await h.add_server()
    alert = await share(h)
    before = state(h)
    replies = await h.press(f"tasks:warn-pick:{alert.id}", user=b.mod, world=b, values=["hate"])
    # No picker was opened for this message: discord.py has no view for it, nothing runs.
    assert not [r for r in replies if r.content == APOLOGY]
    assert_untouched(h, before)


async def test_undoing_another_requester_needs_a_moderator_of_that_server(
    configured: Harness, errors: Errors
) -> None:
    """The Undo on a moderators' notice names an audit entry: only this server's
    moderators may use it, and another server's moderator reaches nothing."""
    h = configured
    b = await h.add_server()
    alert = await share(h)
    now = int(h.clock.now().timestamp())
    requester = await h.db.fetch_value(
        "INSERT INTO requesters (platform, name, name_key, status, created_at, updated_at) "
        "VALUES ('mturk', 'Acme', 'acme', 'scam', ?, ?) RETURNING id",
        (now, now),
    )
    entry = await h.db.fetch_value(
        "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, detail, "
        "created_at) VALUES (?, ?, 'requester_other_confirmed', 'requester', ?, ?, ?) "
        "RETURNING id",
        (h.world.guild_id, h.alice.id, requester, f'{{"alert": {alert.id}}}', now),
    )
    before = state(h)
    custom_id = f"tasks:undo-other:{entry}"
    refused(await h.press(custom_id, user=h.bob, dm=True), GUILD_ONLY)
    refused(await h.press(custom_id, user=h.bob), NOT_MODERATOR)
    unknown = t("tasks.identity.unknown_confirmation", "en-US")
    refused(await h.press(custom_id, user=b.mod, world=b), unknown)
    refused(await h.press(f"tasks:undo-other:{entry + 1000}", user=h.mod), unknown)
    assert_untouched(h, before, errors)


# -- requesters, reviews and platform lists --------------------------------------------


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
    sent = await review(h, h.alice)
    assert sent.content != APOLOGY
    review_id = await h.db.fetch_value("SELECT max(id) FROM reviews")
    before = state(h)
    refused(await h.press(f"reviews:flag:{review_id}", user=h.bob, dm=True), GUILD_ONLY)
    missing = t("requesters.errors.unknown_review", "en-US", number=review_id + 1000)
    refused(await h.press(f"reviews:flag:{review_id + 1000}", user=b.bob, world=b), missing)
    assert_untouched(h, before, errors)
    opened = await h.press(f"reviews:flag:{review_id}", user=b.bob, world=b)
    assert opened[-1].kind == "modal"  # legitimate: the review is shown in B too


async def _join(h: Harness, user: FakeUser, world: World) -> None:
    """`user` joins `world`'s server too (one account in two servers)."""
    await h.gateway("GUILD_MEMBER_ADD", {**user.member_json(), "guild_id": str(world.guild_id)})


async def _flag_form(h: Harness, review_id: int, user: FakeUser) -> Sent:
    """`user` opens the flag form in server A, where they may."""
    opened = await h.press(f"reviews:flag:{review_id}", user=user)
    assert opened[-1].kind == "modal", opened[-1].text
    return opened[-1]


async def test_review_flags_need_a_server_that_ran_setup(
    configured: Harness, errors: Errors
) -> None:
    """A moderator's flag and one more hide a review in every server, and a server nobody
    set up makes its owner a "moderator" by owning it: such a server flags nothing, by the
    button or by a form opened elsewhere (a hostile probe hid reviews that way)."""
    h = configured
    b = await h.add_server(configure=False)
    await review(h, h.alice)
    review_id = await h.db.fetch_value("SELECT max(id) FROM reviews")
    await _join(h, b.owner, h.world)  # B's owner is a plain member of A
    form = await _flag_form(h, review_id, b.owner)
    before = state(h)
    for who in (b.owner, b.alice):
        refused(await h.press(f"reviews:flag:{review_id}", user=who, world=b), NOT_SET_UP)
    done = await h.submit_modal(
        form, {"flag_reason": "spam"}, user=b.owner, world=b, channel=b.general
    )
    refused(done, NOT_SET_UP)
    assert_untouched(h, before, errors)
    card = await h.slash("requester info", user=h.bob, requester="Acme")
    assert "Reviews" in card.text and card.field("Reviews").startswith("1")
    # Once B is set up its members' flags count like anyone's (the registry is shared).
    await configure_guild(h.db, b, int(h.clock.now().timestamp()))
    for who in (b.mod, b.alice):
        opened = await h.press(f"reviews:flag:{review_id}", user=who, world=b)
        await h.submit_modal(
            opened[-1], {"flag_reason": "spam"}, user=who, world=b, channel=b.general
        )
    # Counted, but one other server's moderator does not hide a review written in A.
    hidden_sql = "SELECT hidden_at FROM reviews WHERE id = ?"
    assert await h.db.fetch_value(hidden_sql, (review_id,)) is None
    opened = await h.press(f"reviews:flag:{review_id}", user=h.mod)
    await h.submit_modal(opened[-1], {"flag_reason": "spam"}, user=h.mod)
    assert await h.db.fetch_value(hidden_sql, (review_id,)) is not None
    logged = await h.db.fetch_all("SELECT guild_id, actor_id, action FROM audit_log ORDER BY id")
    assert [tuple(r) for r in logged] == [
        (b.guild_id, b.mod.id, "review_flag"),
        (h.world.guild_id, h.mod.id, "review_flag"),
    ]


async def test_a_platform_review_is_flagged_only_where_the_platform_is_listed(
    configured: Harness, errors: Errors
) -> None:
    """A platform only server A lists is not B's to judge: B's moderator and members get
    "cannot find" (as for a review that does not exist), by the button or by a form opened
    in A, and the review stays in A's scores. Built-in platforms are everyone's."""
    h = configured
    b = await h.add_server()
    async with h.db.transaction():
        await platforms.add_to_server(h.db, h.world.guild_id, "remotasks", "Remotasks", 1, limit=40)
    await platform_review(h, user=h.alice, platform="remotasks", text="Fair pay.")
    theirs = await h.db.fetch_value("SELECT max(id) FROM reviews")
    await platform_review(h, user=h.alice, platform="mturk")
    builtin = await h.db.fetch_value("SELECT max(id) FROM reviews")
    await _join(h, b.owner, h.world)
    form = await _flag_form(h, theirs, b.owner)
    before = state(h)
    unknown = t("requesters.errors.unknown_review", "en-US", number=theirs)
    for who in (b.owner, b.mod, b.alice):
        refused(await h.press(f"reviews:flag:{theirs}", user=who, world=b), unknown)
    done = await h.submit_modal(
        form, {"flag_reason": "spam"}, user=b.owner, world=b, channel=b.general
    )
    refused(done, unknown)
    assert "Remotasks" not in done[-1].text
    assert_untouched(h, before, errors)
    card = await h.slash("platform info", user=h.bob, platform="remotasks")
    assert "Fair pay." in card.text and card.field("Reviews").startswith("1 ")
    opened = await h.press(f"reviews:flag:{builtin}", user=b.mod, world=b)
    assert opened[-1].kind == "modal"  # MTurk is on every server's list


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


# -- alert subscriptions ---------------------------------------------------------------


async def test_subscription_buttons_are_the_members_own_in_their_server(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    sent = await h.slash("alerts subscribe", user=h.alice, min_hourly=9.5)
    assert sent.content != APOLOGY
    sub_id = await h.db.fetch_value("SELECT max(id) FROM alert_subscriptions")
    before = state(h)
    not_found = t("alerts.errors.not_found", "en-US")
    refused(await h.press(f"alerts:remove:{sub_id}", user=b.alice, world=b), not_found)
    refused(await h.press(f"alerts:remove:{sub_id}", user=h.bob), not_found)
    refused(await h.press(f"alerts:remove:{sub_id}", user=h.alice, dm=True), GUILD_ONLY)
    not_yours = t("common.errors.not_your_view", "en-US")
    refused(await h.press(f"alerts:remove-all:{h.alice.id}", user=b.alice, world=b), not_yours)
    refused(await h.press(f"alerts:remove-all:{h.alice.id}", user=h.bob), not_yours)
    refused(await h.press(f"alerts:remove-all:{h.alice.id}", user=h.alice, dm=True), GUILD_ONLY)
    stop_other = t("alerts.errors.not_yours", "en-US")
    refused(await h.press(f"alerts:stop:{sub_id}", user=b.alice, dm=True), stop_other)
    refused(await h.press(f"alerts:stop:{sub_id}", user=h.bob, world=b), stop_other)
    assert_untouched(h, before, errors)


async def test_subscription_remove_button_is_scoped_to_the_lists_server(
    configured: Harness,
) -> None:
    """The member's own subscription of server A, removed by a button clicked in B."""
    h = configured
    b = await h.add_server()
    await h.slash("alerts subscribe", user=h.alice, min_hourly=9.5)
    sub_id = await h.db.fetch_value("SELECT max(id) FROM alert_subscriptions")
    await h.gateway("GUILD_MEMBER_ADD", {**h.alice.member_json(), "guild_id": str(b.guild_id)})
    before = state(h)
    replies = await h.press(f"alerts:remove:{sub_id}", user=h.alice, world=b)
    refused(replies, t("alerts.errors.not_found", "en-US"))
    assert_untouched(h, before)


# -- earnings --------------------------------------------------------------------------


async def test_earnings_buttons_are_the_members_own(configured: Harness, errors: Errors) -> None:
    h = configured
    b = await h.add_server()
    sent = await h.slash(
        "earnings log", user=h.alice, amount="1.50", minutes=6, platform="Prolific"
    )
    assert sent.content != APOLOGY
    number = await h.db.fetch_value("SELECT max(number) FROM earnings")
    before = state(h)
    not_yours = t("earnings.errors.not_yours", "en-US")
    for action in ("delete", "approved", "rejected"):
        custom_id = f"earnings:entry:{h.alice.id}:{number}:{action}"
        refused(await h.press(custom_id, user=b.alice, world=b), not_yours)
        refused(await h.press(custom_id, user=h.bob), not_yours)
        refused(await h.press(custom_id, user=h.bob, dm=True), not_yours)
    assert_untouched(h, before, errors)


async def test_quick_log_needs_an_alert_of_the_clickers_server(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    alert = await share(h)
    before = state(h)
    gone = t("earnings.alert.gone", "en-US")
    refused(await h.press(f"earnings:from-alert:{alert.id}:5", user=b.alice, world=b), gone)
    refused(await h.press(f"earnings:from-alert:{alert.id}:5", user=h.alice, dm=True), gone)
    assert_untouched(h, before, errors)


async def test_export_minutes_are_the_authors_own_in_their_server(
    configured: Harness, errors: Errors
) -> None:
    """ "Add my minutes" under an export: only its author, only in its server."""
    h = configured
    b = await h.add_server()
    now = int(h.clock.now().timestamp())
    message_id = 424_242
    await h.db.execute(
        "INSERT INTO export_messages (message_id, guild_id, channel_id, author_id, alert_id, "
        "created, posted_at) VALUES (?, ?, ?, ?, NULL, 0, ?)",
        (message_id, h.world.guild_id, h.world.general, h.alice.id, now),
    )
    before = state(h)
    custom_id = f"intake:export-minutes:{message_id}"
    refused(await h.press(custom_id, user=h.alice, dm=True))
    refused(await h.press(custom_id, user=h.bob), t("intake.exports.not_author", "en-US"))
    refused(await h.press(custom_id, user=b.alice, world=b))
    assert_untouched(h, before, errors)
    opened = await h.press(custom_id, user=h.alice)
    assert opened[-1].kind == "modal"  # legitimate: the author, in the export's server
