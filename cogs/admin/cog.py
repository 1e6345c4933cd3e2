"""`/about` and `/help`: what the bot is, how it is doing, and what it can do for you."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import format_size, t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.admin.rules import HelpEntry, help_entries, help_pages, split_uptime
from cogs.admin.views import HelpView
from db import guilds, ops

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


def entraide_version() -> str:
    try:
        return version("entraide")
    except PackageNotFoundError:
        return "dev"


#: Our language → the Discord locale whose command translations it reads.
DISCORD_LOCALE = {"en": None, "fr": "fr"}


class AdminCog(commands.Cog):
    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self._help_cache: dict[tuple[str, tuple[int, ...]], list[HelpEntry]] = {}

    @app_commands.command(name=ls("admin.about.name"), description=ls("admin.about.description"))
    async def about(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        days, hours, minutes = split_uptime(self.bot.uptime_seconds())
        size = ops.file_size(self.bot.db.path)
        embed = discord.Embed(
            title=t("admin.about.title", locale),
            description=t("admin.about.blurb", locale),
            colour=Colours.INFO,
        )
        embed.add_field(name=t("admin.about.version", locale), value=entraide_version())
        embed.add_field(
            name=t("admin.about.uptime", locale),
            value=t("admin.about.uptime_value", locale, d=days, h=hours, m=minutes),
        )
        embed.add_field(name=t("admin.about.database", locale), value=format_size(size, locale))
        embed.add_field(name=t("admin.about.servers", locale), value=str(len(self.bot.guilds)))
        self._add_shards(embed, locale)
        await reply(interaction, embed=embed)

    def _add_shards(self, embed: discord.Embed, locale: str) -> None:
        """Split into shards: which ones this process runs ("0, 1 of 4")."""
        if not self.bot.settings.sharded:
            return
        shards = self.bot.own_shards
        value = t(
            "admin.about.shards_value",
            locale,
            ids=", ".join(str(shard) for shard in shards.ids),
            count=shards.count,
        )
        embed.add_field(name=t("admin.about.shards", locale), value=value)

    @app_commands.command(name=ls("admin.help.name"), description=ls("admin.help.description"))
    async def help_command(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        note = None
        if interaction.guild_id is not None:
            settings = await guilds.get(self.bot.db, interaction.guild_id)
            if not settings.is_set_up:
                note = t("common.errors.not_set_up", locale)
        pages = help_pages(await self.help_entries(locale))
        view = HelpView(interaction.user.id, locale, pages, note=note)
        await reply(interaction, embed=view.embed(), view=view)
        view.message = await interaction.original_response()

    async def help_entries(self, locale: str) -> list[HelpEntry]:
        """Every slash command in the tree, as a reader of `locale` sees it in Discord.

        Built from the payloads `sync` publishes (translations included), so /help lists
        exactly what exists, under the names the member's client shows. Cached until the
        tree changes (a feature loaded or unloaded).
        """
        commands_now = self.bot.tree.get_commands(type=discord.AppCommandType.chat_input)
        key = (locale, tuple(sorted(id(c) for c in commands_now)))
        cached = self._help_cache.get(key)
        if cached is not None:
            return cached
        translator = self.bot.tree.translator
        payloads = []
        moderator_paths: set[str] = set()
        for command in commands_now:
            if translator is None:
                payloads.append(command.to_dict(self.bot.tree))
            else:
                payloads.append(await command.get_translated_payload(self.bot.tree, translator))
            moderator_paths |= _moderator_paths(command)
        entries = help_entries(payloads, DISCORD_LOCALE.get(locale), frozenset(moderator_paths))
        self._help_cache = {key: entries} | {
            k: v for k, v in self._help_cache.items() if k[1] == key[1]
        }
        return entries


def _moderator_paths(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group,
) -> set[str]:
    """English paths of commands a feature marked `extras={"audience": "moderators"}`."""
    found: set[str] = set()
    if command.extras.get("audience") == "moderators":
        found.add(command.qualified_name)
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            found |= _moderator_paths(child)
    return found
