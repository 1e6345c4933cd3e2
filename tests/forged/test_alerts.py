"""Forged subscription buttons: a member's own subscriptions, in their own server."""

from __future__ import annotations

from bot.i18n import t
from tests.forged.helpers import (
    APOLOGY,
    GUILD_ONLY,
    Errors,
    assert_untouched,
    refused,
    state,
)
from tests.harness.driver import Harness


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
