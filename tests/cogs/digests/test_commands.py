"""`/digest setup` and `/digest preview`: who may use them, what they refuse, what they show."""

from __future__ import annotations

import re

import discord

from bot.i18n import catalogs
from db import digests, guilds
from tests.cogs.digests.conftest import cog_of, configure, share
from tests.cogs.digests.test_scheduling import at_la
from tests.harness import payloads as p
from tests.harness.driver import Harness


async def test_setup_is_for_moderators_only_checked_on_the_server(configured: Harness) -> None:
    h = configured
    sent = await h.slash("digest setup", user=h.alice, time="06:00")
    assert sent.ephemeral and sent.content == "Only moderators can do that."
    settings = await digests.get_settings(h.db, h.world.guild_id)
    assert settings is not None and settings.send_hour == 8
    # A manager (Manage Server) counts as a moderator.
    await configure(h, time="06:00")
    await h.slash("digest setup", user=h.admin, time="06:30")
    settings = await digests.get_settings(h.db, h.world.guild_id)
    assert settings is not None and (settings.send_hour, settings.send_minute) == (6, 30)


async def test_setup_needs_the_server_set_up_first(harness: Harness) -> None:
    sent = await harness.slash("digest setup", user=harness.admin)
    assert sent.ephemeral and "/setup" in sent.content


async def test_setup_shows_what_will_happen(configured: Harness) -> None:
    h = configured
    sent = await h.slash(
        "digest setup", user=h.mod, time="20h15", timezone="Europe/Paris", weekly=True, weekday=4
    )
    assert sent.ephemeral
    assert sent.field("Status") == "On"
    assert sent.field("Channel") == f"<#{h.world.digest}>"
    assert sent.field("When") == (
        "Every day at 20:15 (Europe/Paris)\nEvery Friday at 20:15 (Europe/Paris), covering the week"
    )
    assert re.fullmatch(r"<t:\d+:F> \(<t:\d+:R>\)", sent.field("Next digest"))
    assert sent.field("Sections shown").count("\n") == 5


async def test_invalid_options_are_refused_and_nothing_changes(configured: Harness) -> None:
    h = configured
    await configure(h)
    before = await digests.get_settings(h.db, h.world.guild_id)
    for options, text in [
        ({"time": "8:75"}, "not a time of day"),
        ({"time": "@everyone"}, "not a time of day"),
        ({"time": "9" * 10_000}, "not a time of day"),
        ({"timezone": "<@&123> " * 1000}, "not a time zone"),
        ({"timezone": "Europe/Atlantis"}, "not a time zone"),
        ({"weekday": 12}, "not a day of the week"),
        ({"weekday": -1}, "not a day of the week"),
        ({"daily": False, "weekly": False}, "Choose daily, weekly or both"),
        ({"digest_channel": h.world.general, "time": "x" * 20}, "not a time of day"),
    ]:
        sent = await h.slash("digest setup", user=h.mod, **options)
        assert sent.ephemeral and text in sent.content, (options, sent.content)
    assert await digests.get_settings(h.db, h.world.guild_id) == before
    assert (await guilds.get(h.db, h.world.guild_id)).digest_channel_id == h.world.digest
    h.api.assert_never_pinged()


async def test_a_channel_the_bot_cannot_post_in_is_refused(configured: Harness) -> None:
    h = configured
    locked = p.snowflake()
    deny = discord.Permissions(send_messages=True, embed_links=True)
    await h.gateway(
        "CHANNEL_CREATE",
        p.text_channel_json(
            locked,
            h.world.guild_id,
            "locked",
            overwrites=[
                {"id": str(h.world.bot_role), "type": 0, "allow": "0", "deny": str(deny.value)}
            ],
        ),
    )
    sent = await h.slash("digest setup", user=h.mod, digest_channel=locked)
    assert sent.ephemeral
    assert sent.content == f"I cannot post in <#{locked}>: I am missing send messages, embed links."
    assert (await guilds.get(h.db, h.world.guild_id)).digest_channel_id == h.world.digest


async def test_choosing_a_channel_sets_the_servers_digest_channel(configured: Harness) -> None:
    h = configured
    await configure(h, digest_channel=h.world.general)
    assert (await guilds.get(h.db, h.world.guild_id)).digest_channel_id == h.world.general
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, "daily") == "sent"
    assert len(h.in_channel(h.world.general)) == 1


