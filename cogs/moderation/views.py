"""The `/mod log` pager: newer and older pages, for the moderator who asked only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot import checks
from bot.error_handler import EntraideView
from bot.i18n import t
from cogs.moderation.rules import Cursor, LogPage

if TYPE_CHECKING:
    from bot.bot import Entraide


class LogPages(Protocol):
    async def log_page(
        self, guild_id: int, cursor: Cursor, actor_id: int | None, locale: str
    ) -> LogPage: ...


class LogPager(EntraideView):
    """Buttons under an ephemeral log page; each click re-checks the moderator role."""

    def __init__(
        self, pages: LogPages, owner_id: int, guild_id: int, actor_id: int | None, locale: str
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=600)
        self.pages = pages
        self.guild_id = guild_id
        self.actor_id = actor_id
        self.locale = locale
        self.cursor = Cursor()
        self.last_id: int | None = None
        self.newer.label = t("moderation.log.newer", locale)
        self.older.label = t("moderation.log.older", locale)

    def show(self, cursor: Cursor, page: LogPage) -> None:
        self.cursor = cursor
        self.last_id = page.last_id
        self.newer.disabled = cursor.page <= 1
        self.older.disabled = not page.has_older or page.last_id is None

    async def _turn(self, interaction: discord.Interaction[Entraide], cursor: Cursor) -> None:
        await checks.require_moderator(interaction)
        page = await self.pages.log_page(self.guild_id, cursor, self.actor_id, self.locale)
        self.show(cursor, page)
        await interaction.response.edit_message(embed=page.embed, view=self)

    @discord.ui.button(label="Newer", style=discord.ButtonStyle.secondary)
    async def newer(
        self, interaction: discord.Interaction[Entraide], button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, self.cursor.newer())

    @discord.ui.button(label="Older", style=discord.ButtonStyle.secondary)
    async def older(
        self, interaction: discord.Interaction[Entraide], button: discord.ui.Button[Any]
    ) -> None:
        if self.last_id is None:
            return
        await self._turn(interaction, self.cursor.older(self.last_id))
