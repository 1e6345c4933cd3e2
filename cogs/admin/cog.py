"""`/about`: version, uptime and database size, for members and operators alike."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.admin.rules import human_size, split_uptime

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


def entraide_version() -> str:
    try:
        return version("entraide")
    except PackageNotFoundError:
        return "dev"


def database_size(path: Path) -> int:
    """Main file plus its WAL: what the community's store really takes on disk."""
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            total += candidate.stat().st_size
        except OSError:
            continue
    return total


class AdminCog(commands.Cog):
    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    @app_commands.command(name=ls("admin.about.name"), description=ls("admin.about.description"))
    async def about(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        days, hours, minutes = split_uptime(self.bot.uptime_seconds())
        size = database_size(self.bot.db.path)
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
        embed.add_field(name=t("admin.about.database", locale), value=human_size(size))
        embed.add_field(name=t("admin.about.servers", locale), value=str(len(self.bot.guilds)))
        await reply(interaction, embed=embed)
