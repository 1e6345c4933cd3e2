"""Every persistent component refuses a forged custom_id, and nothing changes.

Persistent buttons (`DynamicItem`s) carry a record id in their custom_id, and a modified
client can send any custom_id: another server's alert id (ids are sequential), another
member's entry, a report card's button without being a moderator, from a DM, or a
30-digit number. Each must get a friendly, ephemeral refusal (never the apology, never
a logged traceback) and leave every table as it was.

Server A is the harness's default world; server B (`h.add_server()`) has its own
channels, moderator role and members. Every registered `DynamicItem` class is listed in
`FORGED`, and `test_every_persistent_component_is_covered` fails when a new one is added
without a forged-id test here.
"""

from __future__ import annotations

import asyncio
import logging
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import t
from bot.ids import SQL_INT_MAX
from db import tasks as tasks_db
from tests.harness.driver import DEFAULT_NOW, Harness, configure_server
from tests.harness.driver import test_settings as make_settings
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent
from tests.harness.world import World
from tests.resilience.helpers import snapshot

MTURK = "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks"
APOLOGY = t("common.errors.unexpected", "en-US")
UNKNOWN_ALERT = t("tasks.errors.unknown_alert", "en-US")
GUILD_ONLY = t("common.errors.guild_only", "en-US")
NOT_MODERATOR = t("common.errors.not_moderator", "en-US")
STALE = t("common.errors.stale_component", "en-US")

#: Every persistent component class, with the test below that forges its custom_id.
FORGED = {
    "AlertButton": "test_alert_buttons_from_another_server_change_nothing",
    "ReportActionButton": "test_report_card_buttons_need_a_moderator_of_the_reports_server",
    "AnswerButton": "test_only_the_reporter_can_answer_their_report",
    "FlagReviewButton": "test_review_flags_need_a_server",
    "RemoveButton": "test_subscription_buttons_are_the_members_own_in_their_server",
    "RemoveAllButton": "test_subscription_buttons_are_the_members_own_in_their_server",
    "StopButton": "test_subscription_buttons_are_the_members_own_in_their_server",
    "EntryButton": "test_earnings_buttons_are_the_members_own",
    "FromAlertButton": "test_quick_log_needs_an_alert_of_the_clickers_server",
    "ComparePageButton": "test_comparison_pages_read_the_clickers_server_only",
    "OversizedIdButton": "test_oversized_ids_are_refused_kindly",
    "UndoOtherButton": "test_undoing_another_requester_needs_a_moderator_of_that_server",
    "ReviewsPageButton": "test_review_lists_read_only_what_the_clickers_server_sees",
    "ExportMinutesButton": "test_export_minutes_are_the_authors_own_in_their_server",
}


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Any:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def refused(replies: list[Sent], text: str | None = None) -> Sent:
    """The one ephemeral refusal a forged click gets (optionally with this text)."""
    assert replies, "no answer: the member would see 'This interaction failed'"
    last = replies[-1]
    assert last.kind != "modal", "a form opened"
    assert last.ephemeral, last.text
    assert last.content != APOLOGY
    if text is not None:
        assert last.content == text, last.content
    return last


async def share(h: Harness, user: FakeUser | None = None) -> tasks_db.Alert:
    sent = await h.slash(
        "task share", user=user or h.alice, link=MTURK, reward=1.5, minutes=6, title="Rate images"
    )
    assert sent.ephemeral and "posted" in sent.content.lower(), sent.content
    row = await h.db.fetch_one("SELECT max(id) FROM task_alerts")
    alert = await tasks_db.get_alert(h.db, row[0])
    assert alert is not None
    return alert


def state(h: Harness) -> dict[str, list[tuple[object, ...]]]:
    return snapshot(h.bot.settings.database_path)


# -- a second server in the harness --------------------------------------------------------


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


# -- one test per persistent component -----------------------------------------------------


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
    assert state(h) == before
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
    assert state(h) == before


