"""/setup wizard through real dispatch: menus, buttons, modals, and what gets stored."""

from __future__ import annotations

import pytest

from tests.cogs.setup.support import add_text_channel, deny_bot, message_of, stored
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends


async def start(h: Harness, **kw: object) -> Sent:
    sent = await h.slash("setup wizard", user=kw.pop("user", h.admin), **kw)  # type: ignore[arg-type]
    assert sent.kind == "response" and sent.ephemeral
    return sent


async def choose_channels(h: Harness, wizard: Sent, *, digest: bool = False) -> None:
    await h.select(wizard, "setup:alerts", [str(h.world.alerts)], user=h.admin)
    await h.select(wizard, "setup:mod", [str(h.world.mods)], user=h.admin)
    if digest:
        await h.select(wizard, "setup:digest", [str(h.world.digest)], user=h.admin)


async def at_step(h: Harness, step: int) -> Sent:
    """The wizard with its channels chosen, turned to page `step` of 3."""
    wizard = await start(h)
    await choose_channels(h, wizard)
    for _ in range(step - 1):
        await h.click(wizard, "Next", user=h.admin)
    return wizard


async def submit_form(
    h: Harness, step: int, button: str, values: dict[str, str]
) -> tuple[Sent, list[Sent]]:
    """Open `button`'s form on page `step` of the wizard and submit `values`."""
    wizard = await at_step(h, step)
    modal = (await h.click(wizard, button, user=h.admin))[-1]
    sent = await h.submit_modal(modal, values, user=h.admin, message=message_of(h, wizard))
    return wizard, sent


async def test_full_wizard_configures_the_server_and_enables_features(harness: Harness) -> None:
    h = harness
    assert not (await stored(h)).is_set_up
    wizard = await start(h)
    assert "step 1 of 3" in wizard.embed["title"]
    assert [b["label"] for b in wizard.buttons] == ["Next", "Cancel"]

    await choose_channels(h, wizard, digest=True)
    await h.select(wizard, "setup:role", [str(h.world.mod_role)], user=h.admin)
    page = h.current(wizard)
    assert "✅ I can post here" in page.field("Alerts channel")
    assert f"<#{h.world.mods}>" in page.field("Moderators' channel")
    assert page.field("Moderator role") == f"<@&{h.world.mod_role}>"
    assert not (await stored(h)).is_set_up  # nothing saved before Finish

    await h.click(wizard, "Next", user=h.admin)
    await h.select(wizard, "setup:currency", ["EUR"], user=h.admin)
    await h.select(wizard, "setup:region", ["europe"], user=h.admin)
    await h.select(wizard, "setup:zone", ["Europe/Paris"], user=h.admin)
    modal = (await h.click(wizard, "Wages…", user=h.admin))[-1]
    assert modal.kind == "modal"
    replies = await h.submit_modal(
        modal, {"minimum": "11,65", "fair": "15"}, user=h.admin, message=message_of(h, wizard)
    )
    assert replies[-1].kind == "update"
    page = h.current(wizard)
    assert page.field("Minimum wage") == "€11.65/h"
    assert page.field("Fair pay from") == "€15.00/h"
    assert page.field("Time zone").startswith("Europe/Paris (now UTC+01:00)")

    await h.click(wizard, "Next", user=h.admin)
    await h.select(wizard, "setup:language", ["fr"], user=h.admin)
    await h.select(wizard, "setup:policy", ["warn"], user=h.admin)
    modal = (await h.click(wizard, "Limits…", user=h.admin))[-1]
    await h.submit_modal(
        modal,
        {"expiry": "90", "dms": "0", "reports": "5", "new_member_days": "14"},
        user=h.admin,
        message=message_of(h, wizard),
    )
    done = (await h.click(wizard, "Finish", user=h.admin))[-1]
    assert done.kind == "update"
    assert done.embed["title"] == "Entraide is set up — Turkers United"
    assert "members can now use Entraide" in done.embed["description"]
    assert done.embed["color"] == 0x2ECC71
    assert not done.components  # the wizard is over

    saved = await stored(h)
    assert saved.is_set_up
    assert (saved.alerts_channel_id, saved.mod_channel_id, saved.digest_channel_id) == (
        h.world.alerts,
        h.world.mods,
        h.world.digest,
    )
    assert saved.mod_role_id == h.world.mod_role
    assert (saved.currency, saved.min_wage_cents, saved.fair_wage_cents) == ("EUR", 1165, 1500)
    assert (saved.timezone, saved.locale, saved.scam_policy) == ("Europe/Paris", "fr", "warn")
    assert (saved.alert_expiry_minutes, saved.alert_dms_per_hour) == (90, 0)
    assert (saved.reports_per_day, saved.new_member_days) == (5, 14)
    h.api.assert_never_pinged()


