"""/help: a paged overview, built from the real command tree, in the member's language."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from cogs.admin.rules import HelpEntry, help_entries, help_pages
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends


class Extra(commands.Cog):
    """A feature landing later: /help must list it without being told."""

    squad = app_commands.Group(name="squad", description="Squad things")

    @squad.command(name="join", description="Join the squad **now** @everyone")
    async def join(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    @squad.command(
        name="purge", description="Remove inactive squad members", extras={"audience": "moderators"}
    )
    async def purge(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")


async def read_every_page(h: Harness, sent: Sent, *, user, locale: str = "en-US") -> list[dict]:
    pages = [sent.embed]
    while not sent.button("Next" if locale.startswith("en") else "Suivant").get("disabled"):
        replies = await h.click(sent, "help:next", user=user, locale=locale)
        assert replies[-1].kind == "update"
        pages.append(h.current(sent).embed)
    return pages


async def test_help_pages_through_overview_members_and_moderators(configured: Harness) -> None:
    h = configured
    sent = await h.slash("help", user=h.alice)
    assert sent.ephemeral
    assert sent.embed["title"] == "Entraide — help"
    assert "For members" in sent.embed["description"]
    assert sent.button("Previous")["disabled"]
    pages = await read_every_page(h, sent, user=h.alice)
    assert pages[0]["footer"]["text"] == f"Page 1 of {len(pages)}"
    assert pages[-1]["footer"]["text"] == f"Page {len(pages)} of {len(pages)}"
    text = "\n".join(p["description"] for p in pages)
    members = "\n".join(p["description"] for p in pages if p["title"] == "Commands for members")
    moderators = "\n".join(
        p["description"] for p in pages if p["title"] == "Commands for moderators"
    )
    assert "**/help**" in members and "**/about**" in members
    assert "**/setup wizard**" in moderators and "**/setup wizard**" not in members
    assert "What Entraide is, its version, uptime and database size" in text
    # Back again.
    await h.click(sent, "help:previous", user=h.alice)
    assert h.current(sent).embed["footer"]["text"] == f"Page {len(pages) - 1} of {len(pages)}"


async def test_help_lists_every_command_in_the_tree(configured: Harness) -> None:
    h = configured
    await h.bot.add_cog(Extra())
    sent = await h.slash("help", user=h.bob)
    pages = await read_every_page(h, sent, user=h.bob)
    members = "\n".join(p["description"] for p in pages if p["title"] == "Commands for members")
    moderators = "\n".join(
        p["description"] for p in pages if p["title"] == "Commands for moderators"
    )
    assert "**/squad join**" in members
    assert "**/squad purge**" in moderators and "/squad purge" not in members
    # Descriptions are shown as text, never as markup or pings.
    assert "\\*\\*now\\*\\*" in members and "@\u200beveryone" in members

    expected = set()
    for command in h.bot.tree.get_commands(type=discord.AppCommandType.chat_input):
        leaves = command.walk_commands() if isinstance(command, app_commands.Group) else [command]
        expected |= {
            f"/{leaf.qualified_name}" for leaf in leaves if not isinstance(leaf, app_commands.Group)
        }
    listed = {
        line[2:-2]
        for p in pages[1:]
        for line in p["description"].split("\n")
        if line.startswith("**/")
    }
    assert listed == expected


async def test_help_in_french_uses_french_command_names(configured: Harness) -> None:
    h = configured
    sent = await h.slash("help", user=h.alice, locale="fr")
    assert sent.embed["title"] == "Entraide — aide"
    assert sent.button("Suivant") and sent.button("Précédent")["disabled"]
    pages = await read_every_page(h, sent, user=h.alice, locale="fr")
    text = "\n".join(p["description"] for p in pages)
    assert "**/configuration assistant**" in text
    assert "**/aide**" in text and "**/apropos**" in text
    assert "Commandes pour les modérateurs" in [p["title"] for p in pages]
    assert pages[0]["footer"]["text"].startswith("Page 1 sur ")


async def test_only_the_reader_turns_the_pages(configured: Harness) -> None:
    h = configured
    sent = await h.slash("help", user=h.alice)
    replies = await h.click(sent, "help:next", user=h.bob)
    assert replies[-1].ephemeral and "someone else" in replies[-1].content
    assert h.current(sent).embed["footer"]["text"].startswith("Page 1 of")


async def test_help_on_a_server_not_set_up_says_so(harness: Harness) -> None:
    sent = await harness.slash("help", user=harness.alice)
    assert "an administrator needs to run /setup wizard" in sent.field("This server")


async def test_help_works_in_direct_messages(harness: Harness) -> None:
    sent = await harness.slash("help", user=harness.alice, dm=True)
    assert sent.embed["title"] == "Entraide — help"
    with pytest.raises(AssertionError):
        sent.field("This server")


def test_help_entries_and_pages_are_pure() -> None:
    payloads = [
        {
            "type": 1,
            "name": "setup",
            "name_localizations": {"fr": "configuration"},
            "description": "Configure",
            "default_member_permissions": "32",
            "options": [
                {
                    "type": 1,
                    "name": "show",
                    "name_localizations": {"fr": "afficher"},
                    "description": "Show",
                    "description_localizations": {"fr": "Afficher"},
                }
            ],
        },
        {"type": 1, "name": "about", "description": "About", "options": [{"type": 3, "name": "x"}]},
        {"type": 2, "name": "Report user", "description": ""},
        {
            "type": 1,
            "name": "task",
            "description": "Tasks",
            "options": [{"type": 1, "name": "purge", "description": "Purge"}],
        },
    ]
    en = help_entries(payloads, None, frozenset({"task purge"}))
    assert en == [
        HelpEntry("/about", "About", "members"),
        HelpEntry("/setup show", "Show", "moderators"),
        HelpEntry("/task purge", "Purge", "moderators"),
    ]
    fr = help_entries(payloads, "fr")
    assert HelpEntry("/configuration afficher", "Afficher", "moderators") in fr
    pages = help_pages(en * 5, per_page=4)
    assert [p.kind for p in pages] == ["overview", "members", "members", "moderators"] + [
        "moderators"
    ] * 2
    assert all(len(p.entries) <= 4 for p in pages)
    assert help_pages([]) == [help_pages([])[0]]
