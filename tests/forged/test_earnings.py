"""Forged earnings buttons: entries, quick logs from alerts, minutes added under exports."""

from __future__ import annotations

from bot.i18n import t
from tests.forged.helpers import (
    APOLOGY,
    Errors,
    assert_untouched,
    refused,
    share,
    state,
)
from tests.harness.driver import Harness


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
