"""What every forged-component test shares: the refusal texts, the `refused` check, a
shared alert and report to forge against, the database snapshot that must not change,
and the list of persistent components with the test that covers each.

Forged clicks are grouped by feature in this package (tests/forged/test_*.py); the
package docstring says what each test proves.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from bot.i18n import t
from db import tasks as tasks_db
from tests.cogs.requesters import helpers as requesters
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent
from tests.resilience.helpers import ErrorRecords as Errors
from tests.resilience.helpers import snapshot

MTURK = "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks"

APOLOGY = t("common.errors.unexpected", "en-US")

UNKNOWN_ALERT = t("tasks.errors.unknown_alert", "en-US")

GUILD_ONLY = t("common.errors.guild_only", "en-US")

NOT_MODERATOR = t("common.errors.not_moderator", "en-US")

NOT_SET_UP = t("common.errors.not_set_up", "en-US")

STALE = t("common.errors.stale_component", "en-US")

#: Every persistent component class, with the test (in this package) that forges its custom_id.
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


async def report(h: Harness) -> int:
    """Alice reports Acme in the default server; the report's id."""
    sent = await requesters.report(h, h.alice)
    assert sent.ephemeral and sent.content != APOLOGY
    return await h.db.fetch_value("SELECT max(id) FROM reports")


def state(h: Harness) -> dict[str, list[tuple[object, ...]]]:
    return snapshot(h.bot.settings.database_path)


def assert_untouched(h: Harness, before: dict[str, Any], errors: Errors | None = None) -> None:
    """Every table is as it was before the forged clicks (and nothing logged an error)."""
    assert state(h) == before
    if errors is not None:
        assert not errors.records, [r.getMessage() for r in errors.records]


# -- any custom_id in our namespaces ----------------------------------------------------------

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