async def test_members_cannot_open_or_drive_the_wizard(harness: Harness) -> None:
    h = harness
    refused = await h.slash("setup wizard", user=h.alice)
    assert refused.ephemeral and "manage this server" in refused.content
    refused = await h.slash("setup wizard", user=h.mod)  # moderator role, not a manager
    assert "manage this server" in refused.content

    wizard = await start(h)
    # Someone else pressing the administrator's buttons (a forwarded message, a crafted
    # interaction) is refused, and nothing is staged.
    sent = await h.click(wizard, "Next", user=h.alice)
    assert sent[-1].ephemeral and "someone else" in sent[-1].content
    sent = await h.select(wizard, "setup:alerts", [str(h.world.general)], user=h.bob)
    assert "someone else" in sent[-1].content
    assert f"<#{h.world.general}>" not in h.current(wizard).text


async def test_manager_who_lost_the_permission_mid_wizard_is_refused(harness: Harness) -> None:
    h = harness
    wizard = await start(h)
    h.admin.roles.clear()  # another administrator took Manage Server away
    await h.gateway(
        "GUILD_MEMBER_UPDATE", {**h.admin.member_json(), "guild_id": str(h.world.guild_id)}
    )
    sent = await h.select(wizard, "setup:alerts", [str(h.world.alerts)], user=h.admin)
    assert "manage this server" in sent[-1].content
    assert (await stored(h)).alerts_channel_id is None


async def test_next_needs_the_two_required_channels(harness: Harness) -> None:
    h = harness
    wizard = await start(h)
    await h.select(wizard, "setup:alerts", [str(h.world.alerts)], user=h.admin)
    sent = await h.click(wizard, "Next", user=h.admin)
    assert sent[-1].ephemeral
    assert "Choose the moderators' channel first" in sent[-1].content
    assert "step 1 of 3" in h.current(wizard).embed["title"]


async def test_a_channel_the_bot_cannot_see_is_refused(harness: Harness) -> None:
    h = harness
    secret = await add_text_channel(h, "secret", deny_bot(h, view_channel=True))
    wizard = await start(h)
    sent = await h.select(wizard, "setup:alerts", [str(secret)], user=h.admin)
    assert sent[0].kind == "update"  # the menu is put back on what was staged
    assert sent[-1].ephemeral and f"I cannot see <#{secret}>" in sent[-1].content
    assert "view channel" in sent[-1].content
    assert f"<#{secret}>" not in h.current(wizard).field("Alerts channel")


async def test_missing_permissions_are_named_but_the_channel_is_kept(harness: Harness) -> None:
    h = harness
    muted = await add_text_channel(h, "muted", deny_bot(h, send_messages=True, embed_links=True))
    wizard = await start(h)
    await h.select(wizard, "setup:alerts", [str(muted)], user=h.admin)
    field = h.current(wizard).field("Alerts channel")
    assert "⚠️ I am missing: send messages, embed links" in field
    await h.select(wizard, "setup:mod", [str(h.world.mods)], user=h.admin)
    for _ in range(2):
        await h.click(wizard, "Next", user=h.admin)
    done = (await h.click(wizard, "Finish", user=h.admin))[-1]
    assert "cannot post everywhere yet" in done.embed["description"]
    assert done.embed["color"] == 0xF1C40F
    assert (await stored(h)).alerts_channel_id == muted