async def test_report_card_buttons_need_a_moderator_of_the_reports_server(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    sent = await h.slash(
        "requester report",
        user=h.alice,
        requester="Acme",
        platform="mturk",
        category="non_payment",
        description="Rejected 40 finished HITs the day after I submitted them",
    )
    assert sent.ephemeral and sent.content != APOLOGY
    report_id = await h.db.fetch_value("SELECT max(id) FROM reports")
    before = state(h)
    other = t("requesters.errors.other_server_report", "en-US", number=report_id)
    for action in ("confirm", "dismiss", "ask", "reopen"):
        custom_id = f"requesters:report:{action}:{report_id}"
        refused(await h.press(custom_id, user=b.mod, world=b), other)
        refused(await h.press(custom_id, user=b.alice, world=b), NOT_MODERATOR)
        refused(await h.press(custom_id, user=h.bob), NOT_MODERATOR)  # A, not a moderator
        refused(await h.press(custom_id, user=h.mod, dm=True), GUILD_ONLY)
    assert state(h) == before
    assert not errors.records
    # A's moderator still gets the form.
    opened = await h.press(f"requesters:report:confirm:{report_id}", user=h.mod)
    assert opened[-1].kind == "modal"


async def test_only_the_reporter_can_answer_their_report(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    await h.slash(
        "requester report",
        user=h.alice,
        requester="Acme",
        platform="mturk",
        category="non_payment",
        description="Rejected 40 finished HITs the day after I submitted them",
    )
    report_id = await h.db.fetch_value("SELECT max(id) FROM reports")
    before = state(h)
    unknown = t("requesters.errors.unknown_report", "en-US", number=report_id)
    for who, where in [(h.bob, {"dm": True}), (b.mod, {"world": b}), (h.mod, {})]:
        refused(await h.press(f"requesters:answer:{report_id}", user=who, **where), unknown)
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before
    assert not errors.records
    opened = await h.press(f"reviews:flag:{review_id}", user=b.bob, world=b)
    assert opened[-1].kind == "modal"  # legitimate: the review is shown in B too


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
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before


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
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before
    assert not errors.records


async def test_comparison_pages_read_the_clickers_server_only(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    b = await h.add_server()
    before = state(h)
    refused(await h.press("platforms:compare:next:1", user=h.alice, dm=True), GUILD_ONLY)
    replies = await h.press("platforms:compare:next:999", user=b.alice, world=b)
    assert replies and replies[-1].content != APOLOGY
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before
    assert not errors.records


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
    assert state(h) == before
    assert not errors.records
    opened = await h.press(custom_id, user=h.alice)
    assert opened[-1].kind == "modal"  # legitimate: the author, in the export's server


# -- oversized ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "custom_id",
    [
        "tasks:gone:" + "9" * 30,
        "tasks:live:" + "1" * 21,
        "tasks:gone:" + str(SQL_INT_MAX + 1),  # 19 digits, one past SQLite's integers
        "tasks:did:99999999999999999999",  # 20 digits
        "requesters:report:confirm:" + "9" * 30,
        "requesters:answer:" + "9" * 30,
        "reviews:flag:" + "9" * 30,
        "alerts:remove:" + "9" * 30,
        "alerts:remove-all:" + "9" * 30,
        "alerts:stop:" + "9" * 20,
        "earnings:entry:" + "9" * 30 + ":1:delete",
        "earnings:entry:1:" + "9" * 20 + ":delete",
        "earnings:from-alert:" + "9" * 20 + ":5",
        "earnings:from-alert:1:" + "9" * 40,
    ],
)
async def test_oversized_ids_are_refused_kindly(
    configured: Harness, errors: Errors, custom_id: str
) -> None:
    h = configured
    await share(h)
    before = state(h)
    replies = await h.press(custom_id, user=h.mod)
    refused(replies)
    assert state(h) == before
    assert not errors.records, [r.getMessage() for r in errors.records]


async def test_a_huge_integer_option_is_refused_before_the_command(
    configured: Harness, errors: Errors
) -> None:
    h = configured
    before = state(h)
    for command, options in [
        ("earnings delete", {"entry": 10**30}),
        ("earnings status", {"entry": 10**30, "status": "approved"}),
    ]:
        sent = await h.slash(command, user=h.alice, **options)
        assert sent.ephemeral
        assert sent.content == t(
            "common.errors.option_number", "en-US", name="entry", value=str(10**30)[:30]
        )
    sent = await h.slash(
        "task delete",
        user=h.mod,
        alert="https://discord.com/channels/1/2/" + "9" * 30,
        reason="spam",
    )
    assert sent.ephemeral and sent.content != APOLOGY and "is not an alert" in sent.content
    assert state(h) == before
    assert not errors.records


def test_every_persistent_component_is_covered(settings_path: Path) -> None:
    """A new `DynamicItem` must get a forged-id test here."""
    found = set(_templates())
    assert found == set(FORGED)
    for test in set(FORGED.values()):
        assert test in globals(), test


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path


async def test_registered_dynamic_items_are_the_covered_ones(configured: Harness) -> None:
    registered = {
        cls.__name__ for cls in configured.bot._connection._view_store._dynamic_items.values()
    }
    assert registered == set(FORGED)


# -- a property test: any custom_id in our namespaces ---------------------------------------

PREFIXES = [
    "tasks:live:",
    "tasks:gone:",
    "tasks:did:",
    "tasks:warn:",
    "tasks:confirm:",
    "requesters:report:confirm:",
    "requesters:report:dismiss:",
    "requesters:report:ask:",
    "requesters:report:reopen:",
    "requesters:answer:",
    "reviews:flag:",
    "alerts:remove:",
    "alerts:remove-all:",
    "alerts:stop:",
    "earnings:entry:",
    "earnings:from-alert:",
    "platforms:compare:next:",
    "tasks:undo-other:",
    "reviews:all:platform:",
    "reviews:page:requester:",
    "intake:export-minutes:",
]


def _digits() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=0, max_value=40).map(str),
        st.integers(min_value=0, max_value=2**70).map(str),
        st.text(alphabet=string.digits, min_size=1, max_size=45),
    )