async def test_turning_the_digest_off_and_on(configured: Harness) -> None:
    h = configured
    sent = await h.slash("digest setup", user=h.mod, enabled=False)
    assert sent.field("Status").startswith("Off")
    assert "Next digest" not in [f["name"] for f in sent.embed["fields"]]
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, "daily") == "inactive"
    sent = await h.slash("digest setup", user=h.mod, enabled=True)
    assert sent.field("Status") == "On"


async def test_timezone_autocomplete(configured: Harness) -> None:
    h = configured
    choices = await h.autocomplete("digest setup", "timezone", user=h.mod, timezone="new_y")
    assert choices[0]["value"] == "America/New_York"
    choices = await h.autocomplete("digest me", "timezone", timezone="paris")
    assert [c["value"] for c in choices] == ["Europe/Paris"]


async def test_preview_is_ephemeral_for_moderators_and_sends_nothing(configured: Harness) -> None:
    h = configured
    await configure(h)
    await share(h, title="Preview me", hourly_cents=1800)
    answers = await h.slash_all("digest preview", user=h.mod)
    assert answers[0].kind == "deferred"
    shown = answers[-1]
    assert shown.ephemeral
    assert shown.content.startswith("Preview of the next digest, due <t:")
    assert "Preview me" in shown.text
    assert shown.embeds[0]["title"] == "Daily digest — Friday, November 27, 2026"
    assert h.in_channel(h.world.digest) == []
    assert await digests.runs_for(h.db, "guild", h.world.guild_id) == []
    refused = await h.slash("digest preview", user=h.alice)
    assert refused.ephemeral and refused.content == "Only moderators can do that."


async def test_preview_in_french_for_a_french_moderator(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, locale="fr")
    answers = await h.slash_all("digest preview", user=h.mod, locale="fr")
    assert answers[-1].content.startswith("Aperçu du prochain bilan")
    assert answers[-1].embeds[0]["title"].startswith("Bilan du jour")


def test_every_command_string_exists_in_both_languages_with_valid_french_names() -> None:
    en, fr = catalogs()["en"], catalogs()["fr"]
    keys = [k for k in en if k.startswith("digests.")]
    assert keys and all(k in fr for k in keys)
    for key in keys:
        placeholders = set(re.findall(r"{(\w+)}", en[key]))
        assert placeholders == set(re.findall(r"{(\w+)}", fr[key])), key
        if key.endswith((".name", "_name")):
            for text in (en[key], fr[key]):
                assert re.fullmatch(r"[a-zà-ÿ0-9_-]{1,32}", text), (key, text)


def test_command_tree_has_descriptions_everywhere(configured: Harness) -> None:
    group = configured.bot.tree.get_command("digest")
    assert group is not None
    for command in group.commands:
        assert command.description
        for param in command.parameters:
            assert param.description and param.description != "…", (command.name, param.name)


async def test_privacy_export_and_erase(configured: Harness) -> None:
    h = configured
    await h.slash("digest me", user=h.bob, cadence="daily", thanks="off")
    [section] = [s for s in h.bot.privacy.sections if s.name == "digests"]
    data = await section.export(h.db, h.bob.id)
    assert data["personal_digest"]["cadence"] == "daily"
    assert data["personal_digest"]["named_in_thanks"] is False
    assert await section.erase(h.db, h.bob.id) >= 1
    assert await digests.get_member(h.db, h.bob.id) is None
    assert (await section.export(h.db, h.bob.id))["personal_digest"] is None


async def test_setup_tells_moderators_how_the_last_digest_went(configured: Harness) -> None:
    h = configured
    sent = await h.slash("digest setup", user=h.mod)
    assert sent.field("Last digest") == "None sent yet."
    h.clock.set(at_la(2026, 11, 27, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, "daily") == "sent"
    [posted] = h.in_channel(h.world.digest)
    sent = await h.slash("digest setup", user=h.mod)
    link = f"https://discord.com/channels/{h.world.guild_id}/{h.world.digest}/{posted.message_id}"
    assert sent.field("Last digest").endswith(f"— [open it]({link})")
    h.clock.set(at_la(2026, 11, 28, 12))  # four hours late
    assert await cog_of(h).runner.run_server(h.world.guild_id, "daily") == "skipped"
    sent = await h.slash("digest setup", user=h.mod)
    assert sent.field("Last digest").endswith(
        "— skipped: the bot was offline for too long around that time"
    )