async def test_forum_channel_diagnostics_include_thread_permissions(harness: Harness) -> None:
    h = harness
    wizard = await start(h)
    await h.select(wizard, "setup:alerts", [str(h.world.forum)], user=h.admin)
    assert "✅" in h.current(wizard).field("Alerts channel")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"minimum": "-1", "fair": "10"}, "below zero"),
        ({"minimum": "12", "fair": "10"}, "cannot be under the minimum wage ($12.00)"),
        ({"minimum": "seven", "fair": "10"}, "is not an amount"),
        ({"minimum": "7.255", "fair": "10"}, "cannot have that many decimals"),
        ({"minimum": "9" * 12, "fair": "9" * 12}, "implausibly high"),
        ({"minimum": "x" * 10_000, "fair": "10"}, "is not an amount"),
        ({"minimum": "@everyone", "fair": "10"}, "is not an amount"),
    ],
)
async def test_bad_wages_are_refused_and_nothing_is_staged(
    harness: Harness, values: dict[str, str], expected: str
) -> None:
    h = harness
    wizard, sent = await submit_form(h, 2, "Wages…", values)
    assert sent[-1].ephemeral and expected in sent[-1].content
    assert h.current(wizard).field("Minimum wage") == "$7.25/h"
    h.api.assert_never_pinged()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"expiry": "4"}, "Alert expiry: choose a number from 5 to 10080"),
        ({"expiry": "99999999"}, "Alert expiry: choose a number from 5 to 10080"),
        ({"dms": "-3"}, "Alert DMs: choose a number from 0 to 120"),
        ({"reports": "0"}, "Reports: choose a number from 1 to 100"),
        ({"new_member_days": "1.5"}, "New members wait: write a whole number from 0 to 365"),
        ({"reports": "9" * 10_000}, "Reports: write a whole number"),
    ],
)
async def test_bad_limits_are_refused(
    harness: Harness, values: dict[str, str], expected: str
) -> None:
    h = harness
    full = {"expiry": "120", "dms": "10", "reports": "3", "new_member_days": "7", **values}
    wizard, sent = await submit_form(h, 3, "Limits…", full)
    assert sent[-1].ephemeral and expected in sent[-1].content
    assert h.current(wizard).field("Reports") == "3 per member per day"


async def test_other_time_zone_and_currency_are_validated(harness: Harness) -> None:
    h = harness
    wizard = await at_step(h, 2)

    modal = (await h.click(wizard, "Other time zone…", user=h.admin))[-1]
    sent = await h.submit_modal(
        modal, {"zone": "Mars/Olympus_Mons"}, user=h.admin, message=message_of(h, wizard)
    )
    assert "“Mars/Olympus_Mons” is not a time zone I know" in sent[-1].content
    modal = (await h.click(wizard, "Other time zone…", user=h.admin))[-1]
    await h.submit_modal(
        modal, {"zone": "asia/kathmandu"}, user=h.admin, message=message_of(h, wizard)
    )
    assert h.current(wizard).field("Time zone").startswith("Asia/Kathmandu (now UTC+05:45)")

    modal = (await h.click(wizard, "Other currency…", user=h.admin))[-1]
    sent = await h.submit_modal(modal, {"code": "XYZ"}, user=h.admin, message=message_of(h, wizard))
    assert "“XYZ” is not a currency I know" in sent[-1].content
    modal = (await h.click(wizard, "Other currency…", user=h.admin))[-1]
    await h.submit_modal(modal, {"code": "jpy"}, user=h.admin, message=message_of(h, wizard))
    page = h.current(wizard)
    # Wages keep their written value, rounded to what yen can express.
    assert page.field("Currency").startswith("JPY")
    assert page.field("Minimum wage") == "¥7/h"
    assert page.field("Fair pay from") == "¥10/h"


