"""/setup show and the one-setting commands, and the "run /setup" gate on features."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.checks import require_setup
from bot.ui import reply
from db import guilds
from tests.cogs.setup.support import add_text_channel, deny_bot, stored
from tests.harness import payloads as p
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


class Feature(commands.Cog):
    """A stand-in feature command guarded the way every feature is."""

    @app_commands.command(name="feature", description="test")
    async def feature(self, interaction: discord.Interaction) -> None:
        await require_setup(interaction)
        await reply(interaction, "feature ran")


async def test_features_ask_for_setup_until_the_required_channels_exist(
    harness: Harness,
) -> None:
    h = harness
    await h.bot.add_cog(Feature())
    sent = await h.slash("feature", user=h.alice)
    assert sent.ephemeral and "an administrator needs to run /setup wizard" in sent.content
    sent = await h.slash("feature", user=h.alice, locale="fr")
    assert "un administrateur doit lancer /configuration assistant" in sent.content

    # One setting at a time works too: the second required channel completes setup.
    first = await h.slash("setup channel", user=h.admin, kind="alerts", target=h.world.alerts)
    assert "Setup is not finished: choose the moderators' channel" in first.embed["description"]
    assert (await h.slash("feature", user=h.alice)).content != "feature ran"
    second = await h.slash("setup channel", user=h.admin, kind="mod", target=h.world.mods)
    assert "Setup is complete: members can now use Entraide." in second.embed["description"]
    assert (await h.slash("feature", user=h.alice)).content == "feature ran"


async def test_show_prints_the_configuration_with_live_permission_checks(
    configured: Harness,
) -> None:
    h = configured
    sent = await h.slash("setup show", user=h.admin)
    assert sent.ephemeral
    assert sent.embed["title"] == "Entraide settings — Turkers United"
    assert sent.embed["description"] == "Setup is complete: members can use Entraide."
    assert sent.field("Alerts channel") == f"<#{h.world.alerts}>\n✅ I can post here"
    assert sent.field("Moderator role") == f"<@&{h.world.mod_role}>"
    assert sent.field("Minimum wage") == "$7.25/h"
    assert sent.field("Time zone") == "America/Los_Angeles (now UTC-08:00)"
    assert sent.field("Alert expiry") == "2 h"
    assert sent.field("New members wait") == "7 days before reporting"
    assert "/setup" in sent.embed["footer"]["text"]


async def test_show_reports_a_deleted_channel_and_missing_permissions(
    configured: Harness,
) -> None:
    h = configured
    muted = await add_text_channel(h, "muted", deny_bot(h, embed_links=True))
    await guilds.update(h.db, h.world.guild_id, 0, digest_channel_id=muted)
    await guilds.update(h.db, h.world.guild_id, 0, mod_channel_id=p.snowflake())  # vanished
    await guilds.update(h.db, h.world.guild_id, 0, mod_role_id=p.snowflake())  # deleted role
    sent = await h.slash("setup show", user=h.admin)
    assert sent.field("Moderator role").startswith("⚠️ the role was deleted")
    assert sent.field("Digest channel").endswith("⚠️ I am missing: embed links")
    assert sent.field("Moderators' channel").endswith("⚠️ This channel no longer exists")
    assert sent.embed["color"] == 0xF1C40F


async def test_show_in_french_formats_money_for_french_readers(configured: Harness) -> None:
    h = configured
    await h.slash("setup currency", user=h.admin, currency="EUR")
    sent = await h.slash("setup show", user=h.admin, locale="fr")
    assert sent.embed["title"] == "Réglages d'Entraide — Turkers United"
    assert sent.field("Salaire minimum") == "7,25\u00a0€/h"
    assert sent.field("Devise") == "EUR — euro"
    assert sent.field("Attente des nouveaux") == "7 jours avant de signaler"


async def test_members_cannot_use_any_setup_command(configured: Harness) -> None:
    h = configured
    for path, options in [
        ("setup show", {}),
        ("setup channel", {"kind": "alerts", "target": h.world.general}),
        ("setup role", {}),
        ("setup currency", {"currency": "EUR"}),
        ("setup wages", {"minimum": 1.0}),
        ("setup timezone", {"zone": "UTC"}),
        ("setup language", {"language": "fr"}),
        ("setup alerts", {"expiry": 30}),
        ("setup reports", {"per_day": 50}),
    ]:
        sent = await h.slash(path, user=h.mod, **options)
        assert sent.ephemeral and "manage this server" in sent.content, path
    settings = await stored(h)
    assert settings.alerts_channel_id == h.world.alerts and settings.currency == "USD"
    assert settings.timezone == "America/Los_Angeles" and settings.locale == "en"


async def test_setup_is_hidden_from_members_by_default_and_server_only(harness: Harness) -> None:
    group = harness.bot.tree.get_command("setup")
    assert isinstance(group, app_commands.Group)
    assert group.default_permissions == discord.Permissions(manage_guild=True)
    assert group.guild_only


async def test_the_owner_can_configure(harness: Harness) -> None:
    h = harness
    sent = await h.slash("setup timezone", user=h.world.owner, zone="Europe/Paris")
    assert sent.field("Time zone").startswith("Europe/Paris")


async def test_channel_the_bot_cannot_see_is_refused(configured: Harness) -> None:
    h = configured
    secret = await add_text_channel(h, "secret", deny_bot(h, view_channel=True))
    sent = await h.slash("setup channel", user=h.admin, kind="alerts", target=secret)
    assert f"I cannot see <#{secret}>" in sent.content
    assert (await stored(h)).alerts_channel_id == h.world.alerts


async def test_channel_with_missing_permissions_is_saved_with_the_list(
    configured: Harness,
) -> None:
    h = configured
    muted = await add_text_channel(h, "muted", deny_bot(h, send_messages=True))
    sent = await h.slash("setup channel", user=h.admin, kind="digest", target=muted)
    # Without Send Messages, Discord also withholds Embed Links: both are named.
    assert sent.field("Digest channel") == f"<#{muted}>\n⚠️ I am missing: send messages, embed links"
    assert (await stored(h)).digest_channel_id == muted


async def test_forum_channel_for_alerts(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup channel", user=h.admin, kind="alerts", target=h.world.forum)
    assert "✅" in sent.field("Alerts channel")
    assert (await stored(h)).alerts_channel_id == h.world.forum


async def test_digest_channel_can_be_unset_but_required_ones_cannot(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup channel", user=h.admin, kind="digest")
    assert sent.field("Digest channel") == "not set (optional)"
    assert (await stored(h)).digest_channel_id is None
    sent = await h.slash("setup channel", user=h.admin, kind="alerts")
    assert "Alerts channel is required" in sent.content
    assert (await stored(h)).alerts_channel_id == h.world.alerts


async def test_crafted_channel_kind_is_refused(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup channel", user=h.admin, kind="general", target=h.world.general)
    assert "not one of the choices" in sent.content


async def test_role_rules(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup role", user=h.admin, role=h.world.everyone_role)
    assert "every member would be a moderator" in sent.content
    assert (await stored(h)).mod_role_id == h.world.mod_role
    sent = await h.slash("setup role", user=h.admin)
    assert sent.field("Moderator role") == "none: server managers moderate"
    assert (await stored(h)).mod_role_id is None


async def test_currency_change_keeps_written_wages_and_autocompletes(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup currency", user=h.admin, currency="gbp")
    assert sent.field("Minimum wage") == "£7.25/h"
    assert "keep their written value" in sent.embed["description"]
    settings = await stored(h)
    assert (settings.currency, settings.min_wage_cents, settings.fair_wage_cents) == (
        "GBP",
        725,
        1000,
    )
    sent = await h.slash("setup currency", user=h.admin, currency="Zorkmid")
    assert "“Zorkmid” is not a currency I know" in sent.content

    choices = await h.autocomplete("setup currency", "currency", user=h.admin, currency="eur")
    assert choices[0] == {"name": "EUR — Euro", "value": "EUR"}
    choices = await h.autocomplete("setup currency", "currency", user=h.admin, currency="yen")
    assert any(c["value"] == "JPY" for c in choices)
    choices = await h.autocomplete("setup currency", "currency", user=h.admin, currency="x" * 500)
    assert choices == []


async def test_wages(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup wages", user=h.admin, fair=15.5)
    assert sent.field("Fair pay from") == "$15.50/h"
    sent = await h.slash("setup wages", user=h.admin, minimum=20.0)
    assert "($15.50) cannot be under the minimum wage ($20.00)" in sent.content
    sent = await h.slash("setup wages", user=h.admin, minimum=-5.0)  # Range is not re-checked
    assert "below zero" in sent.content
    sent = await h.slash("setup wages", user=h.admin, minimum=1e300, fair=1e300)
    assert "implausibly high" in sent.content
    sent = await h.slash("setup wages", user=h.admin, minimum=7.123)
    assert "that many decimals" in sent.content
    sent = await h.slash("setup wages", user=h.admin)
    assert "at least one option" in sent.content
    settings = await stored(h)
    assert (settings.min_wage_cents, settings.fair_wage_cents) == (725, 1550)


async def test_timezone(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup timezone", user=h.admin, zone="america/new_york")
    assert sent.field("Time zone") == "America/New_York (now UTC-05:00)"
    sent = await h.slash("setup timezone", user=h.admin, zone="Europe/Atlantis")
    assert "“Europe/Atlantis” is not a time zone I know" in sent.content
    sent = await h.slash("setup timezone", user=h.admin, zone="../../etc/passwd")
    assert "is not a time zone I know" in sent.content
    sent = await h.slash("setup timezone", user=h.admin, zone="x" * 10_000)
    assert "is not a time zone I know" in sent.content and len(sent.content) < 400
    assert (await stored(h)).timezone == "America/New_York"

    choices = await h.autocomplete("setup timezone", "zone", user=h.admin, zone="paris")
    assert choices[0] == {"name": "Europe/Paris (UTC+01:00)", "value": "Europe/Paris"}
    choices = await h.autocomplete("setup timezone", "zone", user=h.admin, zone="")
    assert len(choices) == 25


async def test_language_sets_public_locale(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup language", user=h.admin, language="fr")
    assert sent.field("Language of public posts") == "Français"
    assert (await stored(h)).locale == "fr"
    sent = await h.slash("setup language", user=h.admin, language="klingon")
    assert "not one of the choices" in sent.content
    assert (await stored(h)).locale == "fr"


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        ("setup alerts", {"expiry": 4}, "Alert expiry: choose a number from 5 to 10080"),
        ("setup alerts", {"dms_per_hour": 121}, "Alert DMs: choose a number from 0 to 120"),
        ("setup reports", {"per_day": 0}, "Reports: choose a number from 1 to 100"),
        ("setup reports", {"per_day": 10**12}, "Reports: choose a number from 1 to 100"),
        ("setup reports", {"new_member_days": -1}, "New members wait: choose a number"),
        ("setup reports", {"scam_policy": "ban"}, "not one of the choices"),
        ("setup alerts", {}, "at least one option"),
        ("setup reports", {}, "at least one option"),
    ],
)
async def test_limits_out_of_range_are_refused(
    configured: Harness, path: str, options: dict[str, object], expected: str
) -> None:
    h = configured
    before = await stored(h)
    sent = await h.slash(path, user=h.admin, **options)
    assert sent.ephemeral and expected in sent.content
    after = await stored(h)
    assert after == before


async def test_limits_are_saved(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup alerts", user=h.admin, expiry=45, dms_per_hour=0)
    assert sent.field("Alert expiry") == "45 min"
    assert sent.field("Alert DMs") == "off"
    sent = await h.slash(
        "setup reports", user=h.admin, per_day=1, new_member_days=1, scam_policy="warn"
    )
    assert sent.field("New members wait") == "1 day before reporting"
    assert sent.field("Scam-flagged requesters") == "shares allowed with a warning"
    settings = await stored(h)
    assert (settings.alert_expiry_minutes, settings.alert_dms_per_hour) == (45, 0)
    assert (settings.reports_per_day, settings.new_member_days, settings.scam_policy) == (
        1,
        1,
        "warn",
    )


async def test_settings_changes_are_announced_to_other_features(configured: Harness) -> None:
    h = configured
    seen = []

    async def on_guild_settings_changed(settings: guilds.GuildSettings) -> None:
        seen.append(settings)

    h.bot.add_listener(on_guild_settings_changed)
    await h.slash("setup timezone", user=h.admin, zone="Asia/Tokyo")
    await h.settle()
    assert [s.timezone for s in seen] == ["Asia/Tokyo"]
