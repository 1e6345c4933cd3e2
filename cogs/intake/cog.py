"""Pasted exports (`/task paste`, the "Share as task alert" message menu) become shares."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import require_setup
from bot.errors import UserError
from bot.translator import ls
from bot.ui import locale_of, reply
from cogs.intake import drafts
from cogs.intake.parsers import ParsedTask
from cogs.intake.views import PasteModal, show_preview

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.service import AlertService, ShareOutcome
    from db.guilds import GuildSettings

log = logging.getLogger(__name__)


class IntakeCog(commands.Cog, name="Intake"):
    """Exports and pasted posts become task alerts, through the same share rules."""

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=ls("intake.menu.name"), callback=self.share_message
        )
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @property
    def alerts(self) -> AlertService:
        cog = self.bot.get_cog("Tasks")
        if cog is None:
            raise UserError("tasks.errors.unavailable")
        return cog.service  # type: ignore[attr-defined, no-any-return]

    async def open_paste(self, interaction: discord.Interaction[Entraide]) -> None:
        """`/task paste`: a modal with one paragraph field."""
        await require_setup(interaction)
        await interaction.response.send_modal(PasteModal(locale_of(interaction)))

    async def share_message(
        self, interaction: discord.Interaction[Entraide], message: discord.Message
    ) -> None:
        """The message menu: read the message's text (and embeds) as an export."""
        parts = [message.content or ""]
        for embed in message.embeds[:1]:
            if not message.content and embed.description:
                parts.append(embed.description)
        text = "\n".join(p for p in parts if p).strip()
        if not text:
            raise UserError("intake.errors.no_text")
        await show_preview(interaction, text)

    async def share_parsed(
        self, interaction: discord.Interaction[Entraide], parsed: ParsedTask, minutes: int
    ) -> None:
        """Share what the member checked, as `/task share` would, and say where it is."""
        from cogs.tasks.cog import share_reply

        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        draft = drafts.build_draft(
            parsed, minutes=minutes, default_currency=settings.currency, locale=settings.locale
        )
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.share_draft(settings, draft, interaction.user.id, locale)
        await reply(interaction, share_reply(outcome, settings, locale))

    async def share_draft(
        self, settings: GuildSettings, draft: object, sharer_id: int, locale: str
    ) -> ShareOutcome:
        return await self.alerts.share(
            guild_id=settings.guild_id,
            settings=settings,
            draft=draft,  # type: ignore[arg-type]
            sharer_id=sharer_id,
            locale=locale,
        )
