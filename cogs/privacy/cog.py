"""`/privacy export` and `/privacy delete`.

Both walk `bot.privacy`, where every feature registered how to export and erase what it
stores about a member, so a feature added later is covered without changing this file.
Both work in direct messages too: a member who left every server can still get or erase
their data.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.privacy.rules import packed_export
from cogs.privacy.views import ConfirmEraseView, section_label
from db import members as members_db

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database

log = logging.getLogger(__name__)


async def export_preferences(db: Database, user_id: int) -> dict[str, Any] | None:
    """The member's own preferences kept by the foundation: time zone and language.

    (Country and qualifications are the profile feature's section.) Erasing removes the
    member's whole preferences row.
    """
    prefs = await members_db.get(db, user_id)
    if prefs.timezone is None and prefs.locale is None:
        return None
    return {"timezone": prefs.timezone, "locale": prefs.locale}


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name=ls("privacy.group.name"), description=ls("privacy.group.description")
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.privacy.register(
            "member_preferences", export_preferences, members_db.delete, ("members.user_id",)
        )

    async def cog_unload(self) -> None:
        self.bot.privacy.unregister("member_preferences")

    @privacy.command(name=ls("privacy.export.name"), description=ls("privacy.export.description"))
    async def export(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        user_id = interaction.user.id
        sections: dict[str, Any] = {}
        failed: list[str] = []
        for section in self.bot.privacy.sections:
            try:
                sections[section.name] = await section.export(self.bot.db, user_id)
            except Exception:
                log.exception(
                    "privacy export of section %s failed (user=%s)", section.name, user_id
                )
                failed.append(section.name)
        exported_at = self.bot.clock.now().isoformat()
        limit = int(getattr(interaction, "filesize_limit", 0) or 8 * 1024 * 1024)
        name, payload = await asyncio.to_thread(
            packed_export, user_id, exported_at, sections, failed, limit
        )
        lines = [t("privacy.export.done", locale, count=len(sections))]
        if failed:
            lines.append(
                t(
                    "privacy.export.failed",
                    locale,
                    sections=", ".join(section_label(n, locale) for n in failed),
                )
            )
        await reply(interaction, "\n".join(lines), file=discord.File(io.BytesIO(payload), name))

    @privacy.command(name=ls("privacy.delete.name"), description=ls("privacy.delete.description"))
    async def delete(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        names = [section_label(s.name, locale) for s in self.bot.privacy.sections]
        embed = discord.Embed(
            title=t("privacy.delete.title", locale),
            description=t("privacy.delete.warning", locale, sections=", ".join(names) or "—"),
            colour=Colours.BAD,
        )
        view = ConfirmEraseView(self.bot, interaction.user.id, locale)
        await reply(interaction, embed=embed, view=view)
        view.message = await interaction.original_response()