async def test_crafted_menu_values_are_refused(harness: Harness) -> None:
    h = harness
    wizard = await at_step(h, 2)
    sent = await h.select(wizard, "setup:zone", ["Not/AZone"], user=h.admin)
    assert "is not a time zone I know" in sent[-1].content
    sent = await h.select(wizard, "setup:region", ["atlantis"], user=h.admin)
    assert "not one of the choices" in sent[-1].content
    await h.click(wizard, "Next", user=h.admin)
    sent = await h.select(wizard, "setup:language", ["de"], user=h.admin)
    assert "Language of public posts: that is not one of the choices" in sent[-1].content
    sent = await h.select(wizard, "setup:policy", ["ban"], user=h.admin)
    assert "not one of the choices" in sent[-1].content
    assert h.current(wizard).field("Language of public posts") == "English"


async def test_everyone_and_integration_roles_cannot_be_the_moderator_role(
    harness: Harness,
) -> None:
    h = harness
    wizard = await start(h)
    sent = await h.select(wizard, "setup:role", [str(h.world.everyone_role)], user=h.admin)
    assert "every member would be a moderator" in sent[-1].content
    assert h.current(wizard).field("Moderator role").startswith("none")


async def test_cancel_changes_nothing(harness: Harness) -> None:
    h = harness
    wizard = await start(h)
    await choose_channels(h, wizard)
    sent = await h.click(wizard, "Cancel", user=h.admin)
    assert sent[-1].content == "Setup cancelled: nothing was changed."
    assert not sent[-1].components
    settings = await stored(h)
    assert settings.alerts_channel_id is None and not settings.is_set_up


async def test_wizard_on_a_configured_server_starts_from_its_settings(configured: Harness) -> None:
    h = configured
    wizard = await start(h)
    assert f"<#{h.world.alerts}>" in wizard.field("Alerts channel")
    alerts_menu = next(c for c in wizard.walk_components() if c.get("custom_id") == "setup:alerts")
    assert [(int(v["id"]), v["type"]) for v in alerts_menu["default_values"]] == [
        (h.world.alerts, "channel")
    ]
    # Only what the administrator changed is saved.
    await h.select(wizard, "setup:digest", [], user=h.admin)
    for _ in range(2):
        await h.click(wizard, "Next", user=h.admin)
    await h.click(wizard, "Finish", user=h.admin)
    settings = await stored(h)
    assert settings.digest_channel_id is None
    assert settings.alerts_channel_id == h.world.alerts


async def test_a_french_administrator_gets_a_french_wizard(harness: Harness) -> None:
    h = harness
    wizard = await start(h, locale="fr")
    assert wizard.embed["title"].startswith("Configuration d'Entraide — étape 1 sur 3")
    assert [b["label"] for b in wizard.buttons] == ["Suivant", "Annuler"]
    sent = await h.click(wizard, "Suivant", user=h.admin, locale="fr")
    assert "Choisissez d'abord le salon des alertes et le salon des modérateurs" in sent[-1].content


async def test_a_french_server_is_offered_french_public_posts(settings, clock, monkeypatch) -> None:
    h = await Harness.start(settings, clock, monkeypatch, guild_locale="fr")
    try:
        wizard = await h.slash("setup wizard", user=h.admin)
        assert wizard.field("Language of public posts") == "Français"
    finally:
        await h.stop()


async def test_expired_wizard_is_disabled(harness: Harness) -> None:
    h = harness
    wizard = await start(h)
    store = h.bot._connection._view_store
    views = [v for v in store._synced_message_views.values() if type(v).__name__ == "SetupWizard"]
    assert len(views) == 1
    await views[0].on_timeout()
    await h.settle()
    current = h.current(wizard)
    assert all(c.get("disabled") for c in current.walk_components() if c.get("type") != 1)
