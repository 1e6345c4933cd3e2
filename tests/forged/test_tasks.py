"""Forged task-alert buttons: another server's alert id, a DM, an audit entry."""

from __future__ import annotations

from bot.i18n import t
from db import tasks as tasks_db
from tests.forged.helpers import (
    APOLOGY,
    GUILD_ONLY,
    NOT_MODERATOR,
    UNKNOWN_ALERT,
    Errors,
    assert_untouched,
    refused,
    share,
    state,
)
from tests.harness.driver import Harness


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