def _custom_id() -> st.SearchStrategy[str]:
    tail = st.lists(_digits(), min_size=1, max_size=3).map(":".join)
    action = st.sampled_from(["", ":delete", ":approved", ":5", ":" + "9" * 25])
    return st.builds(lambda p, t, a: p + t + a, st.sampled_from(PREFIXES), tail, action)


def test_forged_custom_ids_from_another_server_never_crash_or_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any id, any length, pressed by server B's members or from a DM: server A's data
    never changes, no click gets the apology and nothing is logged as an error."""
    handler = Errors()
    logging.getLogger().addHandler(handler)
    failures: list[str] = []
    try:
        with asyncio.Runner() as runner:
            h, b = runner.run(_start_two_servers(tmp_path, monkeypatch))
            before = state(h)
            people = [b.alice, b.mod, b.admin, h.alice, h.mod]

            @settings(
                max_examples=60,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(custom_id=_custom_id(), who=st.sampled_from(people), dm=st.booleans())
            def run(custom_id: str, who: FakeUser, dm: bool) -> None:
                handler.records.clear()
                world: World | None = None if dm else b
                replies = runner.run(h.press(custom_id, user=who, world=world, dm=dm))
                where = f"{custom_id!r} by {who.name} ({'DM' if dm else 'server B'})"
                assert not [r for r in replies if r.content == APOLOGY], f"{where}: apologised"
                assert not handler.records, f"{where}: logged {handler.records[0].getMessage()}"
                assert state(h) == before, f"{where}: changed server A's data"

            try:
                run()
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
            finally:
                runner.run(h.stop())
    finally:
        logging.getLogger().removeHandler(handler)
    assert not failures, failures


async def _start_two_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Harness, World]:
    from bot.clock import ManualClock

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    h = await Harness.start(make_settings(tmp_path), ManualClock(DEFAULT_NOW), monkeypatch)
    await configure_server(h)
    b = await h.add_server()
    await share(h)
    await h.slash(
        "requester report",
        user=h.alice,
        requester="Acme",
        platform="mturk",
        category="non_payment",
        description="Rejected 40 finished HITs the day after I submitted them",
    )
    await h.slash("alerts subscribe", user=h.alice, min_hourly=9.5)
    await h.slash("earnings log", user=h.alice, amount="1.50", minutes=6, platform="Prolific")
    return h, b


async def test_another_servers_channel_or_role_cannot_be_chosen(configured: Harness) -> None:
    """Option values are ids too: B's channel or role given to A's /setup changes nothing."""
    h = configured
    b = await h.add_server()
    before = state(h)
    sent = await h.slash("setup role", user=h.admin, role=b.mod_role)
    assert sent.ephemeral and sent.content == t("setup.errors.unknown_role", "en-US")
    sent = await h.slash("setup channel", user=h.admin, kind="alerts", target=b.alerts)
    assert sent.ephemeral and sent.content != APOLOGY  # discord.py's transformer refuses it
    assert state(h) == before


def _templates() -> dict[str, Any]:
    """Every DynamicItem class defined anywhere under bot/ and cogs/, with its template."""
    import importlib
    import pkgutil

    import bot
    import cogs

    found = {}
    for package in (bot, cogs):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                template = getattr(value, "__discord_ui_compiled_template__", None)
                if (
                    isinstance(value, type)
                    and template is not None
                    and value.__module__ == module.__name__
                ):
                    found[value.__name__] = template
    return found


@settings(deadline=None)
@given(custom_id=_custom_id())
def test_a_custom_id_reaches_at_most_one_component(custom_id: str) -> None:
    """discord.py runs every DynamicItem whose template matches: two would answer twice."""
    matching = [name for name, rx in _templates().items() if rx.fullmatch(custom_id)]
    assert len(matching) <= 1, (custom_id, matching)
    if any(len(run) > 20 for run in custom_id.replace(":", " ").split()):
        assert matching == ["OversizedIdButton"], (custom_id, matching)
